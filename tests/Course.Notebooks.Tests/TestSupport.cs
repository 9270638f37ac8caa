using System.IO.Compression;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Course.Notebooks.Tests;

/// <summary>A temporary folder, deleted at the end of the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "course-nb-tests-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Builds small .ipynb files in the Polyglot Notebooks shape.</summary>
public static class TestNotebooks
{
    public static JsonObject Code(string source) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["metadata"] = new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" }, ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
        ["outputs"] = new JsonArray(),
        ["source"] = Course.Notebooks.Ipynb.NotebookDocument.Lines(source),
    };

    public static JsonObject Markdown(string source) => new()
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = Course.Notebooks.Ipynb.NotebookDocument.Lines(source),
    };

    public static string Write(string path, params JsonObject[] cells)
    {
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode?)c).ToArray()),
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "C#" },
                ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var i = 0;
        foreach (var cell in cells) cell["id"] = $"cell-{i++}";
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public static string Write(string path, params string[] codeCells) => Write(path, codeCells.Select(Code).ToArray());
}

/// <summary>Compiles a small class library at test time (so #r has a real file to load).</summary>
public static class TinyLibrary
{
    public static string Build(string directory, string assemblyName, string source)
    {
        Directory.CreateDirectory(directory);
        var runtimeDirectory = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new[] { "System.Private.CoreLib.dll", "System.Runtime.dll", "System.Runtime.InteropServices.dll", "System.Console.dll" }
            .Select(f => MetadataReference.CreateFromFile(System.IO.Path.Combine(runtimeDirectory, f)));
        var compilation = CSharpCompilation.Create(assemblyName,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        var path = System.IO.Path.Combine(directory, assemblyName + ".dll");
        var emitted = compilation.Emit(path);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return path;
    }
}

/// <summary>Writes a minimal .nupkg (a zip with a .nuspec and lib/net8.0/the.dll).</summary>
public static class TinyPackage
{
    public static string Write(string folder, string id, string version, string dll)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"{id}.{version}.nupkg");
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        using (var writer = new StreamWriter(zip.CreateEntry($"{id}.nuspec").Open()))
            writer.Write($"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata><id>{id}</id><version>{version}</version><authors>course tests</authors><description>test package</description></metadata>
                </package>
                """);
        zip.CreateEntryFromFile(dll, $"lib/net8.0/{System.IO.Path.GetFileName(dll)}");
        return path;
    }
}

public static class Nbformat
{
    public static void AssertValid(string path)
    {
        var problem = Validate(path);
        Assert.True(problem is null, problem);
    }

    /// <summary>Validates a notebook with Debian's python3-nbformat; returns the validator's complaint or null.</summary>
    public static string? Validate(string path)
    {
        const string script = "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)\nnbformat.validate(nb)\nprint('valid')";
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 && stdout.Contains("valid") ? null : stdout + stderr[Math.Max(0, stderr.Length - 1500)..];
    }
}

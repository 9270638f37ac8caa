using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Runtime.Loader;
using Course.Notebooks.Ipynb;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Tests;

public class ReferenceTests
{
    private const string GreeterSource = """
        namespace Tiny;
        public static class Greeter
        {
            public static int Calls;
            public static string Hello(string name) { Calls++; return "hello " + name; }
        }
        """;

    [Fact]
    public async Task HashRRelativeToTheNotebookFolderLoadsTheLibraryAndEachKernelHasItsOwnCopy()
    {
        using var dir = new TempDir();
        var name = "Tiny" + Guid.NewGuid().ToString("N")[..8];
        TinyLibrary.Build(dir.File("lib"), name, GreeterSource.Replace("namespace Tiny;", $"namespace {name};"));
        var notebook = TestNotebooks.Write(dir.File("nb/lesson.ipynb"),
            $"#r \"../lib/{name}.dll\"\nusing {name};",
            "Greeter.Hello(\"course\")");

        var first = await NotebookRunner.RunAsync(notebook);
        Assert.True(first.Succeeded, string.Join("\n", first.Failures));
        var cells = first.Executed.Cells;
        Assert.Equal("hello course", Text(cells[1]!));

        // A second notebook (fresh kernel) referencing the same file gets its own copy of the assembly and
        // its statics, as if each lesson ran in its own kernel process (as in Jupyter and VS Code).
        var second = await NotebookRunner.RunAsync(notebook);
        Assert.True(second.Succeeded, string.Join("\n", second.Failures));
        var loaded = AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Where(a => a.GetName().Name == name).ToList();
        Assert.Equal(2, loaded.Count);
        Assert.All(loaded, a => Assert.Equal(1, (int)a.GetType($"{name}.Greeter")!.GetField("Calls")!.GetValue(null)!));
    }

    [Fact]
    public async Task HashRAbsolutePathAndMissingFileGivesAClearError()
    {
        using var dir = new TempDir();
        var name = "Abs" + Guid.NewGuid().ToString("N")[..8];
        var dll = TinyLibrary.Build(dir.File("bin"), name, GreeterSource.Replace("namespace Tiny;", $"namespace {name};"));
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync($"#r \"{dll}\"\n{name}.Greeter.Hello(\"abs\")");
        Assert.True(r.Succeeded, r.Failure);
        Assert.Equal("hello abs", r.ReturnValue);

        var missing = await kernel.ExecuteCellAsync("#r \"nothere/Missing.dll\"");
        Assert.False(missing.Succeeded);
        Assert.Contains("Missing.dll", missing.Failure);
    }

    [Fact]
    public async Task AReferencedLibraryFindsItsNativeLibraryNextToIt()
    {
        if (!File.Exists("/usr/bin/gcc")) return; // no C compiler here: nothing to build the native side with
        using var dir = new TempDir();
        var name = "Native" + Guid.NewGuid().ToString("N")[..8];
        var native = "coursenative" + Guid.NewGuid().ToString("N")[..6];
        var lib = dir.File("lib");
        Directory.CreateDirectory(lib);
        File.WriteAllText(dir.File("answer.c"), "int course_answer(int x) { return 40 + x; }\n");
        var gcc = Process.Start("/usr/bin/gcc", ["-shared", "-fPIC", "-o", Path.Combine(lib, $"lib{native}.so"), dir.File("answer.c")]);
        gcc.WaitForExit();
        Assert.Equal(0, gcc.ExitCode);
        TinyLibrary.Build(lib, name, $$"""
            using System.Runtime.InteropServices;
            namespace {{name}};
            public static class Answer
            {
                [DllImport("{{native}}")] private static extern int course_answer(int x);
                public static int Get() => course_answer(2);
            }
            """);
        var notebook = TestNotebooks.Write(dir.File("lesson.ipynb"), $"#r \"lib/{name}.dll\"", $"{name}.Answer.Get()");
        var result = await NotebookRunner.RunAsync(notebook);
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Equal("42", Text(result.Executed.Cells[1]!));
    }

    internal static string Text(JsonNode cell)
    {
        var output = cell["outputs"]!.AsArray().Single(o => o!["output_type"]!.GetValue<string>() == "execute_result")!;
        // Strings come as text/plain; numbers and collections as the kernel's HTML only.
        if (output["data"]!["text/plain"] is JsonArray plain) return string.Concat(plain.Select(l => l!.GetValue<string>()));
        var html = string.Concat(output["data"]!["text/html"]!.AsArray().Select(l => l!.GetValue<string>()));
        return WebUtility.HtmlDecode(Regex.Replace(html, "<style>.*?</style>|<[^>]+>", " ", RegexOptions.Singleline)).Trim();
    }
}

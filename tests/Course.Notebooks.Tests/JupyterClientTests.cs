using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Course.Notebooks.Cli;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

/// <summary>
/// The course's kernelspec, installed into a folder the tests own (never the user's home): the
/// dotnet-interactive tool pinned in .config/dotnet-tools.json, started by a real Jupyter client
/// (Debian's python3-nbclient) for one C# session per lesson.
/// </summary>
public sealed class JupyterKernelFixture : IDisposable
{
    public JupyterKernelFixture()
    {
        Root = CourseNotebookTests.RepositoryRoot();
        JupyterPath = Path.Combine(Path.GetTempPath(), "course-jupyter-" + Guid.NewGuid().ToString("N")[..10]);
        var output = new StringWriter();
        var error = new StringWriter();
        var saved = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(Root);
            var code = InstallKernelCommand.MainAsync(["--jupyter-dir", JupyterPath], output, error).GetAwaiter().GetResult();
            if (code != 0) throw new InvalidOperationException($"install-kernel failed ({code}): {output}{error}");
        }
        finally
        {
            Directory.SetCurrentDirectory(saved);
        }
    }

    public string Root { get; }

    /// <summary>Holds kernels/.net-csharp/kernel.json; given to Jupyter as JUPYTER_PATH.</summary>
    public string JupyterPath { get; }

    /// <summary>Runs a notebook through nbclient; returns the executed copy and the client's report.</summary>
    public (NotebookDocument Executed, JsonObject Report) Execute(string notebook, string kernelName = InstallKernelCommand.KernelName)
    {
        var stem = Path.Combine(JupyterPath, Path.GetFileNameWithoutExtension(notebook) + "-" + Guid.NewGuid().ToString("N")[..6]);
        var info = new ProcessStartInfo(Course.Testing.Python.Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(notebook)! };
        foreach (var a in new[] { Course.Testing.Python.FixturePath("run_in_jupyter.py"), notebook, stem + ".ipynb", stem + ".json", kernelName })
            info.ArgumentList.Add(a);
        info.Environment["JUPYTER_PATH"] = JupyterPath;
        info.Environment["JUPYTER_DATA_DIR"] = JupyterPath; // and nothing from the user's own folders
        info.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(JupyterPath, "runtime");
        info.Environment["COURSE_QUICK"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && File.Exists(stem + ".json"), $"nbclient failed ({process.ExitCode}):\n{stdout.Result}\n{stderr[Math.Max(0, stderr.Length - 3000)..]}");
        return (NotebookDocument.Load(stem + ".ipynb"), (JsonObject)JsonNode.Parse(File.ReadAllText(stem + ".json"))!);
    }

    public void Dispose()
    {
        try { Directory.Delete(JupyterPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[Collection("course notebooks")]
public class JupyterClientTests(JupyterKernelFixture jupyter) : IClassFixture<JupyterKernelFixture>
{
    public static TheoryData<string> Lessons() => CourseNotebookTests.LessonsToRunHere(CourseNotebookTests.LessonNames);

    [Theory]
    [MemberData(nameof(Lessons))]
    public void LessonRunsThroughNbclientInTheCoursesKernelOnLoopbackOnly(string lesson)
    {
        if (lesson == CourseNotebookTests.NoLessonHere) return;
        var (executed, report) = jupyter.Execute(Path.Combine(jupyter.Root, "notebooks", lesson + ".ipynb"));
        Assert.True(report["error"] is null, $"{lesson}: {report["error"]}");
        var listening = report["listening"]!.AsArray();
        Assert.True(listening.Count > 0, $"{lesson}: no listening socket of the kernel was found, so the loopback check saw nothing");
        Assert.True(report["non_loopback"]!.AsArray().Count == 0, $"{lesson}: the kernel listens beyond loopback: {report["non_loopback"]!.ToJsonString()}");
        var executedPath = Path.Combine(jupyter.JupyterPath, $"valid-{lesson}.ipynb");
        executed.Save(executedPath);
        Nbformat.AssertValid(executedPath);
        CourseNotebookTests.AssertShowsWhatItPromises(lesson, executed);
    }

    /// <summary>The socket check can fail: the same tool without --http-local-only serves HTTP on every
    /// address of the machine (measured on 2026-12-02), which the report must show.</summary>
    [Fact]
    public void TheLoopbackCheckSeesAKernelThatListensEverywhere()
    {
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(jupyter.JupyterPath, "kernels", InstallKernelCommand.KernelName, "kernel.json")))!.AsObject();
        var argv = spec["argv"]!.AsArray();
        argv.Remove(argv.First(a => (string?)a == "--http-local-only"));
        var open = Path.Combine(jupyter.JupyterPath, "kernels", "course-test-open");
        Directory.CreateDirectory(open);
        File.WriteAllText(Path.Combine(open, "kernel.json"), spec.ToJsonString());
        // Inside the repository (artifacts/ is ignored): the kernelspec finds the pinned tool from there.
        var notebook = TestNotebooks.Write(Path.Combine(jupyter.Root, "artifacts", "test-jupyter", "open-" + Guid.NewGuid().ToString("N")[..6] + ".ipynb"), "1 + 1");
        try
        {
            var (executed, report) = jupyter.Execute(notebook, "course-test-open");
            Assert.True(report["error"] is null, report["error"]?.ToString());
            var machineHasOtherAddresses = NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Any(a => a.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);
            if (machineHasOtherAddresses)
                Assert.True(report["non_loopback"]!.AsArray().Count > 0, $"expected a non-loopback listener, got {report["listening"]!.ToJsonString()}");
            else
                Assert.True(report["listening"]!.AsArray().Count > 0);
            // The result (an int comes as the kernel's HTML), beside the HTTP API's bootstrap script.
            Assert.Equal("2", ReferenceTests.Text(executed.Cells.OfType<JsonObject>().Single(c => NotebookDocument.CellType(c) == "code")));
        }
        finally
        {
            File.Delete(notebook);
        }
    }
}

using System.Text.Json.Nodes;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

public class NotebookRunnerTests
{
    private static JsonArray Outputs(JsonNode cell) => cell["outputs"]!.AsArray();

    [Fact]
    public async Task AnErrorInCell3Of5IsReportedWithItsNumberAndStopsTheRun()
    {
        using var dir = new TempDir();
        var marker = dir.File("cell4-ran.txt");
        var path = TestNotebooks.Write(dir.File("errors.ipynb"),
            TestNotebooks.Markdown("# Errors\nA lesson that fails."),
            TestNotebooks.Code("var n = 1;"),
            TestNotebooks.Code("Console.WriteLine(\"two\");"),
            TestNotebooks.Markdown("Now the failing cell:"),
            TestNotebooks.Code("Console.WriteLine(\"three\");\nthrow new ArgumentException(\"the third cell fails\");"),
            TestNotebooks.Code($"System.IO.File.WriteAllText(@\"{marker}\", \"ran\");"),
            TestNotebooks.Code("n + 4"));

        var result = await NotebookRunner.RunAsync(path);

        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.CodeCellNumber);
        Assert.Equal(4, failure.CellIndex);
        Assert.Equal("ArgumentException: the third cell fails", failure.Message);
        Assert.Contains("cell 3", failure.ToString());
        Assert.Equal(3, result.CellsRun);
        Assert.False(File.Exists(marker));

        var cells = result.Executed.Cells;
        var third = Outputs(cells[4]!);
        Assert.Equal("stream", third[0]!["output_type"]!.GetValue<string>());
        Assert.Equal("error", third[1]!["output_type"]!.GetValue<string>());
        // The kernel's own error output, as its Jupyter front end sends it.
        Assert.Equal("Error", third[1]!["ename"]!.GetValue<string>());
        Assert.Contains("the third cell fails", third[1]!["evalue"]!.GetValue<string>());
        Assert.Contains("System.ArgumentException: the third cell fails", third[1]!["traceback"]![0]!.GetValue<string>());
        Assert.Equal(3, cells[4]!["execution_count"]!.GetValue<int>());
        Assert.Null(cells[5]!["execution_count"]);
        Assert.Empty(Outputs(cells[5]!));
        Assert.Null(cells[6]!["execution_count"]);
        Assert.Empty(Outputs(cells[6]!));

        var executed = dir.File("out/errors.ipynb");
        result.Executed.Save(executed);
        Nbformat.AssertValid(executed);
    }

    [Fact]
    public async Task ACompileErrorIsReportedWithTheCellNumber()
    {
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("compile.ipynb"), "1", "2", "var x = ;", "4", "5");
        var result = await NotebookRunner.RunAsync(path);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(3, failure.CodeCellNumber);
        Assert.StartsWith("CompilationError: ", failure.Message);
        Assert.Contains("CS1525", failure.Message);
        Assert.Equal(3, result.CellsRun);
    }

    [Fact]
    public async Task ContinueOnErrorRunsTheRemainingCells()
    {
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("continue.ipynb"), "1", "2", "throw new Exception(\"x\");", "4", "5");
        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { ContinueOnError = true });
        Assert.Equal(5, result.CellsRun);
        Assert.Equal(3, Assert.Single(result.Failures).CodeCellNumber);
        Assert.Equal("5", ReferenceTests.Text(result.Executed.Cells[4]!));
    }

    [Fact]
    public async Task ExecutedCopyKeepsMetadataAndValidates()
    {
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("valid.ipynb"),
            TestNotebooks.Markdown("# Title\nSome $x^2$ maths."),
            TestNotebooks.Code("#!csharp\nusing Microsoft.DotNet.Interactive;\nConsole.WriteLine(\"line 1\\nline 2\");\nvar d = KernelInvocationContext.Current.Display(\"first\");"),
            TestNotebooks.Code("d.Update(\"updated from a later cell\");\nnew[] { 1.5, 2.5 }"),
            TestNotebooks.Code("Environment.GetEnvironmentVariable(\"COURSE_QUICK\") + \" \" + System.IO.Path.GetFileName(Environment.CurrentDirectory)"));
        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions
        {
            Environment = new Dictionary<string, string?> { ["COURSE_QUICK"] = "1" },
        });
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        var root = result.Executed.Root;
        Assert.Equal(".net-csharp", root["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        var cells = result.Executed.Cells;
        Assert.Equal("csharp", cells[1]!["metadata"]!["dotnet_interactive"]!["language"]!.GetValue<string>());
        Assert.Equal("cell-1", cells[1]!["id"]!.GetValue<string>());
        Assert.Equal(1, cells[1]!["execution_count"]!.GetValue<int>());
        var first = Outputs(cells[1]!);
        Assert.Equal(["line 1\n", "line 2\n"], first[0]!["text"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("updated from a later cell", string.Concat(first[1]!["data"]!["text/plain"]!.AsArray().Select(l => l!.GetValue<string>())));
        Assert.Equal("[ 1.5, 2.5 ]", ReferenceTests.Text(cells[2]!));
        Assert.Equal("1 " + Path.GetFileName(dir.Path), ReferenceTests.Text(cells[3]!));
        Assert.Null(Environment.GetEnvironmentVariable("COURSE_QUICK"));

        var executed = dir.File("out/valid.ipynb");
        result.Executed.Save(executed);
        Nbformat.AssertValid(executed);
        // The source notebook is left as it was.
        Assert.Null(NotebookDocument.Load(path).Cells[1]!["execution_count"]);
    }

    [Fact]
    public async Task ATimeoutStopsTheNotebookAndIsReported()
    {
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("slow.ipynb"), "Console.WriteLine(\"before\");", "System.Threading.Thread.Sleep(12000);", "3");
        var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions { Timeout = TimeSpan.FromSeconds(6) });
        Assert.True(result.TimedOut);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.CodeCellNumber);
        Assert.StartsWith("TimeoutError", failure.Message);
        Assert.Equal(2, result.CellsRun);
        await Task.Delay(7000); // let the abandoned cell finish before other tests capture the console
    }
}

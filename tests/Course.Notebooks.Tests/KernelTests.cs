using Course.Notebooks.Kernel;

namespace Course.Notebooks.Tests;

public class KernelTests
{
    private static string Plain(CellExecutionResult r) =>
        r.Outputs.OfType<DisplayOutput>().Single(o => o.IsResult).Value["text/plain"]!;

    [Fact]
    public async Task LastExpressionWithoutSemicolonIsTheResult()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var x = 20;\nx + 22");
        Assert.True(r.Succeeded, r.Error?.EValue);
        Assert.Equal(42, r.ReturnValue);
        Assert.Equal("42", Plain(r));

        var withSemicolon = await kernel.ExecuteCellAsync("Math.Max(x, 1);");
        Assert.Empty(withSemicolon.Outputs);

        var voidCall = await kernel.ExecuteCellAsync("Console.Write(\"\")");
        Assert.DoesNotContain(voidCall.Outputs, o => o is DisplayOutput);

        var nullValue = await kernel.ExecuteCellAsync("string? s = null;\ns");
        Assert.Equal("<null>", Plain(nullValue));
        Assert.Equal(4, nullValue.ExecutionCount);
    }

    [Fact]
    public async Task VariablesTypesAndUsingsCarryAcrossCells()
    {
        using var kernel = new NotebookKernel();
        Assert.True((await kernel.ExecuteCellAsync("using System.Text.RegularExpressions;")).Succeeded);
        Assert.True((await kernel.ExecuteCellAsync("record Point(int X, int Y);\nvar p = new Point(1, 2);")).Succeeded);
        var r = await kernel.ExecuteCellAsync("Regex.IsMatch(\"abc\", \"b\") && p.Y == 2");
        Assert.True(r.Succeeded, r.Error?.EValue);
        Assert.Equal(true, r.ReturnValue);
        var list = await kernel.ExecuteCellAsync("new List<int> { 1, 2, 3 }");
        Assert.Equal("[ 1, 2, 3 ]", Plain(list));
    }

    [Fact]
    public async Task ConsoleOutputBecomesStreams()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("Console.WriteLine(\"hello\");\nConsole.Write(\"wor\"); Console.WriteLine(\"ld\");\nConsole.Error.WriteLine(\"careful\");");
        Assert.True(r.Succeeded, r.Error?.EValue);
        var streams = r.Outputs.Cast<StreamOutput>().ToList();
        Assert.Equal(2, streams.Count);
        Assert.Equal("stdout", streams[0].Name);
        Assert.Equal("hello\nworld\n", streams[0].Text.Replace("\r\n", "\n"));
        Assert.Equal("stderr", streams[1].Name);
        Assert.Equal("careful\n", streams[1].Text.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task DisplayReturnsAHandleThatUpdatesInPlace()
    {
        using var kernel = new NotebookKernel();
        var updates = new List<string>();
        kernel.DisplayUpdated += o => updates.Add(o.DisplayId!);
        var r = await kernel.ExecuteCellAsync("var d = display(\"step 0\");\nfor (var i = 1; i <= 3; i++) d.Update($\"step {i}\");\nd");
        Assert.True(r.Succeeded, r.Error?.EValue);
        var shown = Assert.Single(r.Outputs);
        var display = Assert.IsType<DisplayOutput>(shown);
        Assert.False(display.IsResult);
        Assert.Equal("step 3", display.Value["text/plain"]);
        Assert.Equal(3, updates.Count);
        Assert.All(updates, id => Assert.Equal(display.DisplayId, id));

        // A later cell can update an earlier cell's display.
        await kernel.ExecuteCellAsync("d.Update(\"final\");");
        Assert.Equal("final", display.Value["text/plain"]);
    }

    [Fact]
    public async Task CompileErrorsCarryLineNumbersAndTheKernelSurvives()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var a = 1;\nvar b = undefinedName;");
        Assert.False(r.Succeeded);
        Assert.Equal("CompilationError", r.Error!.EName);
        Assert.Contains("(2,9): error CS0103", r.Error.EValue);
        Assert.IsType<ErrorOutput>(r.Outputs.Last());
        var ok = await kernel.ExecuteCellAsync("1 + 1");
        Assert.Equal(2, ok.ReturnValue);
    }

    [Fact]
    public async Task RuntimeErrorsKeepWhatTheCellDefinedBefore()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var kept = 7;\nthrow new InvalidOperationException(\"boom\");");
        Assert.False(r.Succeeded);
        Assert.Equal("InvalidOperationException", r.Error!.EName);
        Assert.Equal("boom", r.Error.EValue);
        Assert.Contains("System.InvalidOperationException: boom", r.Error.Traceback[0]);
        Assert.Equal(7, (await kernel.ExecuteCellAsync("kept")).ReturnValue);
    }

    [Fact]
    public async Task KernelSelectorsAreIgnoredAndNugetIsAClearError()
    {
        using var kernel = new NotebookKernel();
        var selector = await kernel.ExecuteCellAsync("#!csharp\n1 + 2");
        Assert.Equal(3, selector.ReturnValue);
        var nuget = await kernel.ExecuteCellAsync("#r \"nuget: TorchSharp, 0.105.0\"\n1");
        Assert.False(nuget.Succeeded);
        Assert.Contains("NuGet package references are not supported", nuget.Error!.EValue);
        var fsharp = await kernel.ExecuteCellAsync("#!fsharp\nlet x = 1");
        Assert.Contains("only C# cells are supported", fsharp.Error!.EValue);
    }

    [Fact]
    public async Task TopLevelAwaitWorks()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("await Task.Delay(1);\nawait Task.FromResult(5)");
        Assert.Equal(5, r.ReturnValue);
    }

    [Fact]
    public async Task EnvironmentPassesThrough()
    {
        Environment.SetEnvironmentVariable("COURSE_NB_TEST_VAR", "visible");
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("Environment.GetEnvironmentVariable(\"COURSE_NB_TEST_VAR\")");
        Assert.Equal("visible", r.ReturnValue);
    }
}

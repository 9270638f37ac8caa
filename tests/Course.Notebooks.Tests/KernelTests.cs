using Course.Notebooks.Kernel;

namespace Course.Notebooks.Tests;

public class KernelTests
{
    /// <summary>The result as text: its text/plain, else the text inside the kernel's HTML (numbers
    /// and collections come as text/html only, as the tool's Jupyter front end gets them).</summary>
    private static string Plain(CellExecutionResult r)
    {
        var value = r.Outputs.OfType<DisplayOutput>().Single(o => o.IsResult).Value;
        return value["text/plain"] ?? System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(value["text/html"]!, "<style>.*?</style>|<[^>]+>", " ", System.Text.RegularExpressions.RegexOptions.Singleline)).Trim();
    }

    [Fact]
    public async Task LastExpressionWithoutSemicolonIsTheResult()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var x = 20;\nx + 22");
        Assert.True(r.Succeeded, r.Failure);
        Assert.Equal(42, r.ReturnValue);
        Assert.Equal("42", Plain(r));

        var withSemicolon = await kernel.ExecuteCellAsync("Math.Max(x, 1);");
        Assert.Empty(withSemicolon.Outputs);

        var voidCall = await kernel.ExecuteCellAsync("Console.Write(\"\")");
        Assert.DoesNotContain(voidCall.Outputs, o => o is DisplayOutput);

        var nullValue = await kernel.ExecuteCellAsync("string? s = null;\ns");
        Assert.Contains("null", Plain(nullValue));
        Assert.Equal(4, nullValue.ExecutionCount);
    }

    [Fact]
    public async Task VariablesTypesAndUsingsCarryAcrossCells()
    {
        using var kernel = new NotebookKernel();
        Assert.True((await kernel.ExecuteCellAsync("using System.Text.RegularExpressions;")).Succeeded);
        Assert.True((await kernel.ExecuteCellAsync("record Point(int X, int Y);\nvar p = new Point(1, 2);")).Succeeded);
        var r = await kernel.ExecuteCellAsync("Regex.IsMatch(\"abc\", \"b\") && p.Y == 2");
        Assert.True(r.Succeeded, r.Failure);
        Assert.Equal(true, r.ReturnValue);
        var list = await kernel.ExecuteCellAsync("new List<int> { 1, 2, 3 }");
        Assert.Equal(new List<int> { 1, 2, 3 }, list.ReturnValue);
        Assert.Equal("[ 1, 2, 3 ]", Plain(list));
    }

    [Fact]
    public async Task ConsoleOutputBecomesStreams()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("Console.WriteLine(\"hello\");\nConsole.Write(\"wor\"); Console.WriteLine(\"ld\");\nConsole.Error.WriteLine(\"careful\");");
        Assert.True(r.Succeeded, r.Failure);
        var streams = r.Outputs.Cast<StreamOutput>().ToList();
        Assert.Equal(2, streams.Count);
        Assert.Equal("stdout", streams[0].Name);
        Assert.Equal("hello\nworld\n", streams[0].Text.Replace("\r\n", "\n"));
        Assert.Equal("stderr", streams[1].Name);
        Assert.Equal("careful\n", streams[1].Text.Replace("\r\n", "\n"));
    }

    /// <summary>The way the lessons show live progress: the invocation context's Display returns the
    /// handle of the output it showed, and Update replaces that output, also from a later cell.</summary>
    [Fact]
    public async Task ContextDisplayReturnsAHandleThatUpdatesInPlace()
    {
        using var kernel = new NotebookKernel();
        var updates = new List<string>();
        kernel.DisplayUpdated += o => updates.Add(o.DisplayId!);
        var r = await kernel.ExecuteCellAsync("using Microsoft.DotNet.Interactive;\nvar d = KernelInvocationContext.Current.Display(\"step 0\");\nfor (var i = 1; i <= 3; i++) d.Update($\"step {i}\");");
        Assert.True(r.Succeeded, r.Failure);
        var display = Assert.IsType<DisplayOutput>(Assert.Single(r.Outputs));
        Assert.False(display.IsResult);
        Assert.Equal("step 3", display.Value["text/plain"]);
        Assert.Equal(3, updates.Count);
        Assert.All(updates, id => Assert.Equal(display.DisplayId, id));

        await kernel.ExecuteCellAsync("d.Update(\"final\");");
        Assert.Equal("final", display.Value["text/plain"]);
    }

    /// <summary>What the kernel helper display(x) really does in Microsoft.DotNet.Interactive
    /// 1.0.0-beta.26120.1 (and the tool 1.0.712001): it shows one DisplayedValue and returns another,
    /// so Update sends a display id that no front end has seen and the output never changes. If this
    /// test fails, the package has fixed it and the lessons can go back to display(x).Update(y).</summary>
    [Fact]
    public async Task KernelHelperDisplayReturnsAHandleWhoseUpdatesMissTheShownOutput()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var d = display(\"step 0\");\nd.Update(\"step 1\");\nd.DisplayId");
        Assert.True(r.Succeeded, r.Failure);
        var shown = r.Outputs.OfType<DisplayOutput>().Single(o => !o.IsResult);
        Assert.Equal("step 0", shown.Value["text/plain"]);
        Assert.NotEqual(shown.DisplayId, (string)r.ReturnValue!);
    }

    [Fact]
    public async Task CompileErrorsCarryLineNumbersAndTheKernelSurvives()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var a = 1;\nvar b = undefinedName;");
        Assert.False(r.Succeeded);
        Assert.StartsWith("CompilationError: ", r.Failure);
        Assert.Contains("CS0103", r.Failure);
        Assert.Contains("undefinedName", r.Failure);
        // As the kernel's Jupyter front end shows it: the diagnostics on stderr, then the error.
        Assert.Contains("CS0103", r.Outputs.OfType<StreamOutput>().Single(s => s.Name == "stderr").Text);
        var error = Assert.IsType<ErrorOutput>(r.Outputs.Last());
        Assert.Equal("compilation error", error.EValue);
        var ok = await kernel.ExecuteCellAsync("1 + 1");
        Assert.Equal(2, ok.ReturnValue);
    }

    [Fact]
    public async Task RuntimeErrorsKeepWhatTheCellDefinedBefore()
    {
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync("var kept = 7;\nthrow new InvalidOperationException(\"boom\");");
        Assert.False(r.Succeeded);
        Assert.Equal("InvalidOperationException: boom", r.Failure);
        Assert.Contains("System.InvalidOperationException: boom", r.Error!.Traceback[0]);
        Assert.Equal(7, (await kernel.ExecuteCellAsync("kept")).ReturnValue);
    }

    [Fact]
    public async Task CSharpSelectorRunsAndAnUnknownKernelIsAClearError()
    {
        using var kernel = new NotebookKernel();
        var selector = await kernel.ExecuteCellAsync("#!csharp\n1 + 2");
        Assert.Equal(3, selector.ReturnValue);
        var fsharp = await kernel.ExecuteCellAsync("#!fsharp\nlet x = 1");
        Assert.False(fsharp.Succeeded);
        Assert.NotNull(fsharp.Failure);
        Assert.Equal(4, (await kernel.ExecuteCellAsync("2 + 2")).ReturnValue);
    }

    /// <summary>#r "nuget:" restores for real: a package made here, in a local source given by #i.</summary>
    [Fact]
    public async Task NugetReferencesRestoreFromALocalSource()
    {
        using var dir = new TempDir();
        var id = "CourseTiny" + Guid.NewGuid().ToString("N")[..8];
        var dll = TinyLibrary.Build(dir.File("build"), id, $"namespace {id}; public static class Answer {{ public static int Get() => 42; }}");
        TinyPackage.Write(dir.File("feed"), id, "1.0.0", dll);
        using var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync($"#i \"nuget: {dir.File("feed")}\"\n#r \"nuget: {id}, 1.0.0\"");
        Assert.True(r.Succeeded, r.Failure + string.Concat(r.Outputs.OfType<StreamOutput>().Select(s => s.Text)));
        var answer = await kernel.ExecuteCellAsync($"{id}.Answer.Get()");
        Assert.Equal(42, answer.ReturnValue);
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

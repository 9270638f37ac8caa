using Course.Notebooks.Cli;

namespace Course.Notebooks.Tests;

public class CommandTests
{
    [Fact]
    public async Task RunExecutesEveryNotebookInNameOrderAndWritesTheArtifacts()
    {
        using var dir = new TempDir();
        TestNotebooks.Write(dir.File("notebooks/01-second.ipynb"), "Environment.GetEnvironmentVariable(\"COURSE_QUICK\")");
        TestNotebooks.Write(dir.File("notebooks/00-first.ipynb"), TestNotebooks.Markdown("# First"), TestNotebooks.Code("Console.WriteLine(\"hi\");"));
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CourseCommand.RunAsync(CourseCommand.Parse(["--notebooks", dir.File("notebooks"), "--out", dir.File("artifacts")]), output, error);

        Assert.True(code == 0, output + "\n" + error);
        var log = output.ToString();
        Assert.True(log.IndexOf("00-first.ipynb", StringComparison.Ordinal) < log.IndexOf("01-second.ipynb", StringComparison.Ordinal), log);
        Assert.Contains("cell 1/1 ok", log);
        Assert.Contains(dir.File("artifacts"), log);
        Assert.True(File.Exists(dir.File("artifacts/course.html")));
        var second = dir.File("artifacts/notebooks/01-second.ipynb");
        Nbformat.AssertValid(second);
        Assert.Contains("\"1\"", File.ReadAllText(second)); // quick mode by default
        Nbformat.AssertValid(dir.File("artifacts/notebooks/00-first.ipynb"));
    }

    [Fact]
    public async Task FullModeOnlyFilterAndFailureExitCode()
    {
        using var dir = new TempDir();
        TestNotebooks.Write(dir.File("notebooks/03-mode.ipynb"), "Environment.GetEnvironmentVariable(\"COURSE_QUICK\")");
        TestNotebooks.Write(dir.File("notebooks/04-broken.ipynb"), "1", "2", "undefinedThing", "4", "5");
        var output = new StringWriter();
        var error = new StringWriter();

        var full = await CourseCommand.RunAsync(CourseCommand.Parse(["--full", "--only", "03", "--notebooks", dir.File("notebooks"), "--out", dir.File("a")]), output, error);
        Assert.Equal(0, full);
        Assert.Contains("\"0\"", File.ReadAllText(dir.File("a/notebooks/03-mode.ipynb")));
        Assert.False(File.Exists(dir.File("a/notebooks/04-broken.ipynb")));

        var broken = await CourseCommand.RunAsync(CourseCommand.Parse(["--notebooks", dir.File("notebooks"), "--out", dir.File("b"), "--only", "04"]), output, error);
        Assert.Equal(1, broken);
        Assert.Contains("04-broken.ipynb: cell 3 (index 2 in the notebook): CompilationError", error.ToString());
        Nbformat.AssertValid(dir.File("b/notebooks/04-broken.ipynb"));
    }

    [Fact]
    public async Task BadUsageIsExitCode2()
    {
        Assert.Equal(2, await CourseCommand.MainAsync(["run", "--bogus"]));
        Assert.Equal(2, await CourseCommand.MainAsync(["frobnicate"]));
        Assert.Throws<ArgumentException>(() => CourseCommand.Parse(["--timeout", "-3"]));
    }
}

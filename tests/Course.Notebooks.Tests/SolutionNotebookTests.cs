using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

/// <summary>
/// Every "Try this" item of a lesson has a worked solution in notebooks/solutions/&lt;lesson&gt;.ipynb (README.md
/// there), one "### Try this N" section per item, and each solution notebook runs in quick mode without an error, so
/// an answer that stops being true (its checks throw) or stops compiling fails here.
/// </summary>
[Collection("course notebooks")]
public class SolutionNotebookTests
{
    /// <summary>Lessons whose Try this items have no worked solutions yet (another change is writing them). Empty
    /// this list as each one gains its notebook: the first test fails for a listed lesson that already has one.</summary>
    internal static readonly string[] LessonsWithoutSolutionsYet = { };

    static string NotebooksFolder => Path.Combine(CourseNotebookTests.RepositoryRoot(), "notebooks");
    static string SolutionPath(string lesson) => Path.Combine(NotebooksFolder, "solutions", lesson + ".ipynb");

    /// <summary>The lessons: every .ipynb directly in notebooks/.</summary>
    static IEnumerable<string> LessonNames() =>
        Directory.GetFiles(NotebooksFolder, "*.ipynb").Select(p => Path.GetFileNameWithoutExtension(p)!).Order();

    public static TheoryData<string> LessonsWithSolutions()
    {
        var data = new TheoryData<string>();
        foreach (var lesson in LessonNames().Where(l => File.Exists(SolutionPath(l)))) data.Add(lesson);
        return data;
    }

    [Fact]
    public void EveryLessonHasSolutionsOrIsListedAsNotYet()
    {
        foreach (var lesson in LessonNames())
        {
            bool has = File.Exists(SolutionPath(lesson)), listed = LessonsWithoutSolutionsYet.Contains(lesson);
            Assert.True(has || listed, $"{lesson}: no notebooks/solutions/{lesson}.ipynb (write one, see its README.md)");
            Assert.False(has && listed, $"{lesson} has solutions now: remove it from {nameof(LessonsWithoutSolutionsYet)}");
        }
        var orphans = Directory.GetFiles(Path.Combine(NotebooksFolder, "solutions"), "*.ipynb")
            .Select(Path.GetFileNameWithoutExtension).Except(LessonNames()).ToList();
        Assert.True(orphans.Count == 0, $"solutions without a lesson: {string.Join(", ", orphans)}");
    }

    /// <summary>The numbered items of the lesson's last "Try this" section.</summary>
    internal static int TryThisItems(NotebookDocument lesson)
    {
        var section = lesson.Cells.OfType<JsonObject>().Where(c => NotebookDocument.CellType(c) == "markdown")
            .Select(NotebookDocument.Source).Last(s => s.Contains("## Try this"));
        var after = section[(section.IndexOf("## Try this", StringComparison.Ordinal))..];
        return Regex.Matches(after, @"^(\d+)\. ", RegexOptions.Multiline).Count;
    }

    /// <summary>The numbers N of the "### Try this N" headings of a solution notebook, each followed by a code cell.</summary>
    internal static List<int> SolvedItems(NotebookDocument solutions)
    {
        var cells = solutions.Cells.OfType<JsonObject>().ToList();
        var solved = new List<int>();
        for (int i = 0; i < cells.Count; i++)
        {
            if (NotebookDocument.CellType(cells[i]) != "markdown") continue;
            var heading = Regex.Match(NotebookDocument.Source(cells[i]), @"^### Try this (\d+)\s*$", RegexOptions.Multiline);
            if (!heading.Success) continue;
            bool hasCode = cells.Skip(i + 1).TakeWhile(c => !Regex.IsMatch(NotebookDocument.Source(c), @"^### Try this", RegexOptions.Multiline))
                .Any(c => NotebookDocument.CellType(c) == "code");
            if (hasCode) solved.Add(int.Parse(heading.Groups[1].Value));
        }
        return solved;
    }

    [Theory]
    [MemberData(nameof(LessonsWithSolutions))]
    public void EveryTryThisItemHasAWorkedSolution(string lesson)
    {
        int items = TryThisItems(NotebookDocument.Load(Path.Combine(NotebooksFolder, lesson + ".ipynb")));
        Assert.True(items > 0, $"{lesson}: no numbered Try this items found");
        var solved = SolvedItems(NotebookDocument.Load(SolutionPath(lesson)));
        Assert.Equal(Enumerable.Range(1, items), solved);
    }

    [Fact]
    public void TheCoverageCheckSeesAMissingSolution()
    {
        JsonObject Markdown(string s) => new() { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = s };
        JsonObject Code(string s) => new() { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["source"] = s, ["outputs"] = new JsonArray() };
        NotebookDocument Doc(params JsonObject[] cells) =>
            NotebookDocument.FromJson("test.ipynb", new JsonObject { ["cells"] = new JsonArray(cells), ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 5 });
        var lesson = Doc(Markdown("intro"), Markdown("## Try this\n\n1. one\n2. two\n   still two\n3. three"));
        Assert.Equal(3, TryThisItems(lesson));
        var complete = Doc(Markdown("### Try this 1"), Code("1"), Markdown("### Try this 2\ntext"), Markdown("more"), Code("2"),
            Markdown("### Try this 3"), Code("3"));
        Assert.Equal(new[] { 1, 2, 3 }, SolvedItems(complete));
        var headingOnly = Doc(Markdown("### Try this 1"), Code("1"), Markdown("### Try this 2"), Markdown("### Try this 3"), Code("3"));
        Assert.Equal(new[] { 1, 3 }, SolvedItems(headingOnly));
    }

    [Theory]
    [MemberData(nameof(LessonsWithSolutions))]
    public async Task SolutionsRunInQuickMode(string lesson)
    {
        Assert.True(File.Exists(Path.Combine(CourseNotebookTests.RepositoryRoot(), "lib", "TorchSharp.dll")),
            "lib/ is missing: build the solution first (dotnet build Course.sln, or ./run-tests.sh)");
        var result = await NotebookRunner.RunAsync(SolutionPath(lesson), new NotebookRunOptions
        {
            Environment = new Dictionary<string, string?> { ["COURSE_QUICK"] = "1" },
            Timeout = TimeSpan.FromMinutes(15),
        });
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Equal(result.CodeCells, result.CellsRun);
        var errors = result.Executed.Cells.OfType<JsonObject>()
            .SelectMany(c => (c["outputs"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            .Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()).ToList();
        Assert.True(errors.Count == 0, $"{lesson} solutions: {string.Join("\n", errors)}");
    }
}

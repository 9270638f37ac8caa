using System.Text.Json.Nodes;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

[CollectionDefinition("course notebooks", DisableParallelization = true)]
public sealed class CourseNotebooksCollection { }

/// <summary>
/// Runs lessons in quick mode, in process as <c>./run-course.sh</c> does, and checks that each executed copy
/// is valid nbformat, has no errors, ends with exercises and holds the pictures the lesson promises
/// (<see cref="JupyterClientTests"/> runs every lesson through a Jupyter client with the same checks).
/// Needs the libraries in lib/ (the solution build puts them there; ./run-tests.sh builds first).
/// </summary>
[Collection("course notebooks")]
public class CourseNotebookTests
{
    /// <summary>For each lesson: (a piece of a code cell's source, a MIME type that cell must output).</summary>
    internal static readonly Dictionary<string, (string Source, string Mime)[]> Promised = new()
    {
        ["00-setup"] = new[] { ("Summary(\"10,000", "image/png"), ("var z = randn(quick", "image/png") },
        ["01-gaussian-noise"] = new[] { ("double mu = 1.0, sigma = 0.5", "image/png"), ("histogram.Interactive()", "text/html"), ("histogram.Interactive()", "image/png"), ("ImageDataset testSet", "image/png") },
        ["02-forward-process"] = new[] { ("var tAxis = Enumerable", "image/png"), ("var four = images.Images[0..4]", "image/gif") },
        ["03-reverse-process"] = new[] { ("var boundFig = new Figure", "image/png") },
        ["04-training-2d"] = new[] { ("long steps = quick ? 3000", "image/png"), ("new Figure(900, 470).Title($\"Samples (colour)", "image/png") },
        ["05-sampling"] = new[] { ("double[] xs = stepCounts", "image/png"), ("int cloud = quick", "image/gif") },
        ["06-images"] = new[] { ("int ddimSteps", "image/png"), ("shownIndices", "image/gif"), ("double[] scales = { 0, 1, 3, 5 }", "image/png") },
        ["07-score-and-langevin"] = new[] { ("var fig = new Figure(560, 540)", "image/png"), ("int[] frameSteps", "image/gif") },
        ["08-diffusion-vs-vae-vs-gan"] = new[] { ("var lossFigure = new Figure", "image/png"), ("var gallery = new Figure", "image/png"), ("var rows = new[] { (\"data\"", "image/png"), ("var coarseToFine", "image/png") },
        ["09-scaling-laws"] = new[] { ("var fig = new Figure(820, 480)", "image/png"), ("var iso = new Figure", "image/png"), ("var lawFig = new Figure", "image/png"), ("var densityFig = new Figure", "image/png") },
        ["10-train-live"] = new[] { ("var g = new Generator(4)", "image/png"), ("var shownProgress", "image/png"), ("Tensor first;", "image/png"), ("var curves = new Figure", "image/png") },
    };

    public static IEnumerable<string> LessonNames => Promised.Keys;

    public static TheoryData<string> Lessons()
    {
        var data = new TheoryData<string>();
        foreach (var name in Promised.Keys) data.Add(name);
        return data;
    }

    /// <summary>The lessons whose runs this test run includes: all, unless <c>COURSE_TEST_LESSONS</c> (for the Japanese
    /// edition <c>COURSE_TEST_JA_LESSONS</c>) names some by number (<c>"06,08"</c>; <c>"none"</c> for none). CI uses it to run each lesson's program once per engine
    /// where it is cheapest (docs/maintaining.md); a developer's <c>./run-tests.sh</c> runs them all.</summary>
    public static TheoryData<string> LessonsToRunHere(IEnumerable<string> lessons, string variable = "COURSE_TEST_LESSONS")
    {
        var chosen = Environment.GetEnvironmentVariable(variable);
        var numbers = string.IsNullOrWhiteSpace(chosen) ? null
            : chosen.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var data = new TheoryData<string>();
        foreach (var name in lessons)
            if (numbers is null || numbers.Contains(name[..2])) data.Add(name);
        if (data.Count == 0) data.Add(NoLessonHere);
        return data;
    }

    /// <summary>The one case a theory gets when <c>COURSE_TEST_LESSONS</c> leaves it no lesson (xunit needs one).</summary>
    internal const string NoLessonHere = "(none chosen here by COURSE_TEST_LESSONS or COURSE_TEST_JA_LESSONS)";

    /// <summary>The lessons the in-process runner (what <c>./run-course.sh</c> uses) runs here: one plain lesson and the
    /// one with an interactive chart. Every lesson runs in the course's kernel through a real Jupyter client in
    /// <see cref="JupyterClientTests"/>, on each engine CI tests, with the same checks; running all of them twice per
    /// engine cost CI about 10 minutes an engine and checked the lessons' code nothing more.</summary>
    public static TheoryData<string> InProcessLessons() => new() { "00-setup", "01-gaussian-noise" };

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Course.sln"))) return dir.FullName;
        throw new InvalidOperationException("Course.sln not found above the test assembly");
    }

    [Fact]
    public void EveryNotebookInTheFolderIsCovered()
    {
        var onDisk = Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.Equal(Promised.Keys.Order(), onDisk);
    }

    /// <summary>The first code cell only loads lib/ and imports until it has asked the engine whether it
    /// can run here: on a machine where lib/ holds a TorchSharp build that cannot load (Debian 12's
    /// libstdc++), the learner's first error is CourseEngine's message with the fix, not TorchSharp's
    /// TypeInitializationException from the first torch call.</summary>
    [Theory]
    [MemberData(nameof(Lessons))]
    public void FirstCellChecksTheEngineBeforeAnyTorchCall(string lesson)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "notebooks", lesson + ".ipynb")))!;
        var firstCode = notebook["cells"]!.AsArray().First(c => (string?)c!["cell_type"] == "code")!;
        var lines = firstCode["source"]!.AsArray().Select(l => ((string)l!).TrimEnd('\n')).ToList();
        // The argument is the language of the library's messages; the Japanese edition has "ja" there (EditionTests).
        var check = lines.IndexOf("Course.Diffusion.CourseEngine.EnsureLoadable(language: \"en\");");
        Assert.True(check > 0, $"{lesson}: the first code cell does not call Course.Diffusion.CourseEngine.EnsureLoadable(language: \"en\")");
        var before = lines.Take(check).Where(l => !(l.StartsWith("#r ") || l.StartsWith("using ") || l.StartsWith("//") || l.Length == 0));
        Assert.Empty(before);
        Assert.Contains("#r \"../lib/TorchSharp.dll\"", lines.Take(check));
    }

    [Theory]
    [MemberData(nameof(InProcessLessons))]
    public async Task LessonRunsInQuickModeAndShowsWhatItPromises(string lesson)
    {
        var root = RepositoryRoot();
        Assert.True(File.Exists(Path.Combine(root, "lib", "TorchSharp.dll")), "lib/ is missing: build the solution first (dotnet build Course.sln, or ./run-tests.sh)");
        var result = await NotebookRunner.RunAsync(Path.Combine(root, "notebooks", lesson + ".ipynb"), new NotebookRunOptions
        {
            Environment = new Dictionary<string, string?> { ["COURSE_QUICK"] = "1" },
            Timeout = TimeSpan.FromMinutes(6),
        });
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Equal(result.CodeCells, result.CellsRun);

        var executedPath = Path.Combine(Path.GetTempPath(), $"course-test-{Environment.ProcessId}-{lesson}.ipynb");
        result.Executed.Save(executedPath);
        try { Nbformat.AssertValid(executedPath); }
        finally { File.Delete(executedPath); }

        AssertShowsWhatItPromises(lesson, result.Executed);
    }

    static string BodyText(JsonNode? body) => body switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.ToString())),
        null => "",
        _ => body.ToString(),
    };

    /// <summary>No error outputs and no empty ones; what a front end shows of each output carries what the
    /// learner needs (<see cref="LessonReadabilityTests.OutputProblems"/>); each promised cell shows its MIME
    /// type; the lesson ends with exercises.</summary>
    internal static void AssertShowsWhatItPromises(string lesson, NotebookDocument executed)
    {
        var cells = executed.Cells.OfType<JsonObject>().ToList();
        var errors = cells.Where(c => NotebookDocument.CellType(c) == "code")
            .SelectMany(c => (c["outputs"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            .Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()).ToList();
        Assert.True(errors.Count == 0, $"{lesson}: error outputs: {string.Join("\n", errors)}");
        // A front end draws an empty body as a broken output (an empty image/png is a broken image).
        var empty = cells.Where(c => NotebookDocument.CellType(c) == "code")
            .SelectMany(c => (c["outputs"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .SelectMany(o => (o["data"] as JsonObject ?? new JsonObject())
                    .Where(kv => BodyText(kv.Value).Trim().Length == 0)
                    .Select(kv => $"{kv.Key} in the cell starting \"{NotebookDocument.Source(c).Split('\n')[0]}\"")))
            .ToList();
        Assert.True(empty.Count == 0, $"{lesson}: empty outputs: {string.Join("; ", empty)}");
        // What a front end shows of each output (its richest type) carries what the learner needs.
        var unseen = LessonReadabilityTests.OutputProblems(executed);
        Assert.True(unseen.Count == 0, $"{lesson}: {string.Join("; ", unseen)}");
        foreach (var (source, mime) in Promised[lesson])
        {
            var cell = cells.SingleOrDefault(c => NotebookDocument.CellType(c) == "code" && NotebookDocument.Source(c).Contains(source));
            Assert.True(cell != null, $"{lesson}: no code cell contains \"{source}\"");
            var mimes = (cell!["outputs"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .SelectMany(o => (o["data"] as JsonObject)?.Select(kv => kv.Key) ?? Enumerable.Empty<string>()).ToList();
            Assert.True(mimes.Contains(mime), $"{lesson}: the cell with \"{source}\" shows [{string.Join(", ", mimes)}], not {mime}");
            if (mime == "text/html")
            {
                // The lessons' HTML outputs are interactive charts, drawn by Plotly.NET's plotly.js call.
                var html = string.Concat((cell["outputs"] as JsonArray)!.OfType<JsonObject>().Select(o => o["data"]?["text/html"]).OfType<JsonArray>().SelectMany(a => a.Select(l => (string?)l)));
                Assert.Contains("Plotly.newPlot", html);
            }
        }
        var last = cells.Last();
        Assert.Equal("markdown", NotebookDocument.CellType(last));
        Assert.Contains("Try this", NotebookDocument.Source(last));
    }
}

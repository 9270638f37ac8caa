using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

/// <summary>
/// Code a learner reads at a glance (DESIGN.md, Notebooks): every code line of every lesson at most
/// <see cref="MaxLineLength"/> characters, every code cell at most <see cref="MaxCellLines"/> lines; and
/// every output of an executed lesson read as a front end reads it (the richest MIME type it can render):
/// no empty body, and a tensor's values in the part the learner sees.
/// </summary>
public class LessonReadabilityTests
{
    public const int MaxLineLength = 100;
    public const int MaxCellLines = 25;

    /// <summary>Lessons whose code is not yet within the limits (another change is bringing them there).
    /// Empty this list as each one fits: the test below fails for a listed lesson that already fits.</summary>
    internal static readonly string[] LessonsNotYetWithinTheCodeLimits = { };

    /// <summary>The order in which a front end (JupyterLab, VS Code, GitHub) picks the MIME type it shows:
    /// the first of these that an output carries.</summary>
    internal static readonly string[] FrontEndPrecedence =
    {
        "text/html", "text/markdown", "text/latex", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/plain",
    };

    /// <summary>Every lesson of every language: the .ipynb files under notebooks/ (not its checkpoints/).</summary>
    public static TheoryData<string> EveryLesson()
    {
        var folder = Path.Combine(CourseNotebookTests.RepositoryRoot(), "notebooks");
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(folder, "*.ipynb", SearchOption.AllDirectories).Order())
        {
            var relative = Path.GetRelativePath(folder, path);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "checkpoints" or ".ipynb_checkpoints")) continue;
            data.Add(relative);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryLesson))]
    public void CodeFitsOnTheScreen(string lesson)
    {
        var notebook = NotebookDocument.Load(Path.Combine(CourseNotebookTests.RepositoryRoot(), "notebooks", lesson));
        var problems = CodeLimitProblems(notebook);
        if (LessonsNotYetWithinTheCodeLimits.Contains(Path.GetFileNameWithoutExtension(lesson)))
            Assert.True(problems.Count > 0, $"{lesson} now fits: remove it from {nameof(LessonsNotYetWithinTheCodeLimits)}");
        else
            Assert.True(problems.Count == 0, $"{lesson}:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void TheCodeLimitsCatchLongLinesAndLongCells()
    {
        var fits = Notebook(Code("var x = 1;\nx"));
        Assert.Empty(CodeLimitProblems(fits));
        var exactly = Notebook(Code(new string('a', MaxLineLength) + "\n" + string.Join("\n", Enumerable.Repeat("b", MaxCellLines - 1))));
        Assert.Empty(CodeLimitProblems(exactly));
        var wide = Notebook(Code("var x = 1;\n" + new string('a', MaxLineLength + 1)));
        Assert.Contains(CodeLimitProblems(wide), p => p.Contains($"{MaxLineLength + 1} characters"));
        var tall = Notebook(Code(string.Join("\n", Enumerable.Repeat("b", MaxCellLines + 1))));
        Assert.Contains(CodeLimitProblems(tall), p => p.Contains($"{MaxCellLines + 1} lines"));
        // Characters, not UTF-16 units or bytes: σ, ₜ and 𝒩 count one each.
        var greek = Notebook(Code(new string('σ', MaxLineLength - 1) + "𝒩"));
        Assert.Empty(CodeLimitProblems(greek));
        // Markdown is prose: its lines wrap.
        Assert.Empty(CodeLimitProblems(Notebook(new JsonObject { ["cell_type"] = "markdown", ["source"] = new string('m', 500) })));
    }

    /// <summary>Each code line longer than the limit, each code cell taller than it.</summary>
    internal static List<string> CodeLimitProblems(NotebookDocument notebook)
    {
        var problems = new List<string>();
        foreach (var cell in notebook.Cells.OfType<JsonObject>().Where(c => NotebookDocument.CellType(c) == "code"))
        {
            var lines = NotebookDocument.Source(cell).TrimEnd('\n').Split('\n');
            var first = lines[0];
            if (lines.Length > MaxCellLines) problems.Add($"the cell starting \"{first}\" has {lines.Length} lines");
            foreach (var line in lines)
            {
                int length = line.TrimEnd('\r').EnumerateRunes().Count();
                if (length > MaxLineLength) problems.Add($"{length} characters in the cell starting \"{first}\": {line}");
            }
        }
        return problems;
    }

    /// <summary>Each output read as a front end reads it: the body of the type it shows is not empty, and when the
    /// output is a tensor (its text/plain is the engine's tensor text), that body shows the tensor's values.</summary>
    internal static List<string> OutputProblems(NotebookDocument executed)
    {
        var problems = new List<string>();
        foreach (var cell in executed.Cells.OfType<JsonObject>().Where(c => NotebookDocument.CellType(c) == "code"))
        {
            var where = $"the cell starting \"{NotebookDocument.Source(cell).Split('\n')[0]}\"";
            foreach (var output in (cell["outputs"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                if (output["data"] is not JsonObject data) continue;
                var shown = FrontEndPrecedence.FirstOrDefault(data.ContainsKey);
                if (shown is null)
                {
                    problems.Add($"{where}: no type a front end shows among [{string.Join(", ", data.Select(kv => kv.Key))}]");
                    continue;
                }
                var body = Body(data[shown]);
                if (body.Trim().Length == 0) { problems.Add($"{where}: the {shown} a front end shows is empty"); continue; }
                var values = TensorValues(Body(data["text/plain"]));
                if (values is null || shown == "text/plain") continue;
                var visible = shown == "text/html" ? VisibleText(body) : "";
                if (!Squeeze(visible).Contains(Squeeze(values)))
                    problems.Add($"{where}: a tensor shown as {shown} without its values ({values.Split('\n')[0]}...)");
            }
        }
        return problems;
    }

    [Fact]
    public void TheOutputCheckReadsWhatAFrontEndShows()
    {
        const string tensorText = "tensor [2, 2], float32, cpu\n[[0.0000, 1.0000],\n [10.0000, 11.0000]]";
        var values = new JsonObject { ["text/plain"] = tensorText };
        Assert.Empty(OutputProblems(Notebook(Code("t", Output(values)))));
        var html = new JsonObject { ["text/html"] = $"<div><pre>{WebUtility.HtmlEncode(tensorText)}</pre><img src=\"x\"/></div>", ["text/plain"] = tensorText };
        Assert.Empty(OutputProblems(Notebook(Code("t", Output(html)))));
        // The issue's case: values in text/plain, a picture in image/png; every front end shows the picture.
        var picture = new JsonObject { ["image/png"] = "iVBORw0KGgo=", ["text/plain"] = tensorText };
        Assert.Contains(OutputProblems(Notebook(Code("t", Output(picture)))), p => p.Contains("without its values"));
        var summaryOnly = new JsonObject { ["text/html"] = "<div><pre>tensor [2, 2], float32, cpu</pre></div>", ["text/plain"] = tensorText };
        Assert.Contains(OutputProblems(Notebook(Code("t", Output(summaryOnly)))), p => p.Contains("without its values"));
        var emptyHtml = new JsonObject { ["text/html"] = "", ["image/png"] = "iVBORw0KGgo=" };
        Assert.Contains(OutputProblems(Notebook(Code("f", Output(emptyHtml)))), p => p.Contains("text/html a front end shows is empty"));
        var figure = new JsonObject { ["image/png"] = "iVBORw0KGgo=", ["text/plain"] = "Figure 600x440" };
        Assert.Empty(OutputProblems(Notebook(Code("f", Output(figure)))));
    }

    /// <summary>The values part of the engine's tensor text (Course.Torch: a "tensor [shape], dtype, device" line,
    /// then the values), or null when the text is not a tensor's.</summary>
    internal static string? TensorValues(string plain)
    {
        var match = Regex.Match(plain, @"^tensor \[[0-9, ]*\], [a-z0-9]+, [a-z0-9:]+(, requires_grad)?\n(?<values>[\s\S]+)$");
        return match.Success ? match.Groups["values"].Value : null;
    }

    static string VisibleText(string html) =>
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, @"<(script|style)[\s\S]*?</\1>", ""), "<[^>]+>", " "));

    static string Squeeze(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    static string Body(JsonNode? body) => body switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.ToString())),
        null => "",
        _ => body.ToString(),
    };

    static JsonObject Code(string source, params JsonObject[] outputs) => new()
    {
        ["cell_type"] = "code", ["source"] = NotebookDocument.Lines(source), ["outputs"] = new JsonArray(outputs.Cast<JsonNode>().ToArray()),
    };

    static JsonObject Output(JsonObject data) => new() { ["output_type"] = "execute_result", ["data"] = data };

    static NotebookDocument Notebook(params JsonObject[] cells) =>
        NotebookDocument.FromJson("test.ipynb", new JsonObject { ["cells"] = new JsonArray(cells.Cast<JsonNode>().ToArray()) });
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Html;

/// <summary>One lesson on the course page: its executed notebook, and how the run went (if known).</summary>
public sealed record CourseLesson(NotebookDocument Notebook, string? ExecutedNotebookHref = null, NotebookRunResult? Run = null);

/// <summary>Settings of the course page.</summary>
public sealed class CoursePageOptions
{
    public string Title { get; init; } = "Diffusion models in C#";

    public string? Subtitle { get; init; }

    /// <summary>Where katex.min.js, katex.min.css and contrib/auto-render.min.js live (a CDN or a local copy).</summary>
    public string KatexBase { get; init; } = "https://cdn.jsdelivr.net/npm/katex@0.16.11/dist/";

    /// <summary>A local plotly.min.js (relative to the page) that the lessons' interactive charts use instead of
    /// their CDN; null: charts load plotly.js from the CDN where there is a network and show their PNG where not.</summary>
    public string? PlotlyScript { get; init; }

    /// <summary>The page's language: "en", or "ja" for the Japanese edition (its own words on the page).</summary>
    public string Language { get; init; } = "en";

    /// <summary>The same course in the other language (its page, relative to this one, and the link's words).</summary>
    public (string Href, string Label)? OtherLanguage { get; init; }

    /// <summary>A glossary (markdown) shown after the lessons, with its own entry in the contents.</summary>
    public (string FileName, string Markdown)? Glossary { get; init; }

    /// <summary>Where a lesson's link leads on this page (another lesson's section, the glossary, the other language's
    /// page), or null to keep it as written.</summary>
    public Func<string, string?>? LinkTarget { get; init; }
}

/// <summary>
/// The whole course on one HTML page: a table of contents, then each notebook in order with its
/// markdown rendered (Markdig, through <see cref="LessonMarkdown"/>), its code, and every output
/// (PNG and HTML inline, text in pre blocks).
/// Maths is rendered by KaTeX in the browser; without it the LaTeX source stays readable.
/// </summary>
public static partial class CoursePage
{
    public static string Render(IReadOnlyList<CourseLesson> lessons, CoursePageOptions? options = null)
    {
        options ??= new CoursePageOptions();
        var usedIds = new HashSet<string>();
        var body = new StringBuilder();
        var toc = new StringBuilder();
        foreach (var lesson in lessons)
        {
            var sectionId = UniqueSectionId(lesson.Notebook.Name, usedIds);
            var (sectionHtml, headings) = RenderLesson(lesson, sectionId, usedIds, options);
            var title = headings.FirstOrDefault(h => h.Level == 1)?.Text ?? lesson.Notebook.Name;
            toc.Append($"<li class=\"toc-lesson\"><a href=\"#{sectionId}\">{Enc(title)}</a>{StatusBadge(lesson.Run)}");
            var sub = headings.Where(h => h.Level == 2).ToList();
            if (sub.Count > 0)
            {
                toc.Append("<ul>");
                foreach (var h in sub) toc.Append($"<li><a href=\"#{h.Id}\">{Enc(h.Text)}</a></li>");
                toc.Append("</ul>");
            }
            toc.Append("</li>\n");
            body.Append(sectionHtml);
        }
        if (options.Glossary is { } glossary)
        {
            usedIds.Add(GlossaryId);
            var (glossaryHtml, glossaryHeadings) = LessonMarkdown.ToHtml(glossary.Markdown, GlossaryId + "-", usedIds, options.LinkTarget);
            var title = glossaryHeadings.FirstOrDefault(h => h.Level == 1)?.Text ?? glossary.FileName;
            toc.Append($"<li class=\"toc-lesson\"><a href=\"#{GlossaryId}\">{Enc(title)}</a></li>\n");
            body.Append($"<section class=\"lesson glossary\" id=\"{GlossaryId}\">\n<div class=\"cell markdown\">\n{glossaryHtml}</div>\n</section>\n");
        }
        var words = PageWords.For(options.Language);
        var switchLink = options.OtherLanguage is { } other
            ? $"<p class=\"language-switch\"><a href=\"{Enc(other.Href)}\" hreflang=\"{(options.Language == "ja" ? "en" : "ja")}\">{Enc(other.Label)}</a></p>"
            : "";

        var page = new StringBuilder();
        page.Append($$"""
            <!DOCTYPE html>
            <html lang="{{options.Language}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Enc(options.Title)}}</title>
            <link rel="stylesheet" href="{{options.KatexBase}}katex.min.css">
            <script defer src="{{options.KatexBase}}katex.min.js"></script>
            <script defer src="{{options.KatexBase}}contrib/auto-render.min.js"></script>
            {{PlotlyHead(options.PlotlyScript)}}
            <style>
            {{Css}}
            </style>
            </head>
            <body>
            <nav id="toc">
            <div class="toc-title"><a href="#top">{{Enc(options.Title)}}</a></div>
            <ol>
            {{toc}}</ol>
            </nav>
            <main id="top">
            <header class="course-header">
            {{switchLink}}
            <h1>{{Enc(options.Title)}}</h1>
            {{(options.Subtitle is null ? "" : $"<p class=\"subtitle\">{Enc(options.Subtitle)}</p>")}}
            <p id="math-note" class="note" hidden>{{words.MathNote}}</p>
            </header>
            {{body}}
            </main>
            <script>
            window.addEventListener("load", function () {
              if (typeof renderMathInElement !== "function") { document.getElementById("math-note").hidden = false; return; }
              renderMathInElement(document.body, {
                delimiters: [
                  { left: "$$", right: "$$", display: true },
                  { left: "\\[", right: "\\]", display: true },
                  { left: "$", right: "$", display: false },
                  { left: "\\(", right: "\\)", display: false }
                ],
                ignoredClasses: ["cell-code", "output"],
                throwOnError: false
              });
            });
            </script>
            </body>
            </html>

            """);
        return page.ToString();
    }

    private static (string Html, IReadOnlyList<Heading> Headings) RenderLesson(CourseLesson lesson, string sectionId, HashSet<string> usedIds,
        CoursePageOptions options)
    {
        var words = PageWords.For(options.Language);
        var html = new StringBuilder();
        var headings = new List<Heading>();
        html.Append($"<section class=\"lesson\" id=\"{sectionId}\">\n");
        html.Append("<div class=\"lesson-meta\">").Append(Enc(Path.GetFileName(lesson.Notebook.Path)));
        if (lesson.ExecutedNotebookHref is { } href) html.Append($" · <a href=\"{Enc(href)}\">{words.ExecutedNotebook}</a>");
        if (lesson.Run is { } run)
        {
            html.Append(" · ").Append(words.CellsRun(run.CellsRun, run.CodeCells, run.Elapsed.TotalSeconds));
            foreach (var failure in run.Failures) html.Append($" · <span class=\"failed\">{words.FailedAt} {Enc(failure.ToString())}</span>");
        }
        html.Append("</div>\n");

        var codeNumber = 0;
        foreach (var cell in lesson.Notebook.Cells.OfType<JsonObject>())
        {
            var source = NotebookDocument.Source(cell);
            switch (NotebookDocument.CellType(cell))
            {
                case "markdown":
                    var (md, found) = LessonMarkdown.ToHtml(source, sectionId + "-", usedIds, options.LinkTarget);
                    headings.AddRange(found);
                    html.Append("<div class=\"cell markdown\">\n").Append(md).Append("</div>\n");
                    break;
                case "code":
                    codeNumber++;
                    var count = cell["execution_count"] is JsonValue v && v.TryGetValue<int>(out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : " ";
                    html.Append("<div class=\"cell code\">\n");
                    html.Append($"<div class=\"prompt\">[{count}]</div>");
                    html.Append("<pre class=\"cell-code\"><code>").Append(CSharpHighlighter.ToHtml(source.TrimEnd())).Append("</code></pre>\n");
                    if (cell["outputs"] is JsonArray { Count: > 0 } outputs)
                    {
                        html.Append("<div class=\"outputs\">\n");
                        foreach (var output in outputs.OfType<JsonObject>()) html.Append(RenderOutput(output));
                        html.Append("</div>\n");
                    }
                    html.Append("</div>\n");
                    break;
                default:
                    html.Append("<pre class=\"raw\">").Append(Enc(source)).Append("</pre>\n");
                    break;
            }
        }
        html.Append("</section>\n");
        return (html.ToString(), headings);
    }

    private static string RenderOutput(JsonObject output)
    {
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                var name = output["name"]?.GetValue<string>() ?? "stdout";
                return $"<pre class=\"output stream {Enc(name)}\">{Enc(StripAnsi(Text(output["text"])))}</pre>\n";
            case "error":
                var traceback = output["traceback"] is JsonArray tb ? string.Join("\n", tb.Select(l => l?.GetValue<string>() ?? "")) : "";
                var head = $"{output["ename"]?.GetValue<string>()}: {output["evalue"]?.GetValue<string>()}";
                return $"<pre class=\"output error\"><strong>{Enc(head)}</strong>\n{Enc(StripAnsi(traceback))}</pre>\n";
            case "execute_result":
            case "display_data":
                return output["data"] is JsonObject data ? RenderData(data) : "";
            default:
                return "";
        }
    }

    /// <summary>Shows the first MIME type of the bundle that a page can show (bundles list the preferred
    /// format first); text/plain only when nothing richer is there.</summary>
    private static string RenderData(JsonObject data)
    {
        foreach (var (mime, value) in data)
        {
            var text = Text(value);
            switch (mime)
            {
                case "image/png" or "image/jpeg" or "image/gif":
                    return $"<div class=\"output image\"><img alt=\"figure\" src=\"data:{mime};base64,{Regex.Replace(text, @"\s", "")}\"></div>\n";
                case "image/svg+xml":
                    return $"<div class=\"output image\">{text}</div>\n";
                case "text/html":
                    return $"<div class=\"output html\">{text}</div>\n";
                case "text/markdown":
                    return $"<div class=\"output markdown\">{LessonMarkdown.ToHtml(text).Html}</div>\n";
            }
        }
        return data["text/plain"] is { } plain ? $"<pre class=\"output result\">{Enc(StripAnsi(Text(plain)))}</pre>\n" : "";
    }

    /// <summary>The charts in executed notebooks ask RequireJS for plotly.js from a CDN, as Plotly.NET.Interactive's
    /// do; with a local copy on the page, their requests are answered with it, so the page works offline.</summary>
    private static string PlotlyHead(string? script) => script is null ? "" : $$"""
        <script src="{{Enc(script)}}" charset="utf-8"></script>
        <script>
        if (window.Plotly && typeof requirejs === "undefined") {
          var answerWithPlotly = function (modules, ready) { ready(window.Plotly); };
          answerWithPlotly.config = function () { return answerWithPlotly; };
          window.requirejs = answerWithPlotly;
        }
        </script>
        """;

    private static string StatusBadge(NotebookRunResult? run) => run switch
    {
        null => "",
        { Succeeded: true } => " <span class=\"badge ok\" title=\"ran without error\">✓</span>",
        _ => " <span class=\"badge failed\" title=\"a cell failed\">✗</span>",
    };

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => "",
        _ => node.ToJsonString(),
    };

    /// <summary>The glossary's section id; a lesson's link to the glossary file leads there.</summary>
    public const string GlossaryId = "glossary";

    /// <summary>The section id a lesson gets on the page (the first lesson of that name).</summary>
    public static string SectionId(string lessonName) => "nb-" + Regex.Replace(lessonName.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    private static string UniqueSectionId(string name, HashSet<string> used)
    {
        var slug = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        var id = "nb-" + slug;
        for (var k = 2; !used.Add(id); k++) id = $"nb-{slug}-{k}";
        return id;
    }

    private static string StripAnsi(string s) => Ansi().Replace(s, "");

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The page's own words in its language.</summary>
    private sealed record PageWords(string ExecutedNotebook, string FailedAt, string MathNote, Func<int, int, double, string> CellsRun)
    {
        static readonly PageWords English = new("executed notebook", "failed at",
            "The maths is shown as LaTeX source: KaTeX could not be loaded (no network?).\n" +
            "Open this page online, or put KaTeX next to it (<code>npm install katex</code> before running the course).",
            (run, total, seconds) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run}/{total} code cells in {seconds:0.0} s"));

        static readonly PageWords Japanese = new("実行済みのノートブック", "失敗:",
            "数式を LaTeX のまま表示しています: KaTeX を読み込めませんでした（ネットワークがない？）。\n" +
            "このページをオンラインで開くか、KaTeX を隣に置いてください（講座を実行する前に <code>npm install katex</code>）。",
            (run, total, seconds) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"コードセル {run}/{total}、{seconds:0.0} 秒"));

        public static PageWords For(string language) => language == "ja" ? Japanese : English;
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    private const string Css = """
        :root { --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --panel: #f6f8fa; --border: #d0d7de; --accent: #5b3cc4; --ok: #1a7f37; --bad: #cf222e; }
        * { box-sizing: border-box; }
        html { scroll-behavior: smooth; }
        body { margin: 0; color: var(--fg); background: var(--bg); font: 16px/1.6 -apple-system, "Segoe UI", system-ui, Roboto, "Helvetica Neue", Arial, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo, sans-serif; }
        .language-switch { float: right; margin: .6rem 0 0 1rem; font-size: 14px; }
        a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
        #toc { position: fixed; top: 0; left: 0; bottom: 0; width: 290px; overflow-y: auto; padding: 1.2rem 1rem; background: var(--panel); border-right: 1px solid var(--border); font-size: 14px; }
        #toc .toc-title { font-weight: 700; font-size: 16px; margin-bottom: .8rem; }
        #toc ol { padding-left: 1.2rem; margin: 0; } #toc ul { padding-left: 1rem; margin: .2rem 0 .5rem; list-style: none; }
        #toc li { margin: .15rem 0; } #toc .toc-lesson > a { font-weight: 600; } #toc ul a { color: var(--muted); }
        main { margin-left: 290px; padding: 2rem 3rem 6rem; max-width: 1100px; }
        .course-header { border-bottom: 2px solid var(--border); margin-bottom: 2rem; }
        .course-header h1 { font-size: 2.2rem; margin: 0 0 .3rem; } .subtitle { color: var(--muted); margin-top: 0; }
        .note { background: #fff8c5; border: 1px solid #d4a72c; padding: .6rem .9rem; border-radius: 6px; font-size: 14px; }
        .lesson { padding-top: 1rem; margin-bottom: 4rem; border-top: 1px solid var(--border); }
        .course-header + .lesson { border-top: none; padding-top: 0; }
        .lesson-meta { color: var(--muted); font-size: 13px; margin-bottom: .5rem; } .failed { color: var(--bad); font-weight: 600; }
        .badge.ok { color: var(--ok); } .badge.failed { color: var(--bad); }
        h1, h2, h3, h4 { line-height: 1.25; scroll-margin-top: 1rem; } h2 { margin-top: 2rem; padding-bottom: .2rem; border-bottom: 1px solid var(--border); }
        .cell { margin: .8rem 0; } .cell.code { position: relative; }
        .prompt { position: absolute; left: -3.2rem; top: .55rem; width: 3rem; text-align: right; color: var(--muted); font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13.5px; }
        :not(pre) > code { background: var(--panel); padding: .1em .35em; border-radius: 4px; }
        pre { margin: 0; padding: .7rem .9rem; overflow-x: auto; border-radius: 6px; }
        pre.cell-code { background: var(--panel); border: 1px solid var(--border); border-left: 3px solid var(--accent); }
        .markdown pre { background: var(--panel); border: 1px solid var(--border); }
        .outputs { border-left: 3px solid var(--border); margin: .3rem 0 0; padding-left: .6rem; }
        .output { margin: .3rem 0; } pre.output { background: transparent; padding: .3rem .2rem; white-space: pre-wrap; }
        pre.stderr { background: #fff5f5; } pre.error { background: #ffebe9; color: #82071e; border: 1px solid #ff818266; }
        .output.image img { max-width: 100%; height: auto; image-rendering: auto; }
        .output.html { overflow-x: auto; }
        .span, .k { color: #cf222e; } .t { color: #953800; } .s { color: #0a3069; } .c { color: #6e7781; font-style: italic; } .n { color: #0550ae; } .d { color: #8250df; }
        table { border-collapse: collapse; margin: .8rem 0; } th, td { border: 1px solid var(--border); padding: .3rem .7rem; } th { background: var(--panel); }
        blockquote { margin: .8rem 0; padding: .1rem 1rem; border-left: 4px solid var(--accent); background: #f5f3ff; color: #3b2a7a; }
        div.math, span.math.display { display: block; overflow-x: auto; margin: .8rem 0; text-align: center; }
        img { max-width: 100%; }
        @media (max-width: 900px) { #toc { position: static; width: auto; border-right: none; border-bottom: 1px solid var(--border); } main { margin-left: 0; padding: 1rem; } .prompt { display: none; } }
        @media print { #toc { display: none; } main { margin-left: 0; } }
        """;
}

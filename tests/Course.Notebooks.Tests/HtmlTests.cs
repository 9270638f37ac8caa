using Course.Notebooks.Html;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

public class MarkdownTests
{
    private static string Html(string md) => Markdown.ToHtml(md).Html;

    [Fact]
    public void HeadingsParagraphsAndEmphasis()
    {
        var (html, headings) = Markdown.ToHtml("# The forward process\nNoise is **added** step by *step*.\n\n## Closed form", "nb-02-");
        Assert.Contains("<h1 id=\"nb-02-the-forward-process\">The forward process</h1>", html);
        Assert.Contains("<p>Noise is <strong>added</strong> step by <em>step</em>.</p>", html);
        Assert.Equal([(1, "The forward process"), (2, "Closed form")], headings.Select(h => (h.Level, h.Text)));
    }

    [Fact]
    public void MathIsLeftForKatexAndNotMangledByEmphasis()
    {
        var html = Html("Sample $x_t = \\sqrt{\\bar\\alpha_t} x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon$ with *care*, and $a < b$.\n\n$$\nL_{simple} = \\mathbb{E}\\|\\epsilon - \\epsilon_\\theta\\|^2\n$$");
        Assert.Contains("$x_t = \\sqrt{\\bar\\alpha_t} x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon$", html);
        Assert.Contains("$a &lt; b$", html);
        Assert.Contains("<em>care</em>", html);
        Assert.Contains("<div class=\"math-display\">$$\nL_{simple} = \\mathbb{E}\\|\\epsilon - \\epsilon_\\theta\\|^2\n$$</div>", html);
    }

    [Fact]
    public void ListsCodeLinksAndTables()
    {
        var html = Html("Try this:\n- change `beta_1`\n- read [the paper](https://arxiv.org/abs/2006.11239)\n  - nested item\n\n1. one\n2. two\n\n```csharp\nvar x = a < b;\n```\n\n| t | beta |\n|---|---:|\n| 1 | 1e-4 |");
        Assert.Contains("<ul>\n<li>change <code>beta_1</code></li>", html);
        Assert.True(html.Contains("<a href=\"https://arxiv.org/abs/2006.11239\">the paper</a><ul>\n<li>nested item</li>\n</ul>"), html);
        Assert.Contains("<ol>\n<li>one</li>\n<li>two</li>\n</ol>", html);
        Assert.Contains("<pre class=\"md-code\"><code class=\"language-csharp\">var x = a &lt; b;</code></pre>", html);
        Assert.Contains("<th style=\"text-align:right\">beta</th>", html);
        Assert.Contains("<td>1</td><td style=\"text-align:right\">1e-4</td>", html);
    }

    [Fact]
    public void HtmlIsEscapedOutsideRawTags()
    {
        Assert.Contains("<p>List&lt;int&gt; and <br> &amp;</p>", Html("List<int> and <br> &"));
    }
}

public class CoursePageTests
{
    [Fact]
    public async Task TheCoursePageHasATableOfContentsMarkdownCodeAndOutputs()
    {
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("02-forward.ipynb"),
            TestNotebooks.Markdown("# The forward process\nIntro with $\\beta_t$.\n\n## Schedules"),
            TestNotebooks.Code($"#r \"{typeof(Picture).Assembly.Location}\"\nusing Course.Notebooks.Tests;\nConsole.WriteLine(\"<stdout>\");"),
            TestNotebooks.Code("display(new Picture(\"grid\"));\n\"done\""),
            TestNotebooks.Code("throw new Exception(\"bad <thing>\");"));
        var run = await NotebookRunner.RunAsync(path);
        var html = CoursePage.Render([new CourseLesson(run.Executed, "notebooks/02-forward.ipynb", run)], new CoursePageOptions { Title = "Test course" });

        Assert.Contains("<title>Test course</title>", html);
        Assert.Contains("<a href=\"#nb-02-forward\">The forward process</a>", html);
        Assert.Contains("<a href=\"#nb-02-forward-schedules\">Schedules</a>", html);
        Assert.Contains("Intro with $\\beta_t$.", html);
        Assert.Contains("<span class=\"k\">using</span>", html);
        Assert.Contains("&lt;stdout&gt;", html);
        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(new Picture("x").Png)}\"", html);
        Assert.Contains("<pre class=\"output result\">done</pre>", html);
        Assert.Contains("Exception: bad &lt;thing&gt;", html);
        Assert.Contains("failed at cell 3 (index 3 in the notebook)", html);
        Assert.Contains("renderMathInElement", html);
    }
}

using Course.Notebooks.Html;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Tests;

public class MarkdownTests
{
    private static string Html(string md) => LessonMarkdown.ToHtml(md).Html;

    [Fact]
    public void HeadingsParagraphsAndEmphasis()
    {
        var (html, headings) = LessonMarkdown.ToHtml("# The forward process\nNoise is **added** step by *step*.\n\n## Closed form $q(x_t)$", "nb-02-");
        Assert.Contains("<h1 id=\"nb-02-the-forward-process\">The forward process</h1>", html);
        Assert.Contains("<p>Noise is <strong>added</strong> step by <em>step</em>.</p>", html);
        Assert.Contains("<h2 id=\"nb-02-closed-form-q-x-t\">Closed form <span class=\"math\">\\(q(x_t)\\)</span></h2>", html);
        // the contents keep the maths as LaTeX, for KaTeX to render there too
        Assert.Equal([(1, "The forward process"), (2, "Closed form $q(x_t)$")], headings.Select(h => (h.Level, h.Text)));
    }

    [Fact]
    public void HeadingIdsStayUniqueAcrossCalls()
    {
        var used = new HashSet<string>();
        var first = LessonMarkdown.ToHtml("## Try this", "nb-", used).Headings.Single().Id;
        var second = LessonMarkdown.ToHtml("## Try this", "nb-", used).Headings.Single().Id;
        Assert.Equal(("nb-try-this", "nb-try-this-2"), (first, second));
    }

    [Fact]
    public void MathIsLeftForKatexAndNotMangledByEmphasis()
    {
        // Each of these would lose characters to Markdown emphasis or escapes if it were read as text:
        // * and _ pair up across the maths, \| and \, are backslash escapes of Markdown.
        var html = Html("Products $a_1 * b_2$ and $c_1 * d_2$, subscripts $x_1$ and $y_1$, a norm $\\|x\\|$,\n"
            + "a sum $\\sqrt{1-\\bar\\alpha_t}\\,\\epsilon$ with *care*, and $a < b$.\n\n"
            + "$$\nL_{simple} = \\mathbb{E}\\|\\epsilon - \\epsilon_\\theta\\|^2\n$$\n\n"
            + "The closed form\n$$x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon$$\nholds for every $t$.");
        Assert.Contains("<span class=\"math\">\\(a_1 * b_2\\)</span> and <span class=\"math\">\\(c_1 * d_2\\)</span>", html);
        Assert.Contains("<span class=\"math\">\\(x_1\\)</span> and <span class=\"math\">\\(y_1\\)</span>", html);
        Assert.Contains("<span class=\"math\">\\(\\|x\\|\\)</span>", html);
        Assert.Contains("<span class=\"math\">\\(\\sqrt{1-\\bar\\alpha_t}\\,\\epsilon\\)</span> with <em>care</em>", html);
        Assert.Contains("<span class=\"math\">\\(a &lt; b\\)</span>", html);
        Assert.DoesNotContain("<em>", html.Replace("<em>care</em>", ""));
        // a $$ block of its own, and $$...$$ inside a paragraph (how most lessons write display maths), are both display maths
        Assert.Contains("<div class=\"math\">\n\\[\nL_{simple} = \\mathbb{E}\\|\\epsilon - \\epsilon_\\theta\\|^2\n\\]</div>", html);
        Assert.Contains("The closed form\n<span class=\"math display\">\\[x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon\\]</span>\nholds", html);
    }

    [Fact]
    public void ListsCodeLinksAndTables()
    {
        var html = Html("Try this:\n- change `beta_1`\n- read [the paper](https://arxiv.org/abs/2006.11239)\n  - nested item\n\n1. one\n2. two\n\n```csharp\nvar x = a < b;\n```\n\n| t | beta | $\\bar\\alpha_t$ |\n|---|---:|:-:|\n| 1 | 1e-4 | $0.9999$ |");
        Assert.Contains("<ul>\n<li>change <code>beta_1</code></li>", html);
        Assert.Contains("<li>read <a href=\"https://arxiv.org/abs/2006.11239\">the paper</a>\n<ul>\n<li>nested item</li>\n</ul>\n</li>", html);
        Assert.Contains("<ol>\n<li>one</li>\n<li>two</li>\n</ol>", html);
        Assert.Contains("<pre><code class=\"language-csharp\">var x = a &lt; b;\n</code></pre>", html);
        Assert.Contains("<th style=\"text-align: right;\">beta</th>", html);
        Assert.Contains("<th style=\"text-align: center;\"><span class=\"math\">\\(\\bar\\alpha_t\\)</span></th>", html);
        Assert.Contains("<td style=\"text-align: right;\">1e-4</td>", html);
    }

    [Fact]
    public void TextIsEscapedAndRawHtmlPassesAsCommonMarkSays()
    {
        Assert.Contains("<p>a &lt; b &amp; c, <br /> <sub>2</sub> and <img src=\"x.png\" alt=\"a picture\" /></p>",
            Html("a < b & c, <br /> <sub>2</sub> and ![a picture](x.png)"));
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
        Assert.Contains("Intro with <span class=\"math\">\\(\\beta_t\\)</span>.", html);
        Assert.Contains("<span class=\"k\">using</span>", html);
        Assert.Contains("&lt;stdout&gt;", html);
        Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(new Picture("x").Png)}\"", html);
        Assert.Contains("<pre class=\"output result\">done</pre>", html);
        Assert.Contains("Exception: bad &lt;thing&gt;", html);
        Assert.Contains("failed at cell 3 (index 3 in the notebook)", html);
        Assert.Contains("renderMathInElement", html);
    }
}

/// <summary>A chart a lesson shows (a Figure of lines, run in the real kernel) is interactive on the course page:
/// headless Chromium draws it with the plotly.js the page carries, offline, in place of its PNG.</summary>
public class CoursePageChartTests
{
    [Fact]
    public void PlotlyJsIsReadFromThePlotlyNetAssemblyInLib()
    {
        var lib = Path.Combine(CourseNotebookTests.RepositoryRoot(), "lib", "Plotly.NET.dll");
        Assert.True(File.Exists(lib), "lib/ is missing: build the solution first (dotnet build Course.sln, or ./run-tests.sh)");
        var script = System.Text.Encoding.UTF8.GetString(PlotlyScript.ReadFrom(lib)!);
        Assert.StartsWith("/**\n* plotly.js v2.", script);
        Assert.True(script.Length > 1_000_000, $"plotly.min.js is only {script.Length} characters");
    }

    [Fact]
    public async Task AChartFromTheKernelDrawsOnTheCoursePageOffline()
    {
        var chromium = new[] { "chromium", "chromium-browser" }
            .Select(n => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, n)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null) ?? throw new InvalidOperationException("chromium is not installed: apt-get install -y chromium");
        var root = CourseNotebookTests.RepositoryRoot();
        using var dir = new TempDir();
        var path = TestNotebooks.Write(dir.File("chart.ipynb"),
            TestNotebooks.Code($"#r \"{Path.Combine(root, "lib", "Course.Visuals.dll")}\"\nusing Course.Visuals;"),
            TestNotebooks.Code("new Figure(500, 300).Line(new[] { 0.0, 1, 4, 9 }, name: \"loss\").XLabel(\"step\")"));
        var run = await NotebookRunner.RunAsync(path);
        Assert.True(run.Succeeded, string.Join("\n", run.Failures));
        var plotly = PlotlyScript.CopyNextTo(dir.Path, Path.Combine(root, "notebooks"));
        Assert.Equal("plotly/plotly.min.js", plotly);
        var page = dir.File("course.html");
        File.WriteAllText(page, CoursePage.Render([new CourseLesson(run.Executed)], new CoursePageOptions { PlotlyScript = plotly }));

        var start = new System.Diagnostics.ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                $"--user-data-dir={dir.File("profile")}", "--virtual-time-budget=10000", "--dump-dom", new Uri(page).AbsoluteUri },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Contains("class=\"course-chart\"", dom);
        Assert.Contains("class=\"main-svg\"", dom);                    // plotly.js drew the chart
        Assert.DoesNotContain("<img", dom);                            // and it took the PNG's place
    }
}

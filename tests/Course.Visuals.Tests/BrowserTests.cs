using System.Net;
using System.Net.Sockets;

namespace Course.Visuals.Tests;

/// <summary>Headless Chromium draws what we emit: interactive plotly.js served locally, and static SVG.</summary>
public class BrowserTests
{
    private static string RequireChromium() =>
        Tools.Chromium() ?? throw new InvalidOperationException("chromium is not installed: apt-get install -y chromium");

    /// <summary>Plotly.NET's own plotly.min.js, next to a page that loads it by URL.</summary>
    private static void WritePlotlyJs(string dir) => PlotlyJs.WriteScript(Path.Combine(dir, "plotly.min.js"));

    // Pixel census of a screenshot: fraction of non-white pixels and of pixels near a given colour.
    private const string Census = """
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert('RGB')
r0, g0, b0 = int(sys.argv[2][1:3], 16), int(sys.argv[2][3:5], 16), int(sys.argv[2][5:7], 16)
px = list(im.getdata())
nonwhite = sum(1 for (r, g, b) in px if r < 245 or g < 245 or b < 245)
near = sum(1 for (r, g, b) in px if abs(r - r0) < 40 and abs(g - g0) < 40 and abs(b - b0) < 40)
print(len(px), nonwhite, near)
""";

    private static (double NonWhite, int Near) Analyse(string png, string color)
    {
        var parts = Tools.Py(Census, png, color).Trim().Split(' ').Select(long.Parse).ToArray();
        return (parts[1] / (double)parts[0], (int)parts[2]);
    }

    private static Figure Sample() => new Figure(640, 420).Title("browser check")
        .Line(Values.Linspace(0, 10, 50), Values.Linspace(0, 10, 50).Data.Select(Math.Sin).ToArray(), name: "sin", color: "#d62728", width: 4)
        .Scatter(new[] { 2.0, 5, 8 }, new[] { 0.5, -0.5, 0.5 }, name: "points", color: "#1f3fbf", size: 14);

    /// <summary>Serves one folder over HTTP on 127.0.0.1 until disposed.</summary>
    private sealed class LocalServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        public string Url { get; }

        public LocalServer(string root)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); } catch { return; }
                    var path = Path.Combine(root, Uri.UnescapeDataString(ctx.Request.Url!.AbsolutePath.TrimStart('/')));
                    if (File.Exists(path))
                    {
                        ctx.Response.ContentType = path.EndsWith(".js") ? "text/javascript" : path.EndsWith(".svg") ? "image/svg+xml" : "text/html; charset=utf-8";
                        var bytes = await File.ReadAllBytesAsync(path);
                        await ctx.Response.OutputStream.WriteAsync(bytes);
                    }
                    else ctx.Response.StatusCode = 404;
                    ctx.Response.Close();
                }
            });
        }

        public void Dispose() => _listener.Stop();
    }

    [Fact]
    public void Interactive_figure_served_locally_draws_in_headless_chromium()
    {
        RequireChromium();
        var dir = Tools.TempDir("browser-served");
        WritePlotlyJs(dir);
        File.WriteAllText(Path.Combine(dir, "index.html"), Sample().ToHtmlPage(PlotlyOptions.FromUrl("plotly.min.js")));
        using var server = new LocalServer(dir);
        var shot = Path.Combine(dir, "shot.png");
        Tools.Screenshot(server.Url + "index.html", shot, 700, 480);
        var (nonWhite, redPixels) = Analyse(shot, "#d62728");
        Assert.True(nonWhite > 0.01, $"screenshot is blank ({nonWhite:P2} non-white)");
        Assert.True(redPixels > 300, $"the red line was not drawn ({redPixels} red pixels)");
        var (_, bluePixels) = Analyse(shot, "#1f3fbf");
        Assert.True(bluePixels > 150, $"the markers were not drawn ({bluePixels} blue pixels)");
    }

    [Fact]
    public void Offline_page_with_inlined_plotly_draws_without_a_server()
    {
        RequireChromium();
        var dir = Tools.TempDir("browser-inline");
        var page = Path.Combine(dir, "inline.html");
        File.WriteAllText(page, Sample().ToHtmlPage(PlotlyOptions.Offline));
        var shot = Path.Combine(dir, "shot.png");
        Tools.Screenshot(new Uri(page).AbsoluteUri, shot, 700, 480);
        var (_, redPixels) = Analyse(shot, "#d62728");
        Assert.True(redPixels > 300, $"the red line was not drawn ({redPixels} red pixels)");
    }

    private static string DumpDom(string url) => Tools.Run(RequireChromium(), new[]
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage",
        $"--user-data-dir={Tools.TempDir("chromium-profile")}", "--virtual-time-budget=8000", "--dump-dom", url,
    }).Item2;

    /// <summary>A chart in a notebook (what the formatter writes as text/html) draws with plotly.js and takes its
    /// picture's place; where plotly.js never arrives (no network, no script) the picture stays.</summary>
    [Fact]
    public void Notebook_chart_draws_where_plotly_loads_and_keeps_its_png_where_it_does_not()
    {
        RequireChromium();
        var dir = Tools.TempDir("browser-chart");
        static string Page(string body) => $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>";
        PlotlyJs.ResetInlineInclusion();
        var drawn = Path.Combine(dir, "drawn.html");
        File.WriteAllText(drawn, Page(Course.Visuals.Display.VisualsFormatterSource.ChartHtml(Sample(), PlotlyOptions.Offline)));
        var missing = Path.Combine(dir, "no-plotly.html");
        File.WriteAllText(missing, Page(Course.Visuals.Display.VisualsFormatterSource.ChartHtml(Sample(), PlotlyOptions.FromUrl("missing/plotly.min.js"))));

        var dom = DumpDom(new Uri(drawn).AbsoluteUri);
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.DoesNotContain("<img", dom);
        var shot = Path.Combine(dir, "drawn.png");
        Tools.Screenshot(new Uri(drawn).AbsoluteUri, shot, 700, 480);
        Assert.True(Analyse(shot, "#d62728").Near > 300, "the red line was not drawn");

        dom = DumpDom(new Uri(missing).AbsoluteUri);
        Assert.DoesNotContain("class=\"main-svg\"", dom);
        Assert.Contains("<img src=\"data:image/png;base64,", dom);
        shot = Path.Combine(dir, "no-plotly.png");
        Tools.Screenshot(new Uri(missing).AbsoluteUri, shot, 700, 480);
        Assert.True(Analyse(shot, "#d62728").Near > 300, "the picture of the red line is not shown");
    }

    [Fact]
    public void Interactive_animation_with_slider_draws()
    {
        RequireChromium();
        var dir = Tools.TempDir("browser-anim");
        WritePlotlyJs(dir);
        var anim = Animation.Of(new[] { 1, 2, 3 }, k => new Figure(600, 440).Scatter(new[] { 0.0, 1, 2 }, new[] { 0.0, k, 0 }, color: "#d62728", size: 16), "t", cancellationToken: TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(dir, "index.html"), anim.ToHtmlPage(PlotlyOptions.FromUrl("plotly.min.js")));
        using var server = new LocalServer(dir);
        var shot = Path.Combine(dir, "shot.png");
        Tools.Screenshot(server.Url + "index.html", shot, 660, 500);
        var (_, red) = Analyse(shot, "#d62728");
        Assert.True(red > 300, $"the markers were not drawn ({red} red pixels)");

        // plotly.js took the frames from the figure object (Plotly.NET's GenericChart has none)
        File.AppendAllText(Path.Combine(dir, "index.html"), """
            <script>setTimeout(function () {
              var gd = document.querySelector('.js-plotly-plot');
              document.body.setAttribute('data-frames', gd && gd._transitionData ? gd._transitionData._frames.length : -1);
            }, 1500);</script>
            """);
        var (_, dom, _) = Tools.Run(RequireChromium(), new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage",
            $"--user-data-dir={Tools.TempDir("chromium-profile")}", "--virtual-time-budget=8000", "--dump-dom", server.Url + "index.html",
        });
        Assert.Contains("data-frames=\"3\"", dom);
    }

    [Fact]
    public void Static_svg_renders_in_chromium_like_our_png()
    {
        RequireChromium();
        var dir = Tools.TempDir("browser-svg");
        var fig = Sample();
        var svg = Path.Combine(dir, "fig.svg");
        fig.Save(svg);
        var shot = Path.Combine(dir, "shot.png");
        Tools.Screenshot(new Uri(svg).AbsoluteUri, shot, 640, 420);
        var (nonWhite, red) = Analyse(shot, "#d62728");
        Assert.True(nonWhite > 0.01, $"SVG screenshot is blank ({nonWhite:P2} non-white)");
        // the browser's drawing of the SVG and our rasterizer put about as much red on the page
        var ours = Path.Combine(dir, "ours.png");
        fig.Save(ours);
        var (_, redOurs) = Analyse(ours, "#d62728");
        Assert.True(red > 300 && Math.Abs(red - redOurs) < 0.35 * redOurs, $"browser {red} vs rasterizer {redOurs} red pixels");
    }
}

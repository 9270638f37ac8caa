using System.Net;

namespace Course.Visuals.Display;

/// <summary>Anything that draws itself: figures, animations, images, progress and tensor summaries.</summary>
public interface IVisual
{
    /// <summary>The static picture.</summary>
    RgbaImage Render(double scale = 1);
    string ToSvg();
    /// <summary>Interactive HTML (plotly.js where it applies, otherwise the picture).</summary>
    string ToPlotlyHtml(PlotlyOptions? options = null);
    void Save(string path, double scale = 1);
}

/// <summary>The formatters the kernel finds through <see cref="TypeFormatterSourceAttribute"/>:
/// image/png (base64 PNG text), text/html, image/gif for animations, text/plain.</summary>
/// <remarks>A figure shows as text/html and image/png. Its HTML is an interactive Plotly.NET chart when the figure
/// is a chart (<see cref="Figure.IsChart"/>), otherwise its picture. The kernel asks for a type's MIME types, not
/// an instance's, so a picture's HTML carries its PNG a second time; a chart's HTML carries the PNG too, shown
/// until plotly.js has drawn the chart, so front ends that run no script (GitHub, a page opened offline) still
/// show the figure.</remarks>
public sealed class VisualsFormatterSource
{
    /// <summary>Resolution multiplier of notebook PNGs (1 keeps outputs small; 2 is sharper on high-DPI screens).</summary>
    public static double PngScale { get; set; } = 1;

    /// <summary>Whether charts (<see cref="Figure.IsChart"/>) show as interactive Plotly.NET charts in a notebook;
    /// false shows every figure as its picture (<see cref="Figure.Interactive"/> still gives the chart).</summary>
    public static bool InteractiveCharts { get; set; } = true;

    public IEnumerable<object> CreateTypeFormatters()
    {
        foreach (var type in new[] { typeof(Figure), typeof(TrainingProgress), typeof(TensorSummary), typeof(RgbaImageView) })
        {
            yield return new VisualFormatter(type, "image/png", (o, w) => { w.Write(Convert.ToBase64String(((IVisual)o).Render(PngScale).ToPng())); return true; });
            yield return new VisualFormatter(type, "text/html", (o, w) =>
            {
                w.Write(o is Figure { IsChart: true } chart && InteractiveCharts ? ChartHtml(chart, null)
                    : ImgTag(((IVisual)o).Render(PngScale).ToPng(), "image/png", PngScale));
                return true;
            });
            yield return new VisualFormatter(type, "text/plain", (o, w) => { w.Write(o.ToString()); return true; });
        }
        yield return new VisualFormatter(typeof(InteractiveView), "text/html", (o, w) => { w.Write(ChartHtml((InteractiveView)o, null)); return true; });
        yield return new VisualFormatter(typeof(InteractiveView), "image/png", (o, w) => { w.Write(Convert.ToBase64String(((InteractiveView)o).Render(PngScale).ToPng())); return true; });
        yield return new VisualFormatter(typeof(Animation), "image/gif", (o, w) => { w.Write(Convert.ToBase64String(((Animation)o).ToGif())); return true; });
        yield return new VisualFormatter(typeof(Animation), "image/png", (o, w) => { w.Write(Convert.ToBase64String(((Animation)o).Render(PngScale).ToPng())); return true; });
        yield return new VisualFormatter(typeof(Animation), "text/html", (o, w) => { w.Write(((Animation)o).ToPlotlyHtml()); return true; });
        yield return new VisualFormatter(typeof(Animation), "text/plain", (o, w) => { w.Write(o.ToString()); return true; });
    }

    internal static string ImgTag(byte[] data, string mime, double scale = 1)
    {
        string size = "";
        if (scale != 1 && mime == "image/png" && data.Length > 24)
        {
            int width = data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19];
            size = $" width=\"{(int)Math.Round(width / scale)}\"";
        }
        return $"<img src=\"data:{mime};base64,{Convert.ToBase64String(data)}\"{size} alt=\"figure\" style=\"max-width:100%\"/>";
    }

    internal static string Escape(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The figure's PNG, then its Plotly.NET chart, hidden until plotly.js has drawn it; then the
    /// chart takes the picture's place. Where plotly.js never loads (no script, no network) the picture stays.</summary>
    internal static string ChartHtml(IVisual visual, PlotlyOptions? options)
    {
        var id = "course-chart-" + Guid.NewGuid().ToString("N");
        var picture = ImgTag(visual.Render(PngScale).ToPng(), "image/png", PngScale);
        return $"<div class=\"course-chart\">{picture}<div id=\"{id}\" style=\"position:absolute;visibility:hidden\">"
            + visual.ToPlotlyHtml(options) + "</div>\n<script type=\"text/javascript\">(function () {\n"
            + $"  var live = document.getElementById(\"{id}\"), tries = 0;\n"
            + "  var timer = setInterval(function () {\n"
            + "    if (live.querySelector(\".main-svg\")) {\n"
            + "      live.style.position = \"\"; live.style.visibility = \"\";\n"
            + "      if (live.previousElementSibling) live.previousElementSibling.remove();\n"
            + "      clearInterval(timer);\n"
            + "    } else if (++tries > 600) clearInterval(timer);\n"
            + "  }, 100);\n})();</script></div>";
    }
}

/// <summary>A figure that a notebook shows as interactive plotly.js (with a PNG alongside for viewers without JavaScript).</summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "text/html", "image/png" })]
public sealed class InteractiveView : IVisual
{
    private readonly IVisual _inner;
    private readonly PlotlyOptions? _options;

    internal InteractiveView(IVisual inner, PlotlyOptions? options) { _inner = inner; _options = options; }

    public RgbaImage Render(double scale = 1) => _inner.Render(scale);
    public string ToSvg() => _inner.ToSvg();
    public string ToPlotlyHtml(PlotlyOptions? options = null) => _inner.ToPlotlyHtml(options ?? _options);
    public void Save(string path, double scale = 1) => _inner.Save(path, scale);
    public override string ToString() => _inner.ToString() ?? "";
}

/// <summary>Shows a raw image in a notebook at its own size (upscaled when tiny).</summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "image/png" })]
public sealed class RgbaImageView : IVisual
{
    public RgbaImage Image { get; }
    public int Zoom { get; }

    public RgbaImageView(RgbaImage image, int? zoom = null)
    {
        Image = image;
        Zoom = zoom ?? Math.Max(1, 128 / Math.Max(image.Width, image.Height));
    }

    public RgbaImage Render(double scale = 1) => Image.Upscale(Math.Max(1, (int)Math.Round(Zoom * scale)));
    public string ToSvg() => Rendering.SvgWriter.Write(Scene());
    public string ToPlotlyHtml(PlotlyOptions? options = null) => VisualsFormatterSource.ImgTag(Render().ToPng(), "image/png");
    public void Save(string path, double scale = 1) => Saving.SaveRaster(this, path, scale);
    public override string ToString() => $"image {Image.Width}x{Image.Height}";

    private Rendering.Scene Scene()
    {
        var s = new Rendering.Scene(Image.Width * Zoom, Image.Height * Zoom);
        s.Add(new Rendering.ImageMark(0, 0, Image.Width * Zoom, Image.Height * Zoom, Image, "image"));
        return s;
    }
}

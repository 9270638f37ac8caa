using System.Globalization;
using System.Text;
using System.Security;

namespace Course.Visuals.Rendering;

/// <summary>Writes a <see cref="Scene"/> as a standalone SVG 1.1 document.</summary>
internal static class SvgWriter
{
    /// <summary>DejaVu Sans, as the PNGs; then, for Japanese characters (which a browser takes from the first family
    /// that has them), the Noto Sans CJK JP of the PNGs and the Japanese system fonts of macOS and Windows.</summary>
    public const string FontFamily = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, "
        + "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Yu Gothic', Meiryo, sans-serif";

    public static string Write(Scene scene)
    {
        var sb = new StringBuilder(64 * 1024);
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" width=\"{scene.Width}\" height=\"{scene.Height}\" viewBox=\"0 0 {scene.Width} {scene.Height}\" font-family=\"{FontFamily}\">\n");
        if (scene.Background.A > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"background\" width=\"{scene.Width}\" height=\"{scene.Height}\" {Fill(scene.Background)}/>\n");
        int clips = 0, open = 0;
        foreach (var m in scene.Marks)
        {
            switch (m)
            {
                case ClipMark c:
                    clips++;
                    sb.Append(CultureInfo.InvariantCulture,
                        $"<clipPath id=\"clip{clips}\"><rect x=\"{N(c.X)}\" y=\"{N(c.Y)}\" width=\"{N(c.W)}\" height=\"{N(c.H)}\"/></clipPath>\n<g clip-path=\"url(#clip{clips})\">\n");
                    open++;
                    break;
                case UnclipMark:
                    if (open > 0) { sb.Append("</g>\n"); open--; }
                    break;
                case PathMark p:
                    if (p.Points.Count == 0) break;
                    sb.Append("<path").Append(Cls(p.Class)).Append(" d=\"");
                    bool pen = false;
                    foreach (var (x, y) in p.Points)
                    {
                        if (!double.IsFinite(x) || !double.IsFinite(y)) { pen = false; continue; }
                        sb.Append(pen ? 'L' : 'M').Append(N(x)).Append(',').Append(N(y));
                        pen = true;
                    }
                    if (p.Closed) sb.Append('Z');
                    sb.Append('"');
                    sb.Append(' ').Append(p.Fill is { } f ? Fill(f) : "fill=\"none\"");
                    if (p.Stroke is { } s && p.StrokeWidth > 0)
                    {
                        sb.Append(' ').Append(Stroke(s, p.StrokeWidth)).Append(" stroke-linecap=\"round\" stroke-linejoin=\"round\"");
                        if (p.Dash is { Length: > 0 } d) sb.Append(" stroke-dasharray=\"").Append(string.Join(",", d.Select(N))).Append('"');
                    }
                    sb.Append("/>\n");
                    break;
                case CircleMark c:
                    sb.Append(CultureInfo.InvariantCulture, $"<circle{Cls(c.Class)} cx=\"{N(c.X)}\" cy=\"{N(c.Y)}\" r=\"{N(c.R)}\" ")
                      .Append(c.Fill is { } cf ? Fill(cf) : "fill=\"none\"");
                    if (c.Stroke is { } cs) sb.Append(' ').Append(Stroke(cs, c.StrokeWidth));
                    sb.Append("/>\n");
                    break;
                case RectMark r:
                    sb.Append(CultureInfo.InvariantCulture, $"<rect{Cls(r.Class)} x=\"{N(r.X)}\" y=\"{N(r.Y)}\" width=\"{N(r.W)}\" height=\"{N(r.H)}\" ")
                      .Append(r.Fill is { } rf ? Fill(rf) : "fill=\"none\"");
                    if (r.Stroke is { } rs) sb.Append(' ').Append(Stroke(rs, r.StrokeWidth));
                    sb.Append("/>\n");
                    break;
                case TextMark t:
                    string anchor = t.Anchor switch { TextAnchor.Middle => "middle", TextAnchor.End => "end", _ => "start" };
                    sb.Append(CultureInfo.InvariantCulture, $"<text{Cls(t.Class)} x=\"{N(t.X)}\" y=\"{N(t.Y)}\" font-size=\"{N(t.Size)}\" text-anchor=\"{anchor}\" {Fill(t.Color)}");
                    if (t.Rotated) sb.Append(CultureInfo.InvariantCulture, $" transform=\"rotate(-90 {N(t.X)} {N(t.Y)})\"");
                    sb.Append('>').Append(SecurityElement.Escape(t.Text)).Append("</text>\n");
                    break;
                case ImageMark im:
                    sb.Append(CultureInfo.InvariantCulture,
                        $"<image{Cls(im.Class)} x=\"{N(im.X)}\" y=\"{N(im.Y)}\" width=\"{N(im.W)}\" height=\"{N(im.H)}\" preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,")
                      .Append(Convert.ToBase64String(im.Image.ToPng())).Append("\"/>\n");
                    break;
            }
        }
        while (open-- > 0) sb.Append("</g>\n");
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Cls(string? c) => c is null ? "" : $" class=\"{c}\"";

    private static string Fill(Color c) => c.A == 255
        ? $"fill=\"{c.ToHex()}\""
        : string.Create(CultureInfo.InvariantCulture, $"fill=\"#{c.R:x2}{c.G:x2}{c.B:x2}\" fill-opacity=\"{c.A / 255.0:0.###}\"");

    private static string Stroke(Color c, double w) => c.A == 255
        ? $"stroke=\"{c.ToHex()}\" stroke-width=\"{N(w)}\""
        : string.Create(CultureInfo.InvariantCulture, $"stroke=\"#{c.R:x2}{c.G:x2}{c.B:x2}\" stroke-opacity=\"{c.A / 255.0:0.###}\" stroke-width=\"{N(w)}\"");

    internal static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}

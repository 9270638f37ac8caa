using Course.Visuals;
using Course.Visuals.Rendering;
using SkiaSharp;

/// <summary>Draws the course's <see cref="Scene"/> with SkiaSharp: the same marks the own rasterizer
/// (SceneRasterizer) and the SVG writer draw, with Skia's antialiasing and a real TrueType font.</summary>
internal static class SkiaSceneRenderer
{
    private const string DejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public static readonly SKTypeface Typeface =
        (File.Exists(DejaVuSans) ? SKTypeface.FromFile(DejaVuSans) : null) ?? SKTypeface.Default;

    public static SKBitmap Render(Scene scene, double scale = 1)
    {
        int w = Math.Max(1, (int)Math.Round(scene.Width * scale)), h = Math.Max(1, (int)Math.Round(scene.Height * scale));
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(C(scene.Background));
        canvas.Scale((float)scale);
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var font = new SKFont(Typeface) { Edging = SKFontEdging.Antialias, Subpixel = true, Hinting = SKFontHinting.Slight };
        bool clipped = false;
        foreach (var m in scene.Marks)
        {
            switch (m)
            {
                case ClipMark c:
                    if (clipped) canvas.Restore();
                    canvas.Save();
                    canvas.ClipRect(R(c.X, c.Y, c.W, c.H), SKClipOperation.Intersect, antialias: true);
                    clipped = true;
                    break;
                case UnclipMark:
                    if (clipped) canvas.Restore();
                    clipped = false;
                    break;
                case RectMark r:
                    if (r.Fill is { } rf) canvas.DrawRect(R(r.X, r.Y, r.W, r.H), Fill(fill, rf));
                    if (r.Stroke is { } rs) canvas.DrawRect(R(r.X, r.Y, r.W, r.H), Stroke(stroke, rs, r.StrokeWidth, SKStrokeCap.Butt, SKStrokeJoin.Miter));
                    break;
                case CircleMark c:
                    if (c.Fill is { } cf) canvas.DrawCircle((float)c.X, (float)c.Y, (float)c.R, Fill(fill, cf));
                    if (c.Stroke is { } cs) canvas.DrawCircle((float)c.X, (float)c.Y, (float)c.R, Stroke(stroke, cs, c.StrokeWidth, SKStrokeCap.Butt, SKStrokeJoin.Miter));
                    break;
                case PathMark p:
                {
                    using var path = Path(p.Points, p.Closed);
                    if (p.Fill is { } pf) canvas.DrawPath(path, Fill(fill, pf));
                    if (p.Stroke is { } ps && p.StrokeWidth > 0)
                    {
                        // SVG repeats an odd dash list; Skia wants an even one
                        using var dash = p.Dash is { Length: > 0 } d
                            ? SKPathEffect.CreateDash((d.Length % 2 == 1 ? d.Concat(d) : d).Select(v => (float)v).ToArray(), 0) : null;
                        var paint = Stroke(stroke, ps, p.StrokeWidth, SKStrokeCap.Round, SKStrokeJoin.Round);
                        paint.PathEffect = dash;
                        canvas.DrawPath(path, paint);
                        paint.PathEffect = null;
                    }
                    break;
                }
                case TextMark t:
                {
                    font.Size = (float)t.Size;
                    fill.Color = C(t.Color);
                    var align = t.Anchor switch { TextAnchor.Middle => SKTextAlign.Center, TextAnchor.End => SKTextAlign.Right, _ => SKTextAlign.Left };
                    if (t.Rotated)
                    {
                        canvas.Save();
                        canvas.RotateDegrees(-90, (float)t.X, (float)t.Y);
                        canvas.DrawText(t.Text, (float)t.X, (float)t.Y, align, font, fill);
                        canvas.Restore();
                    }
                    else canvas.DrawText(t.Text, (float)t.X, (float)t.Y, align, font, fill);
                    break;
                }
                case ImageMark im:
                {
                    var info = new SKImageInfo(im.Image.Width, im.Image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                    using var img = SKImage.FromPixelCopy(info, im.Image.Pixels);
                    // nearest-neighbour and no edge antialiasing: pixels and heatmap cells stay crisp
                    canvas.DrawImage(img, R(im.X, im.Y, im.W, im.H), new SKSamplingOptions(SKFilterMode.Nearest), null);
                    break;
                }
            }
        }
        if (clipped) canvas.Restore();
        return bitmap;
    }

    public static byte[] ToPng(Scene scene, double scale = 1)
    {
        using var bitmap = Render(scene, scale);
        // the own encoder's settings (ImageSharp, BestSpeed, no filters): zlib level 1, no filters
        using var pixmap = bitmap.PeekPixels()!;
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.NoFilters, 1))!;
        return data.ToArray();
    }

    // Non-finite points start a new subpath, as SVG's M does; Closed closes the last one (SVG's Z).
    private static SKPath Path(IReadOnlyList<(double X, double Y)> pts, bool closed)
    {
        using var path = new SKPathBuilder();
        bool pen = false;
        foreach (var (x, y) in pts)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y)) { pen = false; continue; }
            if (pen) path.LineTo((float)x, (float)y); else path.MoveTo((float)x, (float)y);
            pen = true;
        }
        if (closed) path.Close();
        return path.Detach();
    }

    private static SKPaint Fill(SKPaint p, Color c) { p.Color = C(c); return p; }

    private static SKPaint Stroke(SKPaint p, Color c, double width, SKStrokeCap cap, SKStrokeJoin join)
    {
        p.Color = C(c); p.StrokeWidth = (float)width; p.StrokeCap = cap; p.StrokeJoin = join;
        return p;
    }

    private static SKColor C(Color c) => new(c.R, c.G, c.B, c.A);

    private static SKRect R(double x, double y, double w, double h) => SKRect.Create((float)x, (float)y, (float)w, (float)h);
}

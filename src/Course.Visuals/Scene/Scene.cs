namespace Course.Visuals.Rendering;

internal enum TextAnchor { Start, Middle, End }

/// <summary>A drawing primitive in CSS pixels. The figure layout emits these once; the SVG writer and
/// the rasterizer both draw from them, so the two static outputs cannot disagree.</summary>
internal abstract record Mark(string? Class);

internal sealed record PathMark(IReadOnlyList<(double X, double Y)> Points, Color? Stroke, double StrokeWidth = 1,
    Color? Fill = null, double[]? Dash = null, bool Closed = false, string? Class = null) : Mark(Class);

internal sealed record CircleMark(double X, double Y, double R, Color? Fill, Color? Stroke = null, double StrokeWidth = 1,
    string? Class = null) : Mark(Class);

internal sealed record RectMark(double X, double Y, double W, double H, Color? Fill, Color? Stroke = null,
    double StrokeWidth = 1, string? Class = null) : Mark(Class);

internal sealed record TextMark(double X, double Y, string Text, double Size, Color Color,
    TextAnchor Anchor = TextAnchor.Start, bool Rotated = false, string? Class = null) : Mark(Class);

/// <summary>A raster drawn nearest-neighbour into the rectangle (images, heatmap cells, colour bars).</summary>
internal sealed record ImageMark(double X, double Y, double W, double H, RgbaImage Image, string? Class = null) : Mark(Class);

internal sealed record ClipMark(double X, double Y, double W, double H) : Mark((string?)null);

internal sealed record UnclipMark() : Mark((string?)null);

internal sealed class Scene
{
    public int Width { get; }
    public int Height { get; }
    public Color Background { get; init; } = Color.White;
    public List<Mark> Marks { get; } = new();

    public Scene(int width, int height) { Width = width; Height = height; }

    public void Add(Mark m) => Marks.Add(m);

    /// <summary>Text width in CSS pixels with the font both renderers use.</summary>
    public static double MeasureText(string text, double size) => Raster.BitmapFont.Default.Measure(text, size);
}

using System.Globalization;
using Course.Visuals.Display;
using Course.Visuals.Rendering;

namespace Course.Visuals;

/// <summary>What a tensor shows in a notebook: shape, dtype, device, summary statistics, a histogram of
/// its values, and the pictures when it looks like an image batch ([N,C,H,W], [C,H,W] or [H,W]).</summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "image/png" })]
public sealed partial class TensorSummary : IVisual
{
    public long[] Shape { get; }
    public string DType { get; }
    public string Device { get; }
    public string? Name { get; }
    public long Count { get; }
    public double Min { get; }
    public double Max { get; }
    public double Mean { get; }
    public double Std { get; }
    public long NonFinite { get; }
    /// <summary>The pictures, when the shape looks like images.</summary>
    public ImageBatch? Images { get; }
    private readonly double[] _hist;

    public TensorSummary(float[] data, long[] shape, string dtype = "float32", string device = "cpu", string? name = null)
    {
        Shape = shape; DType = dtype; Device = device; Name = name;
        Count = data.LongLength;
        double sum = 0, sum2 = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        long finite = 0;
        foreach (var f in data)
        {
            if (!float.IsFinite(f)) continue;
            finite++; sum += f; sum2 += (double)f * f;
            if (f < lo) lo = f;
            if (f > hi) hi = f;
        }
        NonFinite = Count - finite;
        Mean = finite > 0 ? sum / finite : double.NaN;
        Std = finite > 1 ? Math.Sqrt(Math.Max(0, (sum2 - finite * Mean * Mean) / (finite - 1))) : double.NaN;
        Min = finite > 0 ? lo : double.NaN;
        Max = finite > 0 ? hi : double.NaN;
        _hist = new double[40];
        if (finite > 0)
        {
            double span = hi > lo ? hi - lo : 1;
            foreach (var f in data) if (float.IsFinite(f)) _hist[Math.Min(39, (int)((f - lo) / span * 40))]++;
        }
        Images = LooksLikeImages(data, shape);
    }

    public TensorSummary(float[] data, int[] shape, string dtype = "float32", string device = "cpu", string? name = null)
        : this(data, shape.Select(s => (long)s).ToArray(), dtype, device, name) { }

    private static ImageBatch? LooksLikeImages(float[] data, long[] shape)
    {
        int[]? s = shape.Length switch
        {
            4 when shape[1] is 1 or 3 && shape[2] >= 4 && shape[3] >= 4 => [(int)Math.Min(shape[0], 16), (int)shape[1], (int)shape[2], (int)shape[3]],
            3 when shape[0] is 1 or 3 && shape[1] >= 4 && shape[2] >= 4 => [(int)shape[0], (int)shape[1], (int)shape[2]],
            2 when shape[0] >= 8 && shape[1] >= 8 && shape[0] <= 1024 && shape[1] <= 1024 => [(int)shape[0], (int)shape[1]],
            _ => null,
        };
        if (s is null || data.Length == 0) return null;
        long n = s.Aggregate(1L, (a, b) => a * b);
        if (n > data.Length || n > 4_000_000) return null;
        var slice = data.AsSpan(0, (int)n).ToArray();
        if (slice.Any(v => !float.IsFinite(v))) return null;
        return new ImageBatch(slice, s, PixelRange.Auto);
    }

    private static string F(double v) => double.IsNaN(v) ? "nan" : Ticks.Minus(v.ToString(Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-3 && v != 0) ? "0.###e0" : "0.####", CultureInfo.InvariantCulture));

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public override string ToString() =>
        $"{(Name is null ? "" : Name + ": ")}tensor {ShapeText} {DType} on {Device} · min {F(Min)} · max {F(Max)} · mean {F(Mean)} · std {F(Std)}"
        + (NonFinite > 0 ? $" · {NonFinite} non-finite" : "");

    internal Scene ToScene()
    {
        var lines = new List<(string Key, string Value)>
        {
            ("shape", ShapeText), ("dtype", DType), ("device", Device), ("min", F(Min)), ("max", F(Max)), ("mean", F(Mean)), ("std", F(Std)),
        };
        if (NonFinite > 0) lines.Add(("non-finite", NonFinite.ToString(CultureInfo.InvariantCulture)));
        double textW = 64 + lines.Max(l => Scene.MeasureText(l.Value, 12));
        double x = 12;
        RgbaImage? mosaic = null;
        int zoom = 1;
        if (Images is { } b)
        {
            int n = Math.Min(b.Count, 16), cols = n <= 4 ? n : (int)Math.Ceiling(Math.Sqrt(n)), rows = (n + cols - 1) / cols;
            zoom = Math.Max(1, 48 / Math.Max(b.Height, b.Width));
            int tw = b.Width * zoom + 2, th = b.Height * zoom + 2;
            mosaic = new RgbaImage(cols * tw, rows * th, Color.White);
            for (int i = 0; i < n; i++)
            {
                var img = b.ToImage(i).Upscale(zoom);
                int ox = (i % cols) * tw + 1, oy = (i / cols) * th + 1;
                for (int r = 0; r < img.Height; r++)
                    Array.Copy(img.Pixels, r * img.Width * 4, mosaic.Pixels, ((oy + r) * mosaic.Width + ox) * 4, img.Width * 4);
            }
        }
        double histW = 180, histH = 70;
        double W = x + textW + 20 + histW + 16 + (mosaic is null ? 0 : mosaic.Width + 16);
        // The name is a heading across the whole summary: the statistics, histogram and pictures start
        // below it, so a long name cannot run into them. A name wider than the content widens the
        // summary up to a point, then wraps.
        FittedTitle? name = Name is null ? null : FittedTitle.Fit(Name, Math.Max(W, 560) - 2 * x, 14, 12);
        if (name is not null) W = Math.Max(W, x + name.Width + x);
        double header = name is null ? 0 : name.Size + 6 + (name.Lines.Length - 1) * name.LineHeight;
        double y = 24 + header;
        double H = Math.Max(y + lines.Count * 17 + 6, header + Math.Max(histH + 40, (mosaic?.Height ?? 0) + 24));
        var s = new Scene((int)Math.Ceiling(W), (int)Math.Ceiling(H));
        if (name is not null)
            for (int i = 0; i < name.Lines.Length; i++)
                s.Add(new TextMark(x, 22 + i * name.LineHeight, name.Lines[i], name.Size, Style.Text, Class: "tensor-name"));
        foreach (var (k, v) in lines)
        {
            s.Add(new TextMark(x, y, k, 12, Style.TickText, Class: "tensor-key"));
            s.Add(new TextMark(x + 64, y, v, 12, Style.Text, Class: "tensor-value"));
            y += 17;
        }
        // value histogram
        double hx = x + textW + 20, hy = 14 + header, hmax = _hist.Max();
        if (hmax > 0)
        {
            double bw = histW / _hist.Length;
            for (int i = 0; i < _hist.Length; i++)
            {
                double h = _hist[i] / hmax * histH;
                if (h > 0) s.Add(new RectMark(hx + i * bw + 0.5, hy + histH - h, bw - 1, h, Palette.Pick(0).WithAlpha(0.8), Class: "bar"));
            }
            s.Add(new PathMark([(hx, hy + histH + 0.5), (hx + histW, hy + histH + 0.5)], Style.AxisLine, 1));
            s.Add(new TextMark(hx, hy + histH + 16, F(Min), 11, Style.TickText, Class: "tick"));
            s.Add(new TextMark(hx + histW, hy + histH + 16, F(Max), 11, Style.TickText, TextAnchor.End, Class: "tick"));
        }
        if (mosaic is not null)
            s.Add(new ImageMark(hx + histW + 16, 12 + header, mosaic.Width, mosaic.Height, mosaic, Class: "image"));
        return s;
    }

    public RgbaImage Render(double scale = 1) => SceneRasterizer.Render(ToScene(), scale);
    public string ToSvg() => SvgWriter.Write(ToScene());
    public string ToPlotlyHtml(PlotlyOptions? options = null) => ToSvg();
    public void Save(string path, double scale = 1) => Saving.SaveRaster(this, path, scale);
}

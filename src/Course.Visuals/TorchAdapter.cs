using TorchSharp;
using static TorchSharp.torch;

namespace Course.Visuals;

// Everything that touches Course.Torch is in this file: tensors become the plain arrays the rest of
// the library draws from (detached, on the CPU, as float32, contiguous).

internal static class TensorData
{
    public static (float[] Data, long[] Shape) Read(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        using var scope = NewDisposeScope();
        var c = t.detach().cpu().to(ScalarType.Float32).contiguous();
        return (c.data<float>().ToArray(), c.shape);
    }

    public static int[] IntShape(long[] shape) => shape.Select(s => checked((int)s)).ToArray();
}

public readonly partial struct Values
{
    /// <summary>All elements of a tensor, flattened in row-major order.</summary>
    public static implicit operator Values(Tensor t) => new(Array.ConvertAll(TensorData.Read(t).Data, v => (double)v));
}

public sealed partial class ImageBatch
{
    /// <summary>Images from a tensor shaped [N,C,H,W], [C,H,W] or [H,W] (any device and dtype).</summary>
    public static ImageBatch FromTensor(Tensor images, PixelRange range = PixelRange.Auto)
    {
        var (data, shape) = TensorData.Read(images);
        return new ImageBatch(data, TensorData.IntShape(shape), range);
    }

    public static implicit operator ImageBatch(Tensor images) => FromTensor(images);
}

public sealed partial class Figure
{
    /// <summary>Points from an [N, 2] tensor (2D toy data, samples).</summary>
    public Figure Scatter(Tensor points, string? name = null, Color? color = null, double size = 5, double opacity = 0.7)
    {
        var (x, y) = PointColumns(points);
        return Scatter(x, y, name, color, size, opacity);
    }

    /// <summary>Empirical density of an [N, 2] tensor of points.</summary>
    public Figure Histogram2D(Tensor points, int bins = 50, ColorMap? colorMap = null, HistNorm norm = HistNorm.Count,
        (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null)
    {
        var (x, y) = PointColumns(points);
        return Histogram2D(x, y, bins, colorMap, norm, xRange, yRange);
    }

    /// <summary>Heatmap of a 2D tensor z[row, col].</summary>
    public Figure Heatmap(Tensor z, Values? x = null, Values? y = null, ColorMap? colorMap = null, double? zMin = null,
        double? zMax = null, string? colorbarTitle = null)
    {
        var (data, shape) = TensorData.Read(z);
        if (shape.Length != 2) throw new ArgumentException($"A heatmap needs a 2D tensor; got shape [{string.Join(", ", shape)}].");
        return Heatmap(Array.ConvertAll(data, v => (double)v), (int)shape[0], (int)shape[1], x, y, colorMap, zMin, zMax, colorbarTitle);
    }

    /// <summary>Vector field from [N, 2] anchor points and [N, 2] vectors (a score network's output, say).</summary>
    public Figure Quiver(Tensor points, Tensor vectors, double? scale = null, string? name = null, Color? color = null, ColorMap? colorMap = null)
    {
        var (x, y) = PointColumns(points);
        var (u, v) = PointColumns(vectors);
        return Quiver(x, y, u, v, scale, name, color, colorMap);
    }

    /// <summary>Image <paramref name="index"/> of an image tensor.</summary>
    public Figure Image(Tensor images, int index = 0, string? title = null) => Image(ImageBatch.FromTensor(images), index, title);

    private static (double[] X, double[] Y) PointColumns(Tensor points)
    {
        var (data, shape) = TensorData.Read(points);
        if (shape.Length != 2 || shape[1] != 2) throw new ArgumentException($"Expected an [N, 2] tensor of points; got shape [{string.Join(", ", shape)}].");
        int n = (int)shape[0];
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++) { x[i] = data[2 * i]; y[i] = data[2 * i + 1]; }
        return (x, y);
    }
}

public sealed partial class TensorSummary
{
    /// <summary>Summary of a tensor: shape, dtype, device, statistics, and pictures for image batches.</summary>
    public static TensorSummary Of(Tensor t, string? name = null)
    {
        var (data, shape) = TensorData.Read(t);
        return new TensorSummary(data, shape, DTypeName(t.dtype), t.device.ToString(), name);
    }

    private static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Int64 => "int64", ScalarType.Int32 => "int32",
        ScalarType.Bool => "bool", ScalarType.Byte => "uint8", ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16",
        _ => t.ToString().ToLowerInvariant(),
    };
}

/// <summary>Tensor conveniences for notebooks: <c>x.Summary()</c>, <c>x.ShowImages()</c>.</summary>
public static class TensorVisuals
{
    public static TensorSummary Summary(this Tensor t, string? name = null) => TensorSummary.Of(t, name);

    /// <summary>An image grid of a [N,C,H,W] tensor.</summary>
    public static Figure ShowImages(this Tensor images, IReadOnlyList<string>? labels = null, int? columns = null, string? title = null,
        PixelRange range = PixelRange.Auto) => Figure.ImageGrid(ImageBatch.FromTensor(images, range), labels, columns, title);
}

/// <summary>A tensor's values and shape as text, for a sentence that quotes a few of them.</summary>
public static class TensorText
{
    /// <summary>The values, nested like the tensor: <c>[[1.00, 0.50], [0.50, 1.00]]</c> (see <see cref="ValuesText"/>).</summary>
    public static string ValuesText(this Tensor t, string format = "0.00")
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.numel() > MaxValues)
            throw new ArgumentException($"ValuesText writes at most {MaxValues} values on one line; this tensor has {t.numel()}: " +
                "slice it first (t[..3]) or display it as a cell's last expression.", nameof(t));
        using var scope = NewDisposeScope();
        var values = t.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        return Course.Visuals.ValuesText.Format(values, t.shape, format);
    }

    /// <summary>The shape: <c>[2, 3]</c>.</summary>
    public static string ShapeText(this Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Course.Visuals.ValuesText.Shape(t.shape);
    }

    /// <summary>More values than this do not make a readable line.</summary>
    public const int MaxValues = 1000;
}

/// <summary>A square grid over [lo, hi]² on which to evaluate functions of 2D points (densities, scores).</summary>
public static class PlaneGrid
{
    /// <summary><paramref name="n"/> evenly spaced values from <paramref name="lo"/> to <paramref name="hi"/>, both included.</summary>
    public static double[] Ticks(double lo, double hi, int n)
    {
        Check(lo, hi, n);
        return Enumerable.Range(0, n).Select(i => lo + (hi - lo) * i / (n - 1)).ToArray();
    }

    /// <summary>The n² grid points as a float64 tensor [n*n, 2], row-major with y along the rows
    /// (x changes fastest), the order <see cref="Figure.Heatmap(double[,], Values?, Values?, ColorMap?, double?, double?, string?, bool)"/> expects.</summary>
    public static Tensor Points(double lo, double hi, int n)
    {
        var ticks = Ticks(lo, hi, n);
        var points = new double[2 * n * n];
        for (int row = 0; row < n; row++)
            for (int col = 0; col < n; col++)
            {
                points[2 * (row * n + col)] = ticks[col];
                points[2 * (row * n + col) + 1] = ticks[row];
            }
        return tensor(points, new long[] { n * n, 2 });
    }

    internal static void Check(double lo, double hi, int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "A grid needs at least 2 points a side.");
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi))
            throw new ArgumentException($"A grid needs finite lo < hi; got lo = {lo}, hi = {hi}.");
    }
}

public sealed partial class Figure
{
    /// <summary>A heatmap of f over the square [lo, hi]²: f maps float64 points [N, 2] to values [N]
    /// (a density, say), evaluated on a <paramref name="cells"/> x <paramref name="cells"/> <see cref="PlaneGrid"/>.</summary>
    public Figure FunctionHeatmap(Func<Tensor, Tensor> f, double lo, double hi, int cells = 120, ColorMap? colorMap = null,
        double? zMin = null, double? zMax = null, bool showScale = true)
    {
        ArgumentNullException.ThrowIfNull(f);
        var ticks = PlaneGrid.Ticks(lo, hi, cells);
        using var scope = NewDisposeScope();
        var (values, shape) = TensorData.Read(f(PlaneGrid.Points(lo, hi, cells)));
        if (values.Length != cells * cells)
            throw new ArgumentException($"f must give one value per point ({cells * cells}); got shape [{string.Join(", ", shape)}].", nameof(f));
        var z = new double[cells, cells];
        for (int r = 0; r < cells; r++) for (int c = 0; c < cells; c++) z[r, c] = values[r * cells + c];
        return Heatmap(z, ticks, ticks, colorMap, zMin, zMax, showScale: showScale);
    }

    /// <summary>Arrows of a vector field over the square [lo, hi]²: <paramref name="field"/> maps float64 points
    /// [N, 2] to vectors [N, 2], evaluated on an <paramref name="arrows"/> x <paramref name="arrows"/> <see cref="PlaneGrid"/>.
    /// Each arrow keeps its direction and has length |v|^<paramref name="lengthPower"/> times <paramref name="scale"/>:
    /// a power of 0.5 keeps both the weak and the strong arrows of a score readable.</summary>
    public Figure VectorField(Func<Tensor, Tensor> field, double lo, double hi, int arrows = 17, double? scale = null,
        Color? color = null, double lengthPower = 1, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!(lengthPower >= 0)) throw new ArgumentOutOfRangeException(nameof(lengthPower), lengthPower, "The length power must be 0 or more.");
        using var scope = NewDisposeScope();
        var anchors = PlaneGrid.Points(lo, hi, arrows);
        var vectors = field(anchors).to(ScalarType.Float64);
        if (vectors.dim() != 2 || vectors.shape[0] != anchors.shape[0] || vectors.shape[1] != 2)
            throw new ArgumentException($"The field must give one [2] vector per point, [{anchors.shape[0]}, 2]; got [{string.Join(", ", vectors.shape)}].", nameof(field));
        // v / |v|^(1 - p): length |v|^p; the clamp keeps a zero vector zero instead of 0/0.
        var shown = vectors / vectors.norm(1, keepdim: true).pow(1 - lengthPower).clamp_min(1e-12);
        return Quiver(anchors, shown, scale, name, color);
    }
}

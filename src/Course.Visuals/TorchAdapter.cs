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

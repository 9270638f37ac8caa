namespace Course.Visuals;

/// <summary>How stored pixel values map to display intensity.</summary>
public enum PixelRange
{
    /// <summary>[-1, 1] if any value is negative, [0, 255] if any exceeds 1.5, else [0, 1].</summary>
    Auto,
    /// <summary>[-1, 1], the range diffusion models train in.</summary>
    MinusOneToOne,
    ZeroToOne,
    ZeroTo255,
    /// <summary>Each image stretched from its own minimum to its maximum.</summary>
    MinMax,
}

/// <summary>A batch of images held as a flat float array with an NCHW (or CHW, or HW) shape: one
/// channel is grayscale, three RGB, four RGBA. This is what tensors become on their way to a picture.</summary>
public sealed partial class ImageBatch
{
    public float[] Data { get; }
    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public PixelRange Range { get; }

    /// <param name="shape">[H, W], [C, H, W] or [N, C, H, W] with C in {1, 3, 4}.</param>
    public ImageBatch(float[] data, int[] shape, PixelRange range = PixelRange.Auto)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        (Count, Channels, Height, Width) = shape.Length switch
        {
            2 => (1, 1, shape[0], shape[1]),
            3 => (1, shape[0], shape[1], shape[2]),
            4 => (shape[0], shape[1], shape[2], shape[3]),
            _ => throw new ArgumentException(LearnerMessages.ImageShape(string.Join(",", shape))),
        };
        if (Channels is not (1 or 3 or 4))
            throw new ArgumentException(LearnerMessages.ImageChannels(string.Join(",", shape), Channels));
        if (Count <= 0 || Height <= 0 || Width <= 0) throw new ArgumentException($"Empty image shape [{string.Join(",", shape)}].");
        if ((long)Count * Channels * Height * Width != data.Length)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] needs {(long)Count * Channels * Height * Width} values, got {data.Length}.");
        Data = data;
        Range = range == PixelRange.Auto ? Detect(data) : range;
    }

    public ImageBatch(float[] data, params int[] shape) : this(data, shape, PixelRange.Auto) { }

    public ImageBatch(double[] data, int[] shape, PixelRange range = PixelRange.Auto)
        : this(Array.ConvertAll(data, v => (float)v), shape, range) { }

    /// <summary>Wraps 8-bit pixels (for instance a dataset's raw bytes) laid out NCHW.</summary>
    public static ImageBatch FromBytes(byte[] data, params int[] shape) =>
        new(Array.ConvertAll(data, v => (float)v), shape, PixelRange.ZeroTo255);

    private static PixelRange Detect(float[] data)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in data) { if (v < min) min = v; if (v > max) max = v; }
        return min < -1e-6f ? PixelRange.MinusOneToOne : max > 1.5f ? PixelRange.ZeroTo255 : PixelRange.ZeroToOne;
    }

    /// <summary>Image <paramref name="index"/> as 8-bit RGBA; values outside the range are clipped.</summary>
    public RgbaImage ToImage(int index = 0)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"Image {index} of a batch of {Count}.");
        int plane = Height * Width, offset = index * Channels * plane;
        double lo, hi;
        switch (Range)
        {
            case PixelRange.MinusOneToOne: lo = -1; hi = 1; break;
            case PixelRange.ZeroTo255: lo = 0; hi = 255; break;
            case PixelRange.MinMax:
                lo = double.PositiveInfinity; hi = double.NegativeInfinity;
                for (int i = 0; i < Channels * plane; i++) { var v = Data[offset + i]; if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); } }
                if (!(hi > lo)) { lo = double.IsFinite(lo) ? lo - 0.5 : 0; hi = lo + 1; }
                break;
            default: lo = 0; hi = 1; break;
        }
        double k = 255 / (hi - lo);
        var img = new RgbaImage(Width, Height);
        var p = img.Pixels;
        for (int i = 0; i < plane; i++)
        {
            byte C(int c)
            {
                var v = Data[offset + c * plane + i];
                return float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(Math.Round((v - lo) * k), 0, 255);
            }
            byte r = C(0), g = Channels >= 3 ? C(1) : r, b = Channels >= 3 ? C(2) : r;
            p[i * 4] = r; p[i * 4 + 1] = g; p[i * 4 + 2] = b; p[i * 4 + 3] = Channels == 4 ? C(3) : (byte)255;
        }
        return img;
    }

    public IEnumerable<RgbaImage> ToImages() => Enumerable.Range(0, Count).Select(ToImage);
}

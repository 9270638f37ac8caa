namespace Course.Visuals;

/// <summary>A raster of 8-bit RGBA pixels, row-major, top row first. The common currency of the
/// rasterizer, the encoders and image display.</summary>
public sealed class RgbaImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Width * Height * 4 bytes: R, G, B, A for each pixel.</summary>
    public byte[] Pixels { get; }

    public RgbaImage(int width, int height, Color? fill = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}x{height}.");
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 4)];
        if (fill is { } c) Clear(c);
    }

    public RgbaImage(int width, int height, byte[] rgba)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}x{height}.");
        if (rgba.Length != width * height * 4) throw new ArgumentException($"Expected {width * height * 4} bytes for {width}x{height} RGBA, got {rgba.Length}.");
        Width = width;
        Height = height;
        Pixels = rgba;
    }

    public Color this[int x, int y]
    {
        get { int i = (y * Width + x) * 4; return new Color(Pixels[i], Pixels[i + 1], Pixels[i + 2], Pixels[i + 3]); }
        set { int i = (y * Width + x) * 4; Pixels[i] = value.R; Pixels[i + 1] = value.G; Pixels[i + 2] = value.B; Pixels[i + 3] = value.A; }
    }

    public void Clear(Color c)
    {
        var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(Pixels.AsSpan());
        span.Fill(BitConverter.IsLittleEndian
            ? (uint)(c.R | c.G << 8 | c.B << 16 | c.A << 24)
            : (uint)(c.A | c.B << 8 | c.G << 16 | c.R << 24));
    }

    /// <summary>True when every pixel has R = G = B.</summary>
    public bool IsGray()
    {
        var p = Pixels;
        for (int i = 0; i < p.Length; i += 4)
            if (p[i] != p[i + 1] || p[i] != p[i + 2]) return false;
        return true;
    }

    /// <summary>True when every pixel is fully opaque.</summary>
    public bool IsOpaque()
    {
        var p = Pixels;
        for (int i = 3; i < p.Length; i += 4)
            if (p[i] != 255) return false;
        return true;
    }

    /// <summary>Nearest-neighbour enlargement by an integer factor (keeps pixels crisp).</summary>
    public RgbaImage Upscale(int factor)
    {
        if (factor <= 1) return this;
        var dst = new RgbaImage(Width * factor, Height * factor);
        var s = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(Pixels.AsSpan());
        var d = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(dst.Pixels.AsSpan());
        for (int y = 0; y < dst.Height; y++)
        {
            var srow = s.Slice(y / factor * Width, Width);
            var drow = d.Slice(y * dst.Width, dst.Width);
            for (int x = 0; x < dst.Width; x++) drow[x] = srow[x / factor];
        }
        return dst;
    }

    public byte[] ToPng() => ImageFiles.Png(this);

    public void Save(string path) => Saving.Write(path, ToPng());
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace Course.Visuals;

/// <summary>PNG colour types we write (PNG spec, section 11.2.2).</summary>
public enum PngColorType : byte { Grayscale = 0, Rgb = 2, Rgba = 6 }

/// <summary>A PNG writer: 8-bit grayscale, RGB or RGBA, one IDAT, zlib from System.IO.Compression,
/// per-row adaptive filtering (the minimum-sum-of-absolute-differences heuristic of the PNG spec).</summary>
public static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Encodes an image, choosing the smallest lossless colour type (gray, RGB or RGBA).</summary>
    public static byte[] Encode(RgbaImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        var type = !image.IsOpaque() ? PngColorType.Rgba : image.IsGray() ? PngColorType.Grayscale : PngColorType.Rgb;
        return Encode(image, type, level);
    }

    /// <summary>Encodes an image as the given colour type (RGB drops alpha; grayscale keeps the red channel).</summary>
    public static byte[] Encode(RgbaImage image, PngColorType type, CompressionLevel level = CompressionLevel.Fastest)
    {
        int channels = Channels(type), w = image.Width, h = image.Height;
        var raw = new byte[w * h * channels];
        var p = image.Pixels;
        for (int i = 0, j = 0; i < p.Length; i += 4)
        {
            raw[j++] = p[i];
            if (channels >= 3) { raw[j++] = p[i + 1]; raw[j++] = p[i + 2]; }
            if (channels == 4) raw[j++] = p[i + 3];
        }
        return Encode(raw, w, h, type, level);
    }

    /// <summary>Encodes tightly packed 8-bit samples (<paramref name="width"/> * channels bytes per row).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> samples, int width, int height, PngColorType type,
        CompressionLevel level = CompressionLevel.Fastest)
    {
        int bpp = Channels(type), stride = width * bpp;
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "PNG size must be positive.");
        if (samples.Length != stride * height) throw new ArgumentException($"Expected {stride * height} sample bytes, got {samples.Length}.");

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, level, leaveOpen: true))
        {
            var candidates = new byte[5][];
            for (int f = 0; f < 5; f++) candidates[f] = new byte[stride + 1];
            var zero = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                var row = samples.Slice(y * stride, stride);
                var prev = y > 0 ? samples.Slice((y - 1) * stride, stride) : zero;
                int best = 0; long bestScore = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    var line = candidates[f];
                    line[0] = (byte)f;
                    long score = Filter(f, row, prev, bpp, line.AsSpan(1));
                    if (score < bestScore) { bestScore = score; best = f; }
                }
                z.Write(candidates[best]);
            }
        }

        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; ihdr[9] = (byte)type; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(png, "IEND", ReadOnlySpan<byte>.Empty);
        return png.ToArray();
    }

    private static int Channels(PngColorType t) => t switch
    {
        PngColorType.Grayscale => 1, PngColorType.Rgb => 3, PngColorType.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    // Filters of PNG spec section 9.2; returns the heuristic cost (sum of |signed bytes|).
    private static long Filter(int f, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prev, int bpp, Span<byte> o)
    {
        long s = 0;
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            int pred = f switch
            {
                0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            byte v = (byte)(row[i] - pred);
            o[i] = v;
            s += v < 128 ? v : 256 - v;
        }
        return s;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Compute(head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }
}

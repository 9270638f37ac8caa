namespace Course.Visuals;

/// <summary>An animated GIF89a writer: one global palette shared by all frames (exact when the
/// frames hold at most 256 colours, a 256-level ramp for grayscale, median-cut otherwise), LZW
/// compression, per-frame delays and NETSCAPE2.0 looping.</summary>
public static class GifEncoder
{
    /// <param name="frames">Frames of equal size; alpha is ignored (composited over white).</param>
    /// <param name="delayMs">Delay after each frame, milliseconds (GIF stores hundredths).</param>
    /// <param name="loopCount">0 loops forever; n plays n+1 times; null writes no loop extension (plays once).</param>
    public static byte[] Encode(IReadOnlyList<RgbaImage> frames, int delayMs = 100, int? loopCount = 0)
        => Encode(frames, frames.Select(_ => delayMs).ToArray(), loopCount);

    public static byte[] Encode(IReadOnlyList<RgbaImage> frames, IReadOnlyList<int> delaysMs, int? loopCount = 0)
    {
        if (frames.Count == 0) throw new ArgumentException("A GIF needs at least one frame.", nameof(frames));
        if (delaysMs.Count != frames.Count) throw new ArgumentException("One delay per frame.", nameof(delaysMs));
        int w = frames[0].Width, h = frames[0].Height;
        if (w > 65535 || h > 65535) throw new ArgumentException("GIF frames are at most 65535 pixels on a side.");
        foreach (var f in frames)
            if (f.Width != w || f.Height != h) throw new ArgumentException($"All frames must be {w}x{h}; got {f.Width}x{f.Height}.");

        var rgb = frames.Select(FlattenOverWhite).ToArray();
        var (palette, indexer) = Quantizer.Build(rgb);
        int paletteBits = 1;
        while ((1 << paletteBits) < palette.Length) paletteBits++;

        using var s = new MemoryStream();
        s.Write("GIF89a"u8);
        WriteU16(s, w); WriteU16(s, h);
        s.WriteByte((byte)(0x80 | ((paletteBits - 1) << 4) | (paletteBits - 1))); // global table, colour res, size
        s.WriteByte(0); s.WriteByte(0);                                               // background index, aspect
        for (int i = 0; i < 1 << paletteBits; i++)
        {
            var c = i < palette.Length ? palette[i] : 0;
            s.WriteByte((byte)(c >> 16)); s.WriteByte((byte)(c >> 8)); s.WriteByte((byte)c);
        }
        if (loopCount is { } loops && frames.Count > 1)
        {
            s.Write([0x21, 0xFF, 0x0B]); s.Write("NETSCAPE2.0"u8);
            s.Write([0x03, 0x01]); WriteU16(s, Math.Clamp(loops, 0, 65535)); s.WriteByte(0);
        }
        var indices = new byte[w * h];
        int minCode = Math.Max(2, paletteBits);
        for (int f = 0; f < frames.Count; f++)
        {
            s.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: disposal "do not dispose", no transparency
            WriteU16(s, Math.Clamp((int)Math.Round(delaysMs[f] / 10.0), 0, 65535));
            s.Write([0x00, 0x00]);
            s.WriteByte(0x2C); WriteU16(s, 0); WriteU16(s, 0); WriteU16(s, w); WriteU16(s, h); s.WriteByte(0);
            var px = rgb[f];
            for (int i = 0; i < indices.Length; i++) indices[i] = indexer(px[i]);
            s.WriteByte((byte)minCode);
            Lzw.Compress(indices, minCode, s);
        }
        s.WriteByte(0x3B);
        return s.ToArray();
    }

    private static int[] FlattenOverWhite(RgbaImage img)
    {
        var p = img.Pixels;
        var o = new int[img.Width * img.Height];
        for (int i = 0, j = 0; j < o.Length; i += 4, j++)
        {
            int a = p[i + 3], r = p[i], g = p[i + 1], b = p[i + 2];
            if (a != 255)
            {
                r = (r * a + 255 * (255 - a) + 127) / 255; g = (g * a + 255 * (255 - a) + 127) / 255; b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            o[j] = r << 16 | g << 8 | b;
        }
        return o;
    }

    private static void WriteU16(Stream s, int v) { s.WriteByte((byte)v); s.WriteByte((byte)(v >> 8)); }

    /// <summary>GIF's variable-length-code LZW (GIF89a spec, appendix F), packed LSB-first into sub-blocks.</summary>
    internal static class Lzw
    {
        public static void Compress(ReadOnlySpan<byte> data, int minCodeSize, Stream output)
        {
            int clear = 1 << minCodeSize, eoi = clear + 1;
            var table = new Dictionary<int, int>(4096);
            int next = eoi + 1, codeSize = minCodeSize + 1;
            var block = new byte[256];
            int blockLen = 0, bitBuf = 0, bitCount = 0;

            void Emit(int code)
            {
                bitBuf |= code << bitCount;
                bitCount += codeSize;
                while (bitCount >= 8)
                {
                    block[1 + blockLen++] = (byte)bitBuf;
                    bitBuf >>= 8; bitCount -= 8;
                    if (blockLen == 255) Flush();
                }
            }
            void Flush()
            {
                if (blockLen == 0) return;
                block[0] = (byte)blockLen;
                output.Write(block, 0, blockLen + 1);
                blockLen = 0;
            }

            Emit(clear);
            int prefix = data[0];
            for (int i = 1; i < data.Length; i++)
            {
                int k = data[i], key = prefix << 8 | k;
                if (table.TryGetValue(key, out int code)) { prefix = code; continue; }
                Emit(prefix);
                if (next < 4096)
                {
                    table[key] = next++;
                    // the decoder widens one code later than it adds the entry
                    if (next > (1 << codeSize) && codeSize < 12) codeSize++;
                }
                else
                {
                    Emit(clear);
                    table.Clear();
                    next = eoi + 1; codeSize = minCodeSize + 1;
                }
                prefix = k;
            }
            Emit(prefix);
            Emit(eoi);
            if (bitCount > 0) { block[1 + blockLen++] = (byte)bitBuf; bitCount = 0; if (blockLen == 255) Flush(); }
            Flush();
            output.WriteByte(0);
        }
    }
}

/// <summary>Chooses the 256-colour palette of a GIF and maps pixels to it.</summary>
internal static class Quantizer
{
    public static (int[] Palette, Func<int, byte> Index) Build(IReadOnlyList<int[]> frames)
    {
        // Exact when the animation uses few colours (typical for grayscale images and flat plots).
        var exact = new Dictionary<int, byte>();
        foreach (var f in frames)
        {
            foreach (var c in f)
                if (!exact.ContainsKey(c))
                {
                    if (exact.Count == 256) goto Lossy;
                    exact[c] = (byte)exact.Count;
                }
        }
        {
            var pal = new int[exact.Count];
            foreach (var (c, i) in exact) pal[i] = c;
            return (pal, c => exact[c]);
        }

    Lossy:
        bool gray = frames.All(f => f.All(c => (c >> 16 & 255) == (c & 255) && (c >> 8 & 255) == (c & 255)));
        if (gray)
        {
            var ramp = Enumerable.Range(0, 256).Select(v => v << 16 | v << 8 | v).ToArray();
            return (ramp, c => (byte)(c & 255));
        }
        return MedianCut(frames);
    }

    // Median cut over a 5-bit-per-channel histogram, then a 32768-entry nearest-colour lookup table.
    private static (int[] Palette, Func<int, byte> Index) MedianCut(IReadOnlyList<int[]> frames)
    {
        var hist = new int[32768];
        foreach (var f in frames)
            foreach (var c in f) hist[Key(c)]++;
        var colors = Enumerable.Range(0, 32768).Where(k => hist[k] > 0).ToList();
        var boxes = new List<List<int>> { colors };
        while (boxes.Count < 256)
        {
            // split the box with the widest channel range, weighted by pixel count
            int bi = -1; long bestScore = 0; int bestCh = 0;
            for (int i = 0; i < boxes.Count; i++)
            {
                var box = boxes[i];
                if (box.Count < 2) continue;
                for (int ch = 0; ch < 3; ch++)
                {
                    int lo = 31, hi = 0; long n = 0;
                    foreach (var k in box) { int v = k >> (10 - 5 * ch) & 31; lo = Math.Min(lo, v); hi = Math.Max(hi, v); n += hist[k]; }
                    long score = (long)(hi - lo) * (long)Math.Sqrt(n);
                    if (score > bestScore) { bestScore = score; bi = i; bestCh = ch; }
                }
            }
            if (bi < 0) break;
            var sel = boxes[bi];
            int shift = 10 - 5 * bestCh;
            sel.Sort((a, b) => (a >> shift & 31).CompareTo(b >> shift & 31));
            long total = sel.Sum(k => (long)hist[k]), acc = 0;
            int cut = 1;
            for (; cut < sel.Count - 1; cut++) { acc += hist[sel[cut - 1]]; if (acc * 2 >= total) break; }
            boxes[bi] = sel.GetRange(0, cut);
            boxes.Add(sel.GetRange(cut, sel.Count - cut));
        }
        var palette = boxes.Select(box =>
        {
            double r = 0, g = 0, b = 0, n = 0;
            foreach (var k in box)
            {
                double wgt = hist[k]; n += wgt;
                r += wgt * ((k >> 10 & 31) * 255.0 / 31); g += wgt * ((k >> 5 & 31) * 255.0 / 31); b += wgt * ((k & 31) * 255.0 / 31);
            }
            return (int)Math.Round(r / n) << 16 | (int)Math.Round(g / n) << 8 | (int)Math.Round(b / n);
        }).ToArray();
        var lut = new byte[32768];
        for (int k = 0; k < 32768; k++)
        {
            if (hist[k] == 0) continue;
            int r = (k >> 10 & 31) * 255 / 31, g = (k >> 5 & 31) * 255 / 31, b = (k & 31) * 255 / 31;
            int best = 0, bestD = int.MaxValue;
            for (int i = 0; i < palette.Length; i++)
            {
                int p = palette[i], dr = (p >> 16 & 255) - r, dg = (p >> 8 & 255) - g, db = (p & 255) - b;
                int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
                if (d < bestD) { bestD = d; best = i; }
            }
            lut[k] = (byte)best;
        }
        return (palette, c => lut[Key(c)]);
    }

    private static int Key(int c) => (c >> 19 & 31) << 10 | (c >> 11 & 31) << 5 | (c >> 3 & 31);
}

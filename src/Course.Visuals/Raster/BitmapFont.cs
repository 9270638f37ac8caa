using System.IO.Compression;

namespace Course.Visuals.Raster;

/// <summary>The embedded, pre-rendered DejaVu Sans, with Noto Sans CJK JP for the Japanese characters the course
/// draws (see Fonts/make_font_atlas.py): anti-aliased coverage bitmaps at fixed pixel sizes, and the advances used to
/// measure text for layout.</summary>
internal sealed class BitmapFont
{
    internal sealed record Glyph(int Advance64, int Left, int Top, int Width, int Height, byte[] Coverage);

    internal sealed class Face
    {
        public int Size { get; init; }
        public int Ascent { get; init; }
        public int Descent { get; init; }
        public Dictionary<int, Glyph> Glyphs { get; } = new();
        public Glyph? Fallback { get; set; }

        public Glyph Get(int codePoint) => Glyphs.TryGetValue(codePoint, out var g) ? g : Fallback!;

        /// <summary>Advance width of a string in pixels at this size.</summary>
        public double Measure(string text)
        {
            long adv = 0;
            foreach (var r in text.EnumerateRunes()) adv += IsCombining(r.Value) ? 0 : Get(r.Value).Advance64;
            return adv / 64.0;
        }
    }

    private static readonly Lazy<BitmapFont> Shared = new(Load);
    public static BitmapFont Default => Shared.Value;

    private readonly SortedDictionary<int, Face> _faces = new();

    /// <summary>The baked face nearest to <paramref name="pixelSize"/>.</summary>
    public Face FaceFor(double pixelSize)
    {
        Face? best = null;
        foreach (var f in _faces.Values)
            if (best is null || Math.Abs(f.Size - pixelSize) < Math.Abs(best.Size - pixelSize)) best = f;
        return best!;
    }

    /// <summary>Width of text at any size, scaled from the nearest baked face (sub-pixel accurate enough for layout).</summary>
    public double Measure(string text, double pixelSize)
    {
        var face = FaceFor(pixelSize);
        return face.Measure(text) * pixelSize / face.Size;
    }

    internal static bool IsCombining(int cp) => cp is >= 0x0300 and <= 0x036F;

    /// <summary>The embedded atlases: DejaVu Sans, then the Japanese glyphs (Noto Sans CJK JP), which fill in the code
    /// points DejaVu lacks at each of the same pixel sizes.</summary>
    internal static readonly string[] Atlases = { "Course.Visuals.Fonts.dejavu-sans.atlas", "Course.Visuals.Fonts.noto-sans-cjk-jp.atlas" };

    private static BitmapFont Load()
    {
        var font = new BitmapFont();
        foreach (var atlas in Atlases)
        {
            foreach (var face in ReadAtlas(atlas))
            {
                if (!font._faces.TryGetValue(face.Size, out var existing))
                {
                    face.Fallback = face.Glyphs.GetValueOrDefault('?');
                    font._faces[face.Size] = face;
                    continue;
                }
                foreach (var (cp, glyph) in face.Glyphs) existing.Glyphs.TryAdd(cp, glyph);
            }
        }
        return font;
    }

    private static List<Face> ReadAtlas(string resource)
    {
        var asm = typeof(BitmapFont).Assembly;
        using var res = asm.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded font atlas {resource} is missing from Course.Visuals.");
        using var z = new ZLibStream(res, CompressionMode.Decompress);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        var r = new BinaryReader(new MemoryStream(ms.ToArray()));
        if (new string(r.ReadChars(4)) != "CVFA") throw new InvalidDataException("Bad font atlas header.");
        int version = r.ReadUInt16();
        if (version is not (1 or 2)) throw new InvalidDataException($"Font atlas version {version} is not known here.");
        int sizes = r.ReadUInt16();
        var faces = new List<Face>();
        for (int s = 0; s < sizes; s++)
        {
            var face = new Face { Size = r.ReadUInt16(), Ascent = r.ReadInt16(), Descent = r.ReadInt16() };
            int n = r.ReadUInt16();
            for (int i = 0; i < n; i++)
            {
                int cp = (int)r.ReadUInt32(), adv = r.ReadUInt16(), left = r.ReadInt16(), top = r.ReadInt16();
                int w = r.ReadByte(), h = r.ReadByte();
                var coverage = version == 1 ? r.ReadBytes(w * h) : Unpack4(r.ReadBytes((w * h + 1) / 2), w * h);
                face.Glyphs[cp] = new Glyph(adv, left, top, w, h, coverage);
            }
            faces.Add(face);
        }
        return faces;
    }

    /// <summary>4-bit coverage levels, two a byte (high nibble first), to bytes 0..255.</summary>
    private static byte[] Unpack4(byte[] packed, int count)
    {
        var coverage = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int level = (i & 1) == 0 ? packed[i >> 1] >> 4 : packed[i >> 1] & 15;
            coverage[i] = (byte)(level * 17);
        }
        return coverage;
    }
}

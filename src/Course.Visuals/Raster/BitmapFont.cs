using System.IO.Compression;

namespace Course.Visuals.Raster;

/// <summary>The embedded, pre-rendered DejaVu Sans (see Fonts/make_font_atlas.py): anti-aliased
/// coverage bitmaps at fixed pixel sizes, and the advances used to measure text for layout.</summary>
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

    private static BitmapFont Load()
    {
        var asm = typeof(BitmapFont).Assembly;
        using var res = asm.GetManifestResourceStream("Course.Visuals.Fonts.dejavu-sans.atlas")
            ?? throw new InvalidOperationException("The embedded font atlas is missing from Course.Visuals.");
        using var z = new ZLibStream(res, CompressionMode.Decompress);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        var r = new BinaryReader(new MemoryStream(ms.ToArray()));
        if (new string(r.ReadChars(4)) != "CVFA") throw new InvalidDataException("Bad font atlas header.");
        r.ReadUInt16();
        int sizes = r.ReadUInt16();
        var font = new BitmapFont();
        for (int s = 0; s < sizes; s++)
        {
            var face = new Face { Size = r.ReadUInt16(), Ascent = r.ReadInt16(), Descent = r.ReadInt16() };
            int n = r.ReadUInt16();
            for (int i = 0; i < n; i++)
            {
                int cp = (int)r.ReadUInt32(), adv = r.ReadUInt16(), left = r.ReadInt16(), top = r.ReadInt16();
                int w = r.ReadByte(), h = r.ReadByte();
                face.Glyphs[cp] = new Glyph(adv, left, top, w, h, r.ReadBytes(w * h));
            }
            face.Fallback = face.Glyphs.GetValueOrDefault('?');
            font._faces[face.Size] = face;
        }
        return font;
    }
}

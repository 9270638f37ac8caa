using System.Globalization;

namespace Course.Visuals;

/// <summary>An sRGB colour with alpha, 8 bits per channel. Parses "#rgb", "#rrggbb", "#rrggbbaa",
/// "rgb(r,g,b)", "rgba(r,g,b,a)" and a few names.</summary>
public readonly record struct Color(byte R, byte G, byte B, byte A = 255)
{
    public static readonly Color White = new(255, 255, 255);
    public static readonly Color Black = new(0, 0, 0);
    public static readonly Color Transparent = new(0, 0, 0, 0);

    public Color WithAlpha(double alpha) => this with { A = ToByte(alpha * 255) };

    /// <summary>Linear blend in sRGB space: t = 0 gives this colour, t = 1 gives <paramref name="other"/>.</summary>
    public Color Lerp(Color other, double t) => new(
        ToByte(R + (other.R - R) * t), ToByte(G + (other.G - G) * t),
        ToByte(B + (other.B - B) * t), ToByte(A + (other.A - A) * t));

    public string ToHex() => A == 255 ? $"#{R:x2}{G:x2}{B:x2}" : $"#{R:x2}{G:x2}{B:x2}{A:x2}";

    /// <summary>CSS form understood by browsers and plotly.js.</summary>
    public string ToCss() => A == 255 ? ToHex()
        : string.Create(CultureInfo.InvariantCulture, $"rgba({R},{G},{B},{A / 255.0:0.###})");

    public override string ToString() => ToCss();

    public static implicit operator Color(string css) => Parse(css);

    public static Color Parse(string css)
    {
        var s = css.Trim().ToLowerInvariant();
        if (Named.TryGetValue(s, out var named)) return named;
        if (s.StartsWith('#'))
        {
            var h = s[1..];
            if (h.Length is 3 or 4) h = string.Concat(h.Select(c => new string(c, 2)));
            if (h.Length is 6 or 8)
            {
                byte P(int i) => byte.Parse(h.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return new Color(P(0), P(2), P(4), h.Length == 8 ? P(6) : (byte)255);
            }
        }
        else if (s.StartsWith("rgb"))
        {
            int open = s.IndexOf('('), close = s.IndexOf(')');
            if (open > 0 && close > open)
            {
                var parts = s[(open + 1)..close].Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length is 3 or 4)
                {
                    double V(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
                    return new Color(ToByte(V(0)), ToByte(V(1)), ToByte(V(2)),
                        parts.Length == 4 ? ToByte(V(3) * 255) : (byte)255);
                }
            }
        }
        throw new FormatException($"Not a colour: '{css}'. Use #rrggbb, rgb(r,g,b), rgba(r,g,b,a) or a basic name.");
    }

    internal static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);

    private static readonly Dictionary<string, Color> Named = new()
    {
        ["white"] = White, ["black"] = Black, ["transparent"] = Transparent, ["none"] = Transparent,
        ["red"] = new(0xe1, 0x57, 0x59), ["blue"] = new(0x4e, 0x79, 0xa7), ["orange"] = new(0xf2, 0x8e, 0x2b),
        ["green"] = new(0x59, 0xa1, 0x4f), ["purple"] = new(0xb0, 0x7a, 0xa1), ["gray"] = new(0x80, 0x80, 0x80),
        ["grey"] = new(0x80, 0x80, 0x80), ["teal"] = new(0x76, 0xb7, 0xb2), ["yellow"] = new(0xed, 0xc9, 0x48),
        ["brown"] = new(0x9c, 0x75, 0x5f), ["pink"] = new(0xff, 0x9d, 0xa7),
    };
}

/// <summary>The categorical colours given to traces in turn (Tableau 10).</summary>
public static class Palette
{
    public static readonly IReadOnlyList<Color> Tableau10 = new Color[]
    {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    };

    public static Color Pick(int index) => Tableau10[((index % Tableau10.Count) + Tableau10.Count) % Tableau10.Count];
}

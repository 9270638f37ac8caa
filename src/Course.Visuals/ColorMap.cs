namespace Course.Visuals;

/// <summary>A continuous colour scale: piecewise-linear between stops on [0, 1]. The stops are the
/// ones plotly.js uses, so static and interactive renderings of a heatmap agree.</summary>
public sealed class ColorMap
{
    private readonly (double At, Color Color)[] _stops;
    private readonly Color[] _lut = new Color[256];

    public string Name { get; }
    public IReadOnlyList<(double At, Color Color)> Stops => _stops;

    public ColorMap(string name, IEnumerable<(double At, Color Color)> stops)
    {
        Name = name;
        _stops = stops.OrderBy(s => s.At).ToArray();
        if (_stops.Length < 2 || _stops[0].At != 0 || _stops[^1].At != 1)
            throw new ArgumentException("A colour map needs at least two stops, the first at 0 and the last at 1.");
        for (int i = 0; i < 256; i++) _lut[i] = Interpolate(i / 255.0);
    }

    public ColorMap(string name, params Color[] evenlySpaced)
        : this(name, evenlySpaced.Select((c, i) => ((double)i / (evenlySpaced.Length - 1), c))) { }

    /// <summary>Colour at t in [0, 1] (clamped; NaN is transparent).</summary>
    public Color this[double t] => double.IsNaN(t) ? Color.Transparent : _lut[(int)Math.Round(Math.Clamp(t, 0, 1) * 255)];

    public ColorMap Reversed() => new(Name + "_r", _stops.Select(s => (1 - s.At, s.Color)));

    private Color Interpolate(double t)
    {
        for (int i = 1; i < _stops.Length; i++)
            if (t <= _stops[i].At)
            {
                var (a, ca) = _stops[i - 1];
                var (b, cb) = _stops[i];
                return ca.Lerp(cb, b > a ? (t - a) / (b - a) : 0);
            }
        return _stops[^1].Color;
    }

    /// <summary>Perceptually uniform, colour-blind safe; the default for densities and heatmaps.</summary>
    public static readonly ColorMap Viridis = new("Viridis",
        "#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
        "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725");

    public static readonly ColorMap Magma = new("Magma",
        "#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d", "#fd9668", "#feca8d", "#fcfdbf");

    public static readonly ColorMap Gray = new("Gray", "#000000", "#ffffff");

    public static readonly ColorMap Blues = new("Blues",
        "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b");

    /// <summary>ColorBrewer's diverging red-white-blue: red for low values, blue for high.</summary>
    public static readonly ColorMap RdBu = new("RdBu",
        "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061");

    /// <summary>Diverging blue-white-red (RdBu reversed): negative blue, zero white, positive red.</summary>
    public static readonly ColorMap Diverging = new("Diverging",
        "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f");
}

namespace Course.Visuals;

public enum Mode { Lines, Markers, LinesMarkers }

public enum Dash { Solid, Dash, Dot, DashDot }

/// <summary>How a histogram's bar heights are scaled (plotly.js histnorm).</summary>
public enum HistNorm
{
    Count,
    /// <summary>Fraction of samples per bin; bars sum to 1.</summary>
    Probability,
    /// <summary>Bars integrate to 1, comparable with a probability density function.</summary>
    Density,
}

/// <summary>One layer of data on a panel. Traces are built by <see cref="Figure"/>'s methods.</summary>
public abstract class Trace
{
    public string? Name { get; internal set; }
    public Color Color { get; internal set; }
    public bool ShowLegend { get; internal set; } = true;
    internal abstract (double X0, double X1, double Y0, double Y1) DataBounds(bool logX, bool logY);
    internal virtual bool PadX => false;
    internal virtual bool PadY => true;
}

public sealed class ScatterTrace : Trace
{
    public double[] X { get; internal init; } = [];
    public double[] Y { get; internal init; } = [];
    public Mode Mode { get; internal set; }
    public double LineWidth { get; internal set; } = 2;
    public Dash Dash { get; internal set; }
    public double MarkerSize { get; internal set; } = 6;
    public double Opacity { get; internal set; } = 1;
    /// <summary>Fill the area between the line and y = 0.</summary>
    public bool FillToZero { get; internal set; }

    internal override bool PadX => Mode != Mode.Lines;
    internal override (double, double, double, double) DataBounds(bool logX, bool logY)
    {
        var (x0, x1) = Bounds.Of(X, logX);
        var (y0, y1) = Bounds.Of(Y, logY);
        if (FillToZero && !logY) { y0 = Math.Min(y0, 0); y1 = Math.Max(y1, 0); }
        return (x0, x1, y0, y1);
    }
}

public sealed class HistogramTrace : Trace
{
    public double[] Values { get; internal init; } = [];
    public double BinStart { get; internal init; }
    public double BinSize { get; internal init; }
    public double[] Heights { get; internal init; } = [];
    public HistNorm Norm { get; internal init; }
    public double Opacity { get; internal set; } = 0.75;

    internal override (double, double, double, double) DataBounds(bool logX, bool logY) =>
        (BinStart, BinStart + BinSize * Heights.Length, 0, Heights.Length == 0 ? 1 : Heights.Max());
}

/// <summary>A colour-coded grid: an explicit matrix (plotly "heatmap") or binned samples ("histogram2d").</summary>
public sealed class HeatmapTrace : Trace
{
    /// <summary>Z[row, col]; rows run along y, columns along x.</summary>
    public double[,] Z { get; internal init; } = new double[0, 0];
    /// <summary>Cell edges: X has cols+1 entries, Y rows+1.</summary>
    public double[] XEdges { get; internal init; } = [];
    public double[] YEdges { get; internal init; } = [];
    public ColorMap ColorMap { get; internal set; } = ColorMap.Viridis;
    public double ZMin { get; internal set; }
    public double ZMax { get; internal set; }
    public bool ShowScale { get; internal set; } = true;
    public string? ColorbarTitle { get; internal set; }
    /// <summary>Set for a 2D histogram: the raw samples, so plotly.js can bin them itself.</summary>
    internal (double[] X, double[] Y, HistNorm Norm)? Samples { get; init; }

    internal override bool PadY => false;
    internal override (double, double, double, double) DataBounds(bool logX, bool logY) =>
        (XEdges[0], XEdges[^1], YEdges[0], YEdges[^1]);
}

/// <summary>Arrows (u, v) anchored at (x, y): a vector field such as a score function.</summary>
public sealed class QuiverTrace : Trace
{
    public double[] X { get; internal init; } = [];
    public double[] Y { get; internal init; } = [];
    public double[] U { get; internal init; } = [];
    public double[] V { get; internal init; } = [];
    /// <summary>Data units of arrow length per unit of vector magnitude.</summary>
    public double Scale { get; internal set; }
    public double LineWidth { get; internal set; } = 1.5;
    /// <summary>When set, arrows are coloured by their magnitude.</summary>
    public ColorMap? ColorMap { get; internal set; }

    internal override bool PadX => true;
    internal override bool PadY => true;
    internal override (double, double, double, double) DataBounds(bool logX, bool logY)
    {
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        for (int i = 0; i < X.Length; i++)
        {
            double ax = X[i], ay = Y[i], bx = ax + U[i] * Scale, by = ay + V[i] * Scale;
            if (!double.IsFinite(bx) || !double.IsFinite(by)) { bx = ax; by = ay; }
            x0 = Math.Min(x0, Math.Min(ax, bx)); x1 = Math.Max(x1, Math.Max(ax, bx));
            y0 = Math.Min(y0, Math.Min(ay, by)); y1 = Math.Max(y1, Math.Max(ay, by));
        }
        return (x0, x1, y0, y1);
    }
}

/// <summary>A picture drawn in pixel coordinates: x from -0.5 to width-0.5, y downwards.</summary>
public sealed class ImageTrace : Trace
{
    public RgbaImage Image { get; internal init; } = new(1, 1);
    internal override bool PadY => false;
    internal override (double, double, double, double) DataBounds(bool logX, bool logY) =>
        (-0.5, Image.Width - 0.5, -0.5, Image.Height - 0.5);
}

internal static class Bounds
{
    public static (double Min, double Max) Of(double[] v, bool log = false)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var x in v)
        {
            if (!double.IsFinite(x) || (log && x <= 0)) continue;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
        }
        return (lo, hi);
    }
}

namespace Course.Visuals;

public sealed partial class Figure
{
    /// <summary>A line through (x, y); NaN values break the line.</summary>
    public Figure Line(Values x, Values y, string? name = null, Color? color = null, double width = 2,
        Dash dash = Dash.Solid, bool fillToZero = false)
        => Scatter(x, y, name, color, mode: Mode.Lines, lineWidth: width, dash: dash, fillToZero: fillToZero);

    /// <summary>A line through (i, y[i]).</summary>
    public Figure Line(Values y, string? name = null, Color? color = null, double width = 2, Dash dash = Dash.Solid)
        => Line(Values.Range(y.Length), y, name, color, width, dash);

    /// <summary>Plots f on [from, to] sampled at <paramref name="points"/> points (a pdf, a schedule, ...).</summary>
    public Figure Function(Func<double, double> f, double from, double to, string? name = null, Color? color = null,
        double width = 2, Dash dash = Dash.Solid, int points = 200)
    {
        var x = Values.Linspace(from, to, Math.Max(2, points));
        return Line(x, x.Data.Select(f).ToArray(), name, color, width, dash);
    }

    /// <summary>Points at (x, y); use <paramref name="mode"/> for lines and markers together.</summary>
    public Figure Scatter(Values x, Values y, string? name = null, Color? color = null, double size = 6,
        double opacity = 1, Mode mode = Mode.Markers, double lineWidth = 2, Dash dash = Dash.Solid, bool fillToZero = false)
    {
        if (x.Length != y.Length) throw new ArgumentException(LearnerMessages.LengthsDiffer(x.Length, y.Length));
        return Add(new ScatterTrace
        {
            X = x.Data, Y = y.Data, Name = name, Color = NextColor(name, color), Mode = mode, MarkerSize = size,
            Opacity = Math.Clamp(opacity, 0, 1), LineWidth = lineWidth, Dash = dash, FillToZero = fillToZero,
        });
    }

    /// <summary>A histogram of samples. <paramref name="densityCurve"/> overlays a Gaussian kernel
    /// density estimate on the same scale as the bars.</summary>
    public Figure Histogram(Values values, int? bins = null, string? name = null, Color? color = null,
        HistNorm norm = HistNorm.Count, bool densityCurve = false, (double Min, double Max)? range = null, double opacity = 0.75)
    {
        var v = values.Data.Where(double.IsFinite).ToArray();
        if (v.Length == 0) throw new ArgumentException(LearnerMessages.HistogramNeedsValue);
        var (lo, hi) = range ?? (v.Min(), v.Max());
        int n = bins ?? Binning.AutoBins(v);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(bins), LearnerMessages.AtLeastOneBin);
        if (hi <= lo) { lo -= 0.5; hi += 0.5; }
        double size = (hi - lo) / n;
        var heights = Binning.Histogram1D(v, lo, size, n, norm);
        var c = NextColor(name, color);
        Add(new HistogramTrace { Values = v, BinStart = lo, BinSize = size, Heights = heights, Norm = norm, Name = name, Color = c, Opacity = opacity });
        if (densityCurve)
        {
            double scale = norm switch { HistNorm.Density => 1, HistNorm.Probability => size, _ => size * v.Length };
            var (xs, ys) = Binning.Kde(v, lo, hi);
            Add(new ScatterTrace
            {
                X = xs, Y = ys.Select(d => d * scale).ToArray(), Mode = Mode.Lines, LineWidth = 2.2,
                Color = c.Lerp(Color.Black, 0.35), Name = name is null ? "KDE" : name + " (KDE)", ShowLegend = name is not null,
            });
        }
        return this;
    }

    /// <summary>A 2D histogram of samples (x[i], y[i]) shown as a heatmap: the empirical density.</summary>
    public Figure Histogram2D(Values x, Values y, int bins = 50, ColorMap? colorMap = null, HistNorm norm = HistNorm.Count,
        (double Min, double Max)? xRange = null, (double Min, double Max)? yRange = null, string? colorbarTitle = null,
        bool showScale = true)
    {
        if (x.Length != y.Length) throw new ArgumentException(LearnerMessages.LengthsDiffer(x.Length, y.Length));
        if (bins < 1 || bins > 2000) throw new ArgumentOutOfRangeException(nameof(bins), "1 to 2000 bins per axis.");
        var (x0, x1) = xRange ?? Bounds.Of(x.Data);
        var (y0, y1) = yRange ?? Bounds.Of(y.Data);
        if (!double.IsFinite(x0) || !double.IsFinite(y0)) throw new ArgumentException("A 2D histogram needs finite samples.");
        if (x1 <= x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }
        var z = Binning.Histogram2D(x.Data, y.Data, x0, x1, y0, y1, bins, bins, norm);
        var t = new HeatmapTrace
        {
            Z = z, XEdges = Values.Linspace(x0, x1, bins + 1).Data, YEdges = Values.Linspace(y0, y1, bins + 1).Data,
            ColorMap = colorMap ?? ColorMap.Viridis, ZMin = 0, ZMax = Max(z), ShowScale = showScale,
            ColorbarTitle = colorbarTitle ?? (norm == HistNorm.Count ? "count" : norm == HistNorm.Density ? "density" : "fraction"),
            Samples = (x.Data, y.Data, norm),
        };
        return Add(t);
    }

    /// <summary>A heatmap of z[row, col] (rows along y). <paramref name="x"/> and <paramref name="y"/> are
    /// cell centres (or edges, one longer); by default the column and row indices.</summary>
    public Figure Heatmap(double[,] z, Values? x = null, Values? y = null, ColorMap? colorMap = null,
        double? zMin = null, double? zMax = null, string? colorbarTitle = null, bool showScale = true)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException("A heatmap needs at least one cell.");
        double lo = zMin ?? Min(z), hi = zMax ?? Max(z);
        if (!(hi > lo)) { hi = lo + 1; }
        return Add(new HeatmapTrace
        {
            Z = z, XEdges = Binning.Edges(x?.Data, cols), YEdges = Binning.Edges(y?.Data, rows),
            ColorMap = colorMap ?? ColorMap.Viridis, ZMin = lo, ZMax = hi, ShowScale = showScale, ColorbarTitle = colorbarTitle,
        });
    }

    /// <summary>Heatmap from a flat row-major array.</summary>
    public Figure Heatmap(Values z, int rows, int columns, Values? x = null, Values? y = null, ColorMap? colorMap = null,
        double? zMin = null, double? zMax = null, string? colorbarTitle = null)
    {
        if (z.Length != rows * columns) throw new ArgumentException($"{rows}x{columns} cells need {rows * columns} values, got {z.Length}.");
        var m = new double[rows, columns];
        for (int r = 0; r < rows; r++) for (int c = 0; c < columns; c++) m[r, c] = z[r * columns + c];
        return Heatmap(m, x, y, colorMap, zMin, zMax, colorbarTitle);
    }

    /// <summary>A vector field: an arrow (u, v) at each (x, y). With <paramref name="scale"/> null the
    /// longest arrow is scaled to about one grid spacing. <paramref name="colorMap"/> colours by magnitude.</summary>
    public Figure Quiver(Values x, Values y, Values u, Values v, double? scale = null, string? name = null,
        Color? color = null, ColorMap? colorMap = null, double width = 1.5)
    {
        int n = x.Length;
        if (y.Length != n || u.Length != n || v.Length != n)
            throw new ArgumentException($"x, y, u, v must have equal lengths; got {x.Length}, {y.Length}, {u.Length}, {v.Length}.");
        double s = scale ?? Binning.AutoArrowScale(x.Data, y.Data, u.Data, v.Data);
        return Add(new QuiverTrace
        {
            X = x.Data, Y = y.Data, U = u.Data, V = v.Data, Scale = s, Name = name,
            Color = colorMap is null ? NextColor(name, color) : color ?? Color.Black, ColorMap = colorMap, LineWidth = width,
        });
    }

    /// <summary>A vector field f(x, y) = (u, v) sampled on an n x n grid over the given box.</summary>
    public Figure Quiver(Func<double, double, (double U, double V)> field, (double Min, double Max) xRange,
        (double Min, double Max) yRange, int n = 20, double? scale = null, string? name = null, Color? color = null, ColorMap? colorMap = null)
    {
        var xs = new List<double>(); var ys = new List<double>(); var us = new List<double>(); var vs = new List<double>();
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
            {
                double px = xRange.Min + (xRange.Max - xRange.Min) * (i + 0.5) / n, py = yRange.Min + (yRange.Max - yRange.Min) * (j + 0.5) / n;
                var (fu, fv) = field(px, py);
                xs.Add(px); ys.Add(py); us.Add(fu); vs.Add(fv);
            }
        return Quiver(xs, ys, us, vs, scale, name, color, colorMap);
    }

    /// <summary>Shows one picture in the current panel (axes hidden, pixels square).</summary>
    public Figure Image(RgbaImage image, string? title = null)
    {
        CurrentPanel.AxesVisible = false;
        CurrentPanel.EqualAspect = true;
        CurrentPanel.ReverseY = true;
        CurrentPanel.Grid = false;
        if (title is not null) CurrentPanel.Title = title;
        return Add(new ImageTrace { Image = image, ShowLegend = false });
    }

    /// <summary>Shows image <paramref name="index"/> of a batch.</summary>
    public Figure Image(ImageBatch batch, int index = 0, string? title = null) => Image(batch.ToImage(index), title);

    private static double Min(double[,] z) { double m = double.PositiveInfinity; foreach (var v in z) if (double.IsFinite(v) && v < m) m = v; return double.IsFinite(m) ? m : 0; }
    private static double Max(double[,] z) { double m = double.NegativeInfinity; foreach (var v in z) if (double.IsFinite(v) && v > m) m = v; return double.IsFinite(m) ? m : 1; }
}

using Course.Visuals.Display;
using Course.Visuals.Rendering;
using GenericChart = Plotly.NET.GenericChart;

namespace Course.Visuals;

/// <summary>
/// A figure: a grid of panels holding traces, built fluently and rendered to PNG, SVG, interactive
/// Plotly HTML or JSON. Trace methods add to the current panel (the first, or the one chosen with
/// <see cref="At"/>).
/// <code>
/// new Figure().Title("Noise schedule")
///     .Line(t, alphaBar, name: "ᾱ_t").Line(t, beta, name: "β_t", dash: Dash.Dash)
///     .XLabel("t").Save("schedule.png");
/// </code>
/// </summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "text/html", "image/png" })]
public sealed partial class Figure : IVisual
{
    private Panel[] _panels = { new() };
    private int _current;

    public int Width { get; private set; }
    public int Height { get; private set; }
    public string? TitleText { get; private set; }
    public int Rows { get; private set; } = 1;
    public int Columns { get; private set; } = 1;
    /// <summary>null: show a legend when some trace has a name.</summary>
    public bool? ShowLegend { get; private set; }
    public IReadOnlyList<Panel> Panels => _panels;
    public Panel CurrentPanel => _panels[_current];

    public Figure(int width = 640, int height = 420)
    {
        Size(width, height);
    }

    public static Figure Create(int width = 640, int height = 420) => new(width, height);

    // ---- figure-level settings ---------------------------------------------------------------

    public Figure Size(int width, int height)
    {
        if (width < 50 || height < 50 || width > 8000 || height > 8000)
            throw new ArgumentOutOfRangeException(nameof(width), LearnerMessages.FigureSize(width, height));
        Width = width; Height = height;
        return this;
    }

    /// <summary>The figure's title, above all panels.</summary>
    public Figure Title(string? title) { TitleText = title; return this; }

    public Figure Legend(bool show = true) { ShowLegend = show; return this; }

    /// <summary>Makes a rows x columns grid of panels (existing traces stay in the first panel).</summary>
    public Figure Subplots(int rows, int columns, params string[] titles)
    {
        if (rows < 1 || columns < 1 || rows * columns > 1024) throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows}x{columns} grid is not possible.");
        var old = _panels;
        _panels = Enumerable.Range(0, rows * columns).Select(_ => new Panel()).ToArray();
        _panels[0] = old[0];
        for (int i = 0; i < titles.Length && i < _panels.Length; i++) _panels[i].Title = titles[i];
        Rows = rows; Columns = columns; _current = 0;
        return this;
    }

    /// <summary>Selects the panel that following calls add to (row and column from 0).</summary>
    public Figure At(int row, int column)
    {
        if (row < 0 || row >= Rows || column < 0 || column >= Columns)
            throw new ArgumentOutOfRangeException(nameof(row), LearnerMessages.PanelOutside(row, column, Rows, Columns));
        _current = row * Columns + column;
        return this;
    }

    /// <summary>Selects panel <paramref name="index"/> in row-major order.</summary>
    public Figure At(int index) => At(index / Columns, index % Columns);

    // ---- panel settings ----------------------------------------------------------------------

    public Figure PanelTitle(string? title) { CurrentPanel.Title = title; return this; }
    public Figure XLabel(string? label) { CurrentPanel.XLabel = label; return this; }
    public Figure YLabel(string? label) { CurrentPanel.YLabel = label; return this; }
    public Figure XRange(double min, double max) { CurrentPanel.XRange = CheckRange(min, max); return this; }
    public Figure YRange(double min, double max) { CurrentPanel.YRange = CheckRange(min, max); return this; }
    public Figure LogX(bool log = true) { CurrentPanel.LogX = log; return this; }
    public Figure LogY(bool log = true) { CurrentPanel.LogY = log; return this; }
    public Figure EqualAspect(bool equal = true) { CurrentPanel.EqualAspect = equal; return this; }
    public Figure Grid(bool show = true) { CurrentPanel.Grid = show; return this; }
    public Figure HideAxes() { CurrentPanel.AxesVisible = false; return this; }

    private static (double, double) CheckRange(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min == max)
            throw new ArgumentException($"Axis range [{min}, {max}] must be finite and non-empty.");
        return (Math.Min(min, max), Math.Max(min, max));
    }

    // ---- colours -----------------------------------------------------------------------------

    private Color NextColor(string? name, Color? requested)
    {
        if (requested is { } c) return c;
        var all = _panels.SelectMany(p => p.Traces).ToList();
        if (name is not null && all.FirstOrDefault(t => t.Name == name) is { } same) return same.Color;
        return Palette.Pick(all.Count(t => t is ScatterTrace or HistogramTrace or QuiverTrace));
    }

    private Figure Add(Trace t)
    {
        if (t.Name is not null && _panels.SelectMany(p => p.Traces).Any(o => o.Name == t.Name && o.ShowLegend)) t.ShowLegend = false;
        CurrentPanel.Traces.Add(t);
        return this;
    }

    // ---- rendering ---------------------------------------------------------------------------

    internal Scene ToScene() => new FigureLayout(this).Build();

    /// <summary>Rasterizes the static figure; <paramref name="scale"/> 2 doubles the resolution.</summary>
    public RgbaImage ToImage(double scale = 1) => SceneRasterizer.Render(ToScene(), scale);

    public byte[] ToPng(double scale = 1) => ToImage(scale).ToPng();

    public string ToSvg() => SvgWriter.Write(ToScene());

    /// <summary>The figure as a Plotly.NET chart, laid out like the static picture; keep styling it with
    /// Plotly.NET's own functions (Chart.withTitle, GenericChart.mapLayout, ...).</summary>
    public GenericChart ToPlotly() => PlotlyChart.Chart(this, null);

    /// <summary>The plotly.js figure JSON as Plotly.NET writes it: {"data": [...], "layout": {...}, "frames": []}.</summary>
    public string ToPlotlyJson() => GenericChart.toFigureJson(ToPlotly());

    /// <summary>An HTML fragment (Plotly.NET's div and script) that draws the figure with plotly.js.</summary>
    public string ToHtml(PlotlyOptions? options = null) => PlotlyHtml.Fragment(ToPlotly(), options);

    /// <summary>A standalone HTML page (Plotly.NET's) drawing the figure with plotly.js.</summary>
    public string ToHtmlPage(PlotlyOptions? options = null) => PlotlyHtml.Page(ToPlotly(), options, TitleText ?? "figure");

    /// <summary>Saves by extension: .png, .svg, .html, .json or .gif (a single frame).</summary>
    public void Save(string path, double scale = 1) => Saving.Save(this, path, scale);

    /// <summary>Shows this figure as interactive plotly.js in a notebook (PNG stays available as fallback),
    /// whether or not it is a chart (<see cref="IsChart"/>); charts are interactive without it.</summary>
    public InteractiveView Interactive(PlotlyOptions? options = null) => new(this, options);

    /// <summary>The most values (points of lines and markers, histogram samples) a figure may hold and still be
    /// shown as an interactive chart: beyond it the chart's JSON outweighs what hovering over it gives.</summary>
    public const int ChartValueLimit = 20_000;

    /// <summary>The most panels an interactive chart may have (Plotly.NET's layout JSON grows slowly with panels).</summary>
    public const int ChartPanelLimit = 12;

    /// <summary>The most points a figure of markers alone may have and still be a chart: a few measured points
    /// (one per model, per setting) are read value by value; more are a point cloud, seen as a whole.</summary>
    public const int ChartMarkerLimit = 200;

    /// <summary>
    /// Whether a notebook shows this figure as an interactive chart (with its PNG beside it): true when it
    /// plots values a reader wants to read off or zoom into, that is every trace is a line, markers or a
    /// histogram, at least one is a line or a histogram (or the markers are at most <see cref="ChartMarkerLimit"/>
    /// points), and it holds at most <see cref="ChartValueLimit"/> values in at most <see cref="ChartPanelLimit"/>
    /// panels. Loss and metric curves, schedules, SNR and comparisons of measured points are charts; point
    /// clouds, heat maps, vector fields and images stay pictures.
    /// </summary>
    public bool IsChart
    {
        get
        {
            var traces = _panels.SelectMany(p => p.Traces).ToList();
            if (traces.Count == 0 || _panels.Length > ChartPanelLimit) return false;
            if (!traces.All(t => t is ScatterTrace or HistogramTrace)) return false;
            long values = traces.Sum(t => t switch { ScatterTrace s => (long)s.X.Length, HistogramTrace h => h.Values.Length, _ => 0 });
            bool markersOnly = !traces.Any(t => t is HistogramTrace || t is ScatterTrace { Mode: not Mode.Markers });
            return values <= (markersOnly ? ChartMarkerLimit : ChartValueLimit);
        }
    }

    string IVisual.ToPlotlyHtml(PlotlyOptions? options) => ToHtml(options);
    RgbaImage IVisual.Render(double scale) => ToImage(scale);
}

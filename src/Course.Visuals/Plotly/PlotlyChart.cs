using Course.Visuals.Rendering;
using DynamicObj;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;
using PlotlyFont = Plotly.NET.Font;
using PlotlyLine = Plotly.NET.Line;
using PlotlyTrace = Plotly.NET.Trace;

namespace Course.Visuals;

/// <summary>Translates a figure into a Plotly.NET chart, placing panels, legend and colour bars where
/// the static layout puts them, so both renderings look alike. Properties go onto Plotly.NET's own
/// objects (Trace2D, LinearAxis, Marker, Line, Title, ...) under plotly.js's names, so Plotly.NET's
/// styling functions find and extend them; Plotly.NET writes the JSON and the HTML.</summary>
internal static class PlotlyChart
{
    public static GenericChart Chart(Figure f, FigureLayout? layout)
    {
        layout ??= new FigureLayout(f).Compute();
        var chart = GenericChart.ofTraceObjects(false, Data(layout));
        chart = GenericChart.setLayout(Layout(f, layout), chart);
        return GenericChart.setConfig(Config(), chart);
    }

    public static Config Config() => new Config().With("displaylogo", false).With("responsive", false);

    public static T With<T>(this T o, string key, object? value) where T : DynamicObj.DynamicObj
    {
        o.SetProperty(key, value);
        return o;
    }

    public static List<PlotlyTrace> Data(FigureLayout layout)
    {
        var data = new List<PlotlyTrace>();
        for (int k = 0; k < layout.Panels.Count; k++)
        {
            var p = layout.Panels[k];
            foreach (var t in p.Panel.Traces)
                foreach (var json in Trace(t, p, k + 1, layout))
                    data.Add(json);
        }
        return data;
    }


    private static string Axis(string a, int k) => k == 1 ? a : a + k;

    private static IEnumerable<PlotlyTrace> Trace(Trace trace, PanelLayout p, int k, FigureLayout layout)
    {
        Trace2D Base(string type)
        {
            var o = new Trace2D(type).With("xaxis", Axis("x", k)).With("yaxis", Axis("y", k));
            if (trace.Name is not null) o.With("name", trace.Name).With("legendgroup", trace.Name);
            o.With("showlegend", trace.Name is not null && trace.ShowLegend && layout.Legend.Count > 0);
            return o;
        }
        switch (trace)
        {
            case ScatterTrace s:
            {
                var o = Base("scatter")
                    .With("mode", s.Mode switch { Mode.Lines => "lines", Mode.Markers => "markers", _ => "lines+markers" })
                    .With("x", Arr(s.X)).With("y", Arr(s.Y))
                    .With("line", new PlotlyLine().With("color", s.Color.ToCss()).With("width", s.LineWidth).With("dash", DashName(s.Dash)))
                    .With("marker", new Marker().With("color", s.Color.ToCss()).With("size", s.MarkerSize));
                if (s.Opacity < 1) o.With("opacity", s.Opacity);
                if (s.FillToZero) o.With("fill", "tozeroy").With("fillcolor", s.Color.WithAlpha(0.22).ToCss());
                yield return o;
                break;
            }
            case HistogramTrace h:
            {
                yield return Base("histogram")
                    .With("x", Arr(h.Values)).With("autobinx", false)
                    .With("xbins", new Bins().With("start", h.BinStart).With("end", h.BinStart + h.BinSize * h.Heights.Length).With("size", h.BinSize))
                    .With("histnorm", NormName(h.Norm))
                    .With("marker", new Marker().With("color", h.Color.ToCss()).With("line", new PlotlyLine().With("color", "white").With("width", 0.5)))
                    .With("opacity", h.Opacity);
                break;
            }
            case HeatmapTrace hm:
            {
                Trace2D o;
                if (hm.Samples is { } smp)
                    o = Base("histogram2d")
                        .With("x", Arr(smp.X)).With("y", Arr(smp.Y)).With("autobinx", false).With("autobiny", false)
                        .With("xbins", Bins(hm.XEdges)).With("ybins", Bins(hm.YEdges)).With("histnorm", NormName(smp.Norm));
                else
                {
                    int rows = hm.Z.GetLength(0), cols = hm.Z.GetLength(1);
                    var z = new double?[rows][];
                    for (int r = 0; r < rows; r++)
                    {
                        var row = new double[cols];
                        for (int c = 0; c < cols; c++) row[c] = hm.Z[r, c];
                        z[r] = Arr(row);
                    }
                    o = Base("heatmap").With("z", z).With("x", Arr(Centres(hm.XEdges))).With("y", Arr(Centres(hm.YEdges)));
                }
                o.With("zmin", hm.ZMin).With("zmax", hm.ZMax).With("zauto", false)
                    .With("colorscale", ColorScale(hm.ColorMap)).With("showscale", hm.ShowScale && p.ScaleOwner == hm);
                if (p.ScaleOwner == hm) o.With("colorbar", Colorbar(p, layout));
                yield return o;
                break;
            }
            case QuiverTrace q:
                foreach (var o in Quiver(q, p, Base, layout)) yield return o;
                break;
            case ImageTrace im:
                yield return Base("image")
                    .With("source", "data:image/png;base64," + Convert.ToBase64String(im.Image.ToPng()))
                    .With("x0", 0).With("y0", 0).With("dx", 1).With("dy", 1).With("hoverinfo", "x+y");
                break;
        }
    }

    // Arrows become two scatter traces per colour: shafts as NaN-separated line segments, heads as
    // filled triangles ("toself" fills each gap-separated segment). Geometry comes from the static layout.
    private static IEnumerable<Trace2D> Quiver(QuiverTrace q, PanelLayout p, Func<string, Trace2D> baseOf, FigureLayout layout)
    {
        const int Buckets = 8;
        double maxMag = p.QuiverScaleOwner == q ? p.ColorRange.Max : 1;
        var groups = new Dictionary<int, (List<double?> Sx, List<double?> Sy, List<double?> Hx, List<double?> Hy)>();
        double Ix(double px) => p.X.Min + (px - p.X.P0) / (p.X.P1 - p.X.P0) * (p.X.Max - p.X.Min);
        double Iy(double py) => p.Y.Min + (py - p.Y.P0) / (p.Y.P1 - p.Y.P0) * (p.Y.Max - p.Y.Min);
        double Ux(double px) => p.X.Log ? Math.Pow(10, Ix(px)) : Ix(px);
        double Uy(double py) => p.Y.Log ? Math.Pow(10, Iy(py)) : Iy(py);
        foreach (var (i, tail, neck, head) in FigureLayout.Arrows(p, q))
        {
            int b = q.ColorMap is null ? 0 : Math.Min(Buckets - 1, (int)(Math.Sqrt(q.U[i] * q.U[i] + q.V[i] * q.V[i]) / maxMag * Buckets));
            if (!groups.TryGetValue(b, out var g)) groups[b] = g = (new(), new(), new(), new());
            g.Sx.Add(q.X[i]); g.Sy.Add(q.Y[i]); g.Sx.Add(Ux(neck.X)); g.Sy.Add(Uy(neck.Y)); g.Sx.Add(null); g.Sy.Add(null);
            foreach (var (hx, hy) in head) { g.Hx.Add(Ux(hx)); g.Hy.Add(Uy(hy)); }
            g.Hx.Add(null); g.Hy.Add(null);
        }
        bool first = true;
        foreach (var (b, g) in groups.OrderBy(kv => kv.Key))
        {
            var color = q.ColorMap is { } cm ? cm[(b + 0.5) / Buckets] : q.Color;
            var shafts = baseOf("scatter").With("mode", "lines").With("x", g.Sx.ToArray()).With("y", g.Sy.ToArray())
                .With("line", new PlotlyLine().With("color", color.ToCss()).With("width", q.LineWidth)).With("hoverinfo", "skip");
            if (!first) shafts.With("showlegend", false);
            var heads = baseOf("scatter").With("mode", "lines").With("x", g.Hx.ToArray()).With("y", g.Hy.ToArray())
                .With("fill", "toself").With("fillcolor", color.ToCss())
                .With("line", new PlotlyLine().With("color", color.ToCss()).With("width", 0.5))
                .With("hoverinfo", "skip").With("showlegend", false);
            first = false;
            yield return shafts;
            yield return heads;
        }
        if (q.ColorMap is { } map && p.QuiverScaleOwner == q)
        {
            // an invisible marker trace carries the colour bar
            yield return baseOf("scatter").With("mode", "markers").With("x", new[] { q.X[0], q.X[0] }).With("y", new[] { q.Y[0], q.Y[0] })
                .With("showlegend", false).With("hoverinfo", "skip")
                .With("marker", new Marker().With("size", 0).With("opacity", 0).With("color", new[] { 0.0, maxMag })
                    .With("cmin", 0.0).With("cmax", maxMag).With("colorscale", ColorScale(map)).With("showscale", true)
                    .With("colorbar", Colorbar(p, layout)));
        }
    }

    private static ColorBar Colorbar(PanelLayout p, FigureLayout layout)
    {
        double W = layout.Width, H = layout.Height;
        var o = new ColorBar()
            .With("x", p.ColorbarX / W).With("xanchor", "left").With("xpad", 0)
            .With("y", 1 - p.T / H).With("yanchor", "top").With("ypad", 0)
            .With("len", (p.B - p.T) / H).With("lenmode", "fraction").With("thickness", 14).With("thicknessmode", "pixels")
            .With("outlinewidth", 0.8).With("outlinecolor", Style.AxisLine.ToCss()).With("ticks", "outside").With("ticklen", 4)
            .With("tickfont", Font(Style.TickSize, Style.TickText));
        if (p.ColorbarTitle is { } t) o.With("title", new Title().With("text", t).With("side", "right").With("font", Font(Style.TickSize)));
        return o;
    }

    private static PlotlyFont Font(double size, Color? color = null)
    {
        var f = new PlotlyFont().With("size", size);
        if (color is { } c) f.With("color", c.ToCss());
        return f;
    }

    public static Layout Layout(Figure f, FigureLayout L)
    {
        double W = f.Width, H = f.Height;
        var o = new Layout()
            .With("width", f.Width).With("height", f.Height).With("autosize", false)
            .With("margin", new Margin().With("l", 0).With("r", 0).With("t", 0).With("b", 0).With("pad", 0))
            .With("paper_bgcolor", "white").With("plot_bgcolor", "white")
            .With("font", Font(Style.TickSize, Style.Text).With("family", SvgWriter.FontFamily.Replace("'", "")))
            .With("showlegend", L.Legend.Count > 0).With("hovermode", "closest").With("bargap", 0.02).With("barmode", "overlay");
        if (L.Title is { } title)
            // the static layout's fitted lines and size; a wrapped title hangs from the top of its first line
            o.With("title", new Title()
                .With("text", string.Join("<br>", title.Lines)).With("x", L.TitleX / W).With("xanchor", "center")
                .With("y", title.Lines.Length == 1 ? 1 - L.TitleY / H : 1 - (L.TitleY - title.Size) / H)
                .With("yanchor", title.Lines.Length == 1 ? "bottom" : "top").With("yref", "paper").With("xref", "paper")
                .With("font", Font(title.Size)));
        if (L.Legend.Count > 0)
            o.With("legend", new Legend()
                .With("x", L.LegendX / W).With("y", 1 - L.LegendY / H).With("xanchor", "left").With("yanchor", "top")
                .With("bgcolor", "rgba(255,255,255,0)").With("font", Font(Style.LegendSize)).With("tracegroupgap", 2));
        var annotations = new List<Annotation>();
        for (int k = 1; k <= L.Panels.Count; k++)
        {
            var p = L.Panels[k - 1];
            var panel = p.Panel;
            o.With(k == 1 ? "xaxis" : "xaxis" + k, AxisOf(panel.AxesVisible, panel.Grid, panel.LogX, panel.XLabel, p.X,
                [p.L / W, p.R / W], Axis("y", k), reversed: false, null, p.X.Ticks, p.X.Labels));
            o.With(k == 1 ? "yaxis" : "yaxis" + k, AxisOf(panel.AxesVisible, panel.Grid, panel.LogY, panel.YLabel, p.Y,
                [1 - p.B / H, 1 - p.T / H], Axis("x", k), reversed: panel.ReverseY, panel.EqualAspect ? Axis("x", k) : null, p.Y.Ticks, p.Y.Labels));
            if (p.Title is { } pt)
                annotations.Add(new Annotation()
                    .With("text", string.Join("<br>", pt.Lines)).With("x", FigureLayout.PanelTitleX(p, pt) / W)
                    .With("y", 1 - (p.T - (panel.AxesVisible ? 7 : 4)) / H).With("xref", "paper").With("yref", "paper")
                    .With("xanchor", "center").With("yanchor", "bottom").With("showarrow", false).With("font", Font(pt.Size)));
        }
        if (annotations.Count > 0) o.With("annotations", annotations);
        return o;
    }

    private static LinearAxis AxisOf(bool visible, bool grid, bool log, string? label, AxisScale a, double[] domain, string anchor,
        bool reversed, string? scaleAnchor, List<double> ticks, string[] labels)
    {
        var o = new LinearAxis()
            .With("domain", domain).With("anchor", anchor).With("type", log ? "log" : "linear")
            .With("range", reversed ? new[] { a.Max, a.Min } : new[] { a.Min, a.Max }).With("autorange", false)
            .With("visible", visible).With("showgrid", grid).With("gridcolor", Style.GridLine.ToCss()).With("zeroline", false)
            .With("showline", true).With("linecolor", Style.AxisLine.ToCss()).With("linewidth", 1)
            .With("ticks", "outside").With("ticklen", Style.TickLength).With("tickcolor", Style.AxisLine.ToCss())
            .With("tickfont", Font(Style.TickSize, Style.TickText)).With("automargin", false);
        if (ticks.Count > 0)
            // the static figure's ticks; plotly.js takes log-axis tick values in data units, not log10 units
            o.With("tickmode", "array").With("tickvals", log ? ticks.Select(t => Math.Pow(10, t)).ToArray() : ticks.ToArray()).With("ticktext", labels);
        if (label is not null) o.With("title", new Title().With("text", label).With("font", Font(Style.LabelSize)).With("standoff", 8));
        if (scaleAnchor is not null) o.With("scaleanchor", scaleAnchor).With("scaleratio", 1);
        return o;
    }

    internal static object[][] ColorScale(ColorMap m) => m.Stops.Select(s => new object[] { Math.Round(s.At, 6), s.Color.ToCss() }).ToArray();

    private static Bins Bins(double[] edges) =>
        new Bins().With("start", edges[0]).With("end", edges[^1]).With("size", (edges[^1] - edges[0]) / (edges.Length - 1));

    private static string NormName(HistNorm n) => n switch { HistNorm.Probability => "probability", HistNorm.Density => "probability density", _ => "" };

    private static double[] Centres(double[] edges) => Enumerable.Range(0, edges.Length - 1).Select(i => (edges[i] + edges[i + 1]) / 2).ToArray();

    private static string DashName(Dash d) => d switch { Dash.Dash => "dash", Dash.Dot => "dot", Dash.DashDot => "dashdot", _ => "solid" };

    /// <summary>Numbers with NaN and infinities as null (plotly.js's gap marker).</summary>
    internal static double?[] Arr(double[] v) => v.Select(x => double.IsFinite(x) ? (double?)x : null).ToArray();
}

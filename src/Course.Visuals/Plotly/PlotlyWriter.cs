using System.Text.Json;
using System.Text.Json.Nodes;
using Course.Visuals.Rendering;

namespace Course.Visuals;

/// <summary>Translates a figure into plotly.js's figure JSON ({data, layout, frames}), placing panels,
/// legend and colour bars where the static layout puts them, so both renderings look alike.</summary>
internal static class PlotlyWriter
{
    public static string FigureJson(Figure f, FigureLayout? layout) => Figure(f, layout).ToJsonString(Options);

    internal static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static JsonObject Figure(Figure f, FigureLayout? layout)
    {
        layout ??= new FigureLayout(f).Compute();
        return new JsonObject { ["data"] = Data(layout), ["layout"] = Layout(f, layout) };
    }

    public static JsonArray Data(FigureLayout layout)
    {
        var data = new JsonArray();
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

    private static IEnumerable<JsonObject> Trace(Trace trace, PanelLayout p, int k, FigureLayout layout)
    {
        JsonObject Base(string type)
        {
            var o = new JsonObject { ["type"] = type, ["xaxis"] = Axis("x", k), ["yaxis"] = Axis("y", k) };
            if (trace.Name is not null) { o["name"] = trace.Name; o["legendgroup"] = trace.Name; }
            o["showlegend"] = trace.Name is not null && trace.ShowLegend && layout.Legend.Count > 0;
            return o;
        }
        switch (trace)
        {
            case ScatterTrace s:
            {
                var o = Base("scatter");
                o["mode"] = s.Mode switch { Mode.Lines => "lines", Mode.Markers => "markers", _ => "lines+markers" };
                o["x"] = Arr(s.X); o["y"] = Arr(s.Y);
                o["line"] = new JsonObject { ["color"] = s.Color.ToCss(), ["width"] = s.LineWidth, ["dash"] = DashName(s.Dash) };
                o["marker"] = new JsonObject { ["color"] = s.Color.ToCss(), ["size"] = s.MarkerSize };
                if (s.Opacity < 1) o["opacity"] = s.Opacity;
                if (s.FillToZero) { o["fill"] = "tozeroy"; o["fillcolor"] = s.Color.WithAlpha(0.22).ToCss(); }
                yield return o;
                break;
            }
            case HistogramTrace h:
            {
                var o = Base("histogram");
                o["x"] = Arr(h.Values);
                o["autobinx"] = false;
                o["xbins"] = new JsonObject { ["start"] = h.BinStart, ["end"] = h.BinStart + h.BinSize * h.Heights.Length, ["size"] = h.BinSize };
                o["histnorm"] = h.Norm switch { HistNorm.Probability => "probability", HistNorm.Density => "probability density", _ => "" };
                o["marker"] = new JsonObject { ["color"] = h.Color.ToCss(), ["line"] = new JsonObject { ["color"] = "white", ["width"] = 0.5 } };
                o["opacity"] = h.Opacity;
                yield return o;
                break;
            }
            case HeatmapTrace hm:
            {
                JsonObject o;
                if (hm.Samples is { } smp)
                {
                    o = Base("histogram2d");
                    o["x"] = Arr(smp.X); o["y"] = Arr(smp.Y);
                    o["autobinx"] = false; o["autobiny"] = false;
                    o["xbins"] = Bins(hm.XEdges); o["ybins"] = Bins(hm.YEdges);
                    o["histnorm"] = smp.Norm switch { HistNorm.Probability => "probability", HistNorm.Density => "probability density", _ => "" };
                }
                else
                {
                    o = Base("heatmap");
                    int rows = hm.Z.GetLength(0), cols = hm.Z.GetLength(1);
                    var z = new JsonArray();
                    for (int r = 0; r < rows; r++)
                    {
                        var row = new double[cols];
                        for (int c = 0; c < cols; c++) row[c] = hm.Z[r, c];
                        z.Add(Arr(row));
                    }
                    o["z"] = z;
                    o["x"] = Arr(Centres(hm.XEdges)); o["y"] = Arr(Centres(hm.YEdges));
                }
                o["zmin"] = hm.ZMin; o["zmax"] = hm.ZMax; o["zauto"] = false;
                o["colorscale"] = ColorScale(hm.ColorMap);
                o["showscale"] = hm.ShowScale && p.ScaleOwner == hm;
                if (p.ScaleOwner == hm) o["colorbar"] = Colorbar(p, layout);
                yield return o;
                break;
            }
            case QuiverTrace q:
                foreach (var o in Quiver(q, p, Base, layout)) yield return o;
                break;
            case ImageTrace im:
            {
                var o = Base("image");
                o["source"] = "data:image/png;base64," + Convert.ToBase64String(im.Image.ToPng());
                o["x0"] = 0; o["y0"] = 0; o["dx"] = 1; o["dy"] = 1;
                o["hoverinfo"] = "x+y";
                yield return o;
                break;
            }
        }
    }

    // Arrows become two scatter traces per colour: shafts as NaN-separated line segments, heads as
    // filled triangles ("toself" fills each gap-separated segment). Geometry comes from the static layout.
    private static IEnumerable<JsonObject> Quiver(QuiverTrace q, PanelLayout p, Func<string, JsonObject> baseOf, FigureLayout layout)
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
            var shafts = baseOf("scatter");
            shafts["mode"] = "lines";
            shafts["x"] = new JsonArray(g.Sx.Select(v => (JsonNode?)v).ToArray());
            shafts["y"] = new JsonArray(g.Sy.Select(v => (JsonNode?)v).ToArray());
            shafts["line"] = new JsonObject { ["color"] = color.ToCss(), ["width"] = q.LineWidth };
            shafts["hoverinfo"] = "skip";
            if (!first) shafts["showlegend"] = false;
            var heads = baseOf("scatter");
            heads["mode"] = "lines";
            heads["x"] = new JsonArray(g.Hx.Select(v => (JsonNode?)v).ToArray());
            heads["y"] = new JsonArray(g.Hy.Select(v => (JsonNode?)v).ToArray());
            heads["fill"] = "toself";
            heads["fillcolor"] = color.ToCss();
            heads["line"] = new JsonObject { ["color"] = color.ToCss(), ["width"] = 0.5 };
            heads["hoverinfo"] = "skip";
            heads["showlegend"] = false;
            first = false;
            yield return shafts;
            yield return heads;
        }
        if (q.ColorMap is { } map && p.QuiverScaleOwner == q)
        {
            // an invisible marker trace carries the colour bar
            var bar = baseOf("scatter");
            bar["mode"] = "markers";
            bar["x"] = new JsonArray(q.X[0], q.X[0]); bar["y"] = new JsonArray(q.Y[0], q.Y[0]);
            bar["showlegend"] = false;
            bar["hoverinfo"] = "skip";
            bar["marker"] = new JsonObject
            {
                ["size"] = 0, ["opacity"] = 0, ["color"] = new JsonArray(0.0, maxMag), ["cmin"] = 0.0, ["cmax"] = maxMag,
                ["colorscale"] = ColorScale(map), ["showscale"] = true, ["colorbar"] = Colorbar(p, layout),
            };
            yield return bar;
        }
    }

    private static JsonObject Colorbar(PanelLayout p, FigureLayout layout)
    {
        double W = layout.Width, H = layout.Height;
        var o = new JsonObject
        {
            ["x"] = p.ColorbarX / W, ["xanchor"] = "left", ["xpad"] = 0,
            ["y"] = 1 - p.T / H, ["yanchor"] = "top", ["ypad"] = 0,
            ["len"] = (p.B - p.T) / H, ["lenmode"] = "fraction", ["thickness"] = 14, ["thicknessmode"] = "pixels",
            ["outlinewidth"] = 0.8, ["outlinecolor"] = Style.AxisLine.ToCss(), ["ticks"] = "outside", ["ticklen"] = 4,
            ["tickfont"] = new JsonObject { ["size"] = Style.TickSize, ["color"] = Style.TickText.ToCss() },
        };
        if (p.ColorbarTitle is { } t) o["title"] = new JsonObject { ["text"] = t, ["side"] = "right", ["font"] = new JsonObject { ["size"] = Style.TickSize } };
        return o;
    }

    public static JsonObject Layout(Figure f, FigureLayout L)
    {
        double W = f.Width, H = f.Height;
        var font = new JsonObject { ["family"] = SvgWriter.FontFamily.Replace("'", ""), ["size"] = Style.TickSize, ["color"] = Style.Text.ToCss() };
        var o = new JsonObject
        {
            ["width"] = f.Width, ["height"] = f.Height, ["autosize"] = false,
            ["margin"] = new JsonObject { ["l"] = 0, ["r"] = 0, ["t"] = 0, ["b"] = 0, ["pad"] = 0 },
            ["paper_bgcolor"] = "white", ["plot_bgcolor"] = "white", ["font"] = font,
            ["showlegend"] = L.Legend.Count > 0, ["hovermode"] = "closest", ["bargap"] = 0.02, ["barmode"] = "overlay",
        };
        if (L.Title is { } title)
            o["title"] = new JsonObject
            {
                // the static layout's fitted lines and size; a wrapped title hangs from the top of its first line
                ["text"] = string.Join("<br>", title.Lines), ["x"] = L.TitleX / W, ["xanchor"] = "center",
                ["y"] = title.Lines.Length == 1 ? 1 - L.TitleY / H : 1 - (L.TitleY - title.Size) / H,
                ["yanchor"] = title.Lines.Length == 1 ? "bottom" : "top", ["yref"] = "paper", ["xref"] = "paper",
                ["font"] = new JsonObject { ["size"] = title.Size },
            };
        if (L.Legend.Count > 0)
            o["legend"] = new JsonObject
            {
                ["x"] = L.LegendX / W, ["y"] = 1 - L.LegendY / H, ["xanchor"] = "left", ["yanchor"] = "top",
                ["bgcolor"] = "rgba(255,255,255,0)", ["font"] = new JsonObject { ["size"] = Style.LegendSize }, ["tracegroupgap"] = 2,
            };
        var annotations = new JsonArray();
        for (int k = 1; k <= L.Panels.Count; k++)
        {
            var p = L.Panels[k - 1];
            var panel = p.Panel;
            o[k == 1 ? "xaxis" : "xaxis" + k] = AxisJson(panel.AxesVisible, panel.Grid, panel.LogX, panel.XLabel, p.X,
                [p.L / W, p.R / W], Axis("y", k), reversed: false, null, p.X.Ticks, p.X.Labels);
            o[k == 1 ? "yaxis" : "yaxis" + k] = AxisJson(panel.AxesVisible, panel.Grid, panel.LogY, panel.YLabel, p.Y,
                [1 - p.B / H, 1 - p.T / H], Axis("x", k), reversed: panel.ReverseY, panel.EqualAspect ? Axis("x", k) : null, p.Y.Ticks, p.Y.Labels);
            if (p.Title is { } pt)
                annotations.Add(new JsonObject
                {
                    ["text"] = string.Join("<br>", pt.Lines), ["x"] = FigureLayout.PanelTitleX(p, pt) / W, ["y"] = 1 - (p.T - (panel.AxesVisible ? 7 : 4)) / H, ["xref"] = "paper", ["yref"] = "paper",
                    ["xanchor"] = "center", ["yanchor"] = "bottom", ["showarrow"] = false, ["font"] = new JsonObject { ["size"] = pt.Size },
                });
        }
        if (annotations.Count > 0) o["annotations"] = annotations;
        return o;
    }

    private static JsonObject AxisJson(bool visible, bool grid, bool log, string? label, AxisScale a, double[] domain, string anchor,
        bool reversed, string? scaleAnchor, List<double> ticks, string[] labels)
    {
        var o = new JsonObject
        {
            ["domain"] = Arr(domain), ["anchor"] = anchor, ["type"] = log ? "log" : "linear",
            ["range"] = reversed ? new JsonArray(a.Max, a.Min) : new JsonArray(a.Min, a.Max), ["autorange"] = false,
            ["visible"] = visible, ["showgrid"] = grid, ["gridcolor"] = Style.GridLine.ToCss(), ["zeroline"] = false,
            ["showline"] = true, ["linecolor"] = Style.AxisLine.ToCss(), ["linewidth"] = 1,
            ["ticks"] = "outside", ["ticklen"] = Style.TickLength, ["tickcolor"] = Style.AxisLine.ToCss(),
            ["tickfont"] = new JsonObject { ["size"] = Style.TickSize, ["color"] = Style.TickText.ToCss() },
            ["automargin"] = false,
        };
        if (ticks.Count > 0)
        {
            // the static figure's ticks; plotly.js takes log-axis tick values in data units, not log10 units
            o["tickmode"] = "array";
            o["tickvals"] = Arr(log ? ticks.Select(t => Math.Pow(10, t)).ToArray() : ticks.ToArray());
            o["ticktext"] = new JsonArray(labels.Select(s => (JsonNode?)s).ToArray());
        }
        if (label is not null) o["title"] = new JsonObject { ["text"] = label, ["font"] = new JsonObject { ["size"] = Style.LabelSize }, ["standoff"] = 8 };
        if (scaleAnchor is not null) { o["scaleanchor"] = scaleAnchor; o["scaleratio"] = 1; }
        return o;
    }

    internal static JsonArray ColorScale(ColorMap m) =>
        new(m.Stops.Select(s => (JsonNode?)new JsonArray(Math.Round(s.At, 6), s.Color.ToCss())).ToArray());

    private static JsonObject Bins(double[] edges) =>
        new() { ["start"] = edges[0], ["end"] = edges[^1], ["size"] = (edges[^1] - edges[0]) / (edges.Length - 1) };

    private static double[] Centres(double[] edges) => Enumerable.Range(0, edges.Length - 1).Select(i => (edges[i] + edges[i + 1]) / 2).ToArray();

    private static string DashName(Dash d) => d switch { Dash.Dash => "dash", Dash.Dot => "dot", Dash.DashDot => "dashdot", _ => "solid" };

    /// <summary>Numbers as JSON, with NaN and infinities as null (plotly.js's gap marker).</summary>
    internal static JsonArray Arr(double[] v) => new(v.Select(x => double.IsFinite(x) ? (JsonNode?)JsonValue.Create(x) : null).ToArray());
}

using System.Text.Json;
using Plotly.NET;
using Figure = Course.Visuals.Figure;
using Color = Course.Visuals.Color;

namespace Course.Visuals.Tests;

public class PlotlyTests
{
    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement;

    private static JsonElement[] Traces(JsonElement fig) => fig.GetProperty("data").EnumerateArray().ToArray();

    [Fact]
    public void Scatter_and_line_use_plotly_scatter_keys()
    {
        var fig = Json(new Figure().Title("T").Line(new[] { 1.0, 2, double.NaN, 4 }, new[] { 1.0, 2, 3, 4 }, name: "l", dash: Dash.Dash)
            .Scatter(new[] { 1.0 }, new[] { 2.0 }, name: "s", size: 9).XLabel("x").LogY().ToPlotlyJson());
        var t = Traces(fig);
        Assert.Equal("scatter", t[0].GetProperty("type").GetString());
        Assert.Equal("lines", t[0].GetProperty("mode").GetString());
        Assert.Equal("dash", t[0].GetProperty("line").GetProperty("dash").GetString());
        Assert.Equal(JsonValueKind.Null, t[0].GetProperty("x")[2].ValueKind); // NaN becomes a gap
        Assert.Equal("markers", t[1].GetProperty("mode").GetString());
        Assert.Equal(9, t[1].GetProperty("marker").GetProperty("size").GetDouble());
        Assert.Equal("s", t[1].GetProperty("name").GetString());
        var layout = fig.GetProperty("layout");
        Assert.Equal("T", layout.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("x", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.True(layout.GetProperty("showlegend").GetBoolean());
    }

    [Fact]
    public void Histograms_heatmaps_and_images_use_their_trace_types()
    {
        var v = Enumerable.Range(0, 100).Select(i => i / 10.0).ToArray();
        var z = new double[3, 4];
        z[1, 2] = double.NaN;
        var fig = Json(new Figure(900, 700).Subplots(2, 2)
            .At(0).Histogram(v, bins: 10, norm: HistNorm.Density)
            .At(1).Histogram2D(v, v, bins: 8)
            .At(2).Heatmap(z, colorMap: ColorMap.RdBu)
            .At(3).Image(new RgbaImage(4, 3, Color.White)).ToPlotlyJson());
        var t = Traces(fig);
        Assert.Equal(new[] { "histogram", "histogram2d", "heatmap", "image" }, t.Select(x => x.GetProperty("type").GetString()));
        Assert.Equal("probability density", t[0].GetProperty("histnorm").GetString());
        Assert.Equal(0.99, t[0].GetProperty("xbins").GetProperty("size").GetDouble(), 9);
        Assert.Equal(9.9 / 8, t[1].GetProperty("xbins").GetProperty("size").GetDouble(), 9);
        Assert.Equal(3, t[2].GetProperty("z").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, t[2].GetProperty("z")[1][2].ValueKind);
        Assert.Equal("#67001f", t[2].GetProperty("colorscale")[0][1].GetString());
        Assert.StartsWith("data:image/png;base64,", t[3].GetProperty("source").GetString());
        // each panel has its own axes, anchored to each other
        Assert.Equal("x4", t[3].GetProperty("xaxis").GetString());
        var layout = fig.GetProperty("layout");
        Assert.Equal("y4", layout.GetProperty("xaxis4").GetProperty("anchor").GetString());
        Assert.Equal(2, layout.GetProperty("yaxis3").GetProperty("domain").GetArrayLength());
    }

    [Fact]
    public void Quiver_is_line_segments_plus_filled_arrowheads()
    {
        var fig = Json(new Figure().Quiver(new[] { 0.0, 1 }, new[] { 0.0, 0 }, new[] { 1.0, 0 }, new[] { 0.0, 1 }).ToPlotlyJson());
        var t = Traces(fig);
        Assert.Equal(2, t.Length);
        Assert.All(t, x => Assert.Equal("scatter", x.GetProperty("type").GetString()));
        Assert.Equal(6, t[0].GetProperty("x").GetArrayLength()); // tail, neck, gap per arrow
        Assert.Equal("toself", t[1].GetProperty("fill").GetString());
        Assert.Equal(8, t[1].GetProperty("x").GetArrayLength()); // 3 head corners and a gap per arrow
    }

    [Fact]
    public void Animation_has_frames_a_slider_and_play_buttons()
    {
        var anim = Animation.Of(new[] { 1, 2, 3 }, k => new Figure().Line(new[] { 0.0, 1 }, new[] { 0.0, k }), "t", cancellationToken: TestContext.Current.CancellationToken);
        var fig = Json(anim.ToPlotlyJson());
        var frames = fig.GetProperty("frames");
        Assert.Equal(3, frames.GetArrayLength());
        Assert.Equal("2", frames[1].GetProperty("name").GetString());
        Assert.Equal(2.0, frames[1].GetProperty("data")[0].GetProperty("y")[1].GetDouble());
        var slider = fig.GetProperty("layout").GetProperty("sliders")[0];
        Assert.Equal(3, slider.GetProperty("steps").GetArrayLength());
        Assert.Equal("animate", slider.GetProperty("steps")[0].GetProperty("method").GetString());
        Assert.Equal("t = ", slider.GetProperty("currentvalue").GetProperty("prefix").GetString());
        Assert.Equal("buttons", fig.GetProperty("layout").GetProperty("updatemenus")[0].GetProperty("type").GetString());
        // axes are fixed over the frames: y spans all three frames' data
        var yr = fig.GetProperty("layout").GetProperty("yaxis").GetProperty("range");
        Assert.True(yr[1].GetDouble() >= 3);
    }

    [Fact]
    public void Html_loads_plotly_from_the_cdn_by_default_and_inlines_it_once_when_offline()
    {
        var html = new Figure().Line(new[] { 1.0, 2 }).ToHtml(PlotlyOptions.Cdn);
        Assert.Contains("cdn.plot.ly", html);
        Assert.Contains("Plotly.newPlot", html);

        PlotlyJs.ResetInlineInclusion();
        var first = new Figure().Line(new[] { 1.0, 2 }).ToHtml(PlotlyOptions.Offline);
        var second = new Figure().Line(new[] { 1.0, 2 }).ToHtml(PlotlyOptions.Offline);
        Assert.Contains("plotly.js v", first);   // the licence header of the bundled plotly.min.js
        Assert.True(first.Length > 1_000_000, $"offline HTML is only {first.Length} characters");
        Assert.DoesNotContain("plotly.js v", second);
        Assert.DoesNotContain("cdn.plot.ly", second);
        Assert.Contains("Plotly.newPlot", second);
    }

    [Fact]
    public void ToPlotly_gives_a_Plotly_NET_chart_with_the_figures_traces_and_data()
    {
        var chart = new Figure(500, 300).Title("T").Subplots(1, 2)
            .At(0).Line(new[] { 0.0, 1, 2 }, new[] { 1.0, 4, 9 }, name: "squares")
            .At(1).Scatter(new[] { 5.0, 6 }, new[] { 7.0, 8 }, name: "points").ToPlotly();
        var traces = GenericChart.getTraces(chart).ToArray();
        Assert.Equal(2, traces.Length);
        Assert.Equal("scatter", traces[0].type);
        Assert.Equal(new double?[] { 1, 4, 9 }, (double?[])traces[0].GetPropertyValue("y"));
        Assert.Equal("y2", traces[1].GetPropertyValue("yaxis"));
        var fig = Json(GenericChart.toFigureJson(chart));
        var t = Traces(fig);
        Assert.Equal("squares", t[0].GetProperty("name").GetString());
        Assert.Equal(new[] { 0.0, 1, 2 }, t[0].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(new[] { 7.0, 8 }, t[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("x2", t[1].GetProperty("xaxis").GetString());
        Assert.Equal(500, fig.GetProperty("layout").GetProperty("width").GetInt32());
    }

    [Fact]
    public void A_learner_can_keep_styling_the_chart_with_Plotly_NET()
    {
        var chart = new Figure().Line(new[] { 1.0, 2, 3 }, name: "a").XLabel("t").ToPlotly();
        // Plotly.NET's own functions update the objects the course put there (LinearAxis, Title, Layout)
        chart = Chart.withTitle("restyled", null).Invoke(chart);
        chart = Chart.withSize(900.0, 500.0).Invoke(chart);
        // ... and so do Plotly.NET.CSharp's C# extension methods
        chart = Plotly.NET.CSharp.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, ShowGrid: true);
        var layout = Json(GenericChart.toFigureJson(chart)).GetProperty("layout");
        Assert.Equal("restyled", layout.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(900, layout.GetProperty("width").GetDouble());
        Assert.True(layout.GetProperty("xaxis").GetProperty("showgrid").GetBoolean());
        Assert.Equal("t", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Contains("restyled", GenericChart.toChartHTML(chart));
    }

    [Fact]
    public void Saving_picks_the_format_from_the_extension()
    {
        var dir = Tools.TempDir("save");
        var fig = new Figure(300, 200).Line(new[] { 1.0, 3, 2 });
        foreach (var ext in new[] { "png", "svg", "html", "json", "gif" }) fig.Save(Path.Combine(dir, "f." + ext));
        Assert.Equal(new byte[] { 137, 80, 78, 71 }, File.ReadAllBytes(Path.Combine(dir, "f.png"))[..4]);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir, "f.svg")));
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(Path.Combine(dir, "f.html")));
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(Path.Combine(dir, "f.gif"))[..6]));
        Json(File.ReadAllText(Path.Combine(dir, "f.json")));
        Assert.Throws<ArgumentException>(() => fig.Save(Path.Combine(dir, "f.bmp")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }
}

using System.Globalization;
using System.Xml.Linq;

namespace Course.Visuals.Tests;

public class SvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string svg) => XDocument.Parse(svg);

    private static List<XElement> Marks(XDocument d, string element, string cls) =>
        d.Descendants(Svg + element).Where(e => (string?)e.Attribute("class") == cls).ToList();

    private static double D(XElement e, string attr) => double.Parse((string)e.Attribute(attr)!, CultureInfo.InvariantCulture);

    [Fact]
    public void Scatter_has_one_circle_per_point_and_a_line_one_path()
    {
        var x = Enumerable.Range(0, 37).Select(i => (double)i).ToArray();
        var doc = Parse(new Figure().Scatter(x, x.Select(v => v * v).ToArray(), name: "pts").Line(x, x, name: "id").ToSvg());
        Assert.Equal(37, Marks(doc, "circle", "point").Count);
        Assert.Single(Marks(doc, "path", "line"));
        Assert.Equal(new[] { "pts", "id" }, Marks(doc, "text", "legend-text").Select(e => e.Value));
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Equal("640", (string?)doc.Root.Attribute("width"));
    }

    [Fact]
    public void Tick_labels_are_nice_evenly_spaced_numbers_inside_the_range()
    {
        var doc = Parse(new Figure().Line(new[] { 0.0, 10 }, new[] { -1.0, 1 }).XRange(0, 10).YRange(-1, 1).ToSvg());
        var xt = Marks(doc, "text", "xtick").Select(e => double.Parse(e.Value.Replace('\u2212', '-'), CultureInfo.InvariantCulture)).ToList();
        var yt = Marks(doc, "text", "ytick").Select(e => double.Parse(e.Value.Replace('\u2212', '-'), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(new[] { 0.0, 2, 4, 6, 8, 10 }, xt);
        Assert.Equal(new[] { -1.0, -0.5, 0, 0.5, 1 }, yt);
        // one tick mark per label on each axis
        Assert.Equal(xt.Count + yt.Count, Marks(doc, "path", "tick").Count);
    }

    [Fact]
    public void Quiver_draws_a_shaft_and_a_head_per_nonzero_arrow()
    {
        var doc = Parse(new Figure().Quiver((x, y) => (-y, x), (-1, 1), (-1, 1), n: 9).ToSvg());
        // the centre of a 9x9 grid over [-1,1]^2 is (0,0), where the field vanishes
        Assert.Equal(80, Marks(doc, "path", "arrow").Count);
        Assert.Equal(80, Marks(doc, "path", "arrowhead").Count);
    }

    [Fact]
    public void Histogram_has_a_bar_per_nonempty_bin_and_density_bars_integrate_to_one()
    {
        var v = Enumerable.Range(0, 1000).Select(i => Math.Sin(i * 12.9898) * 43758.5453 % 1).Select(Math.Abs).ToArray();
        var fig = new Figure().Histogram(v, bins: 20, norm: HistNorm.Density, densityCurve: true);
        var doc = Parse(fig.ToSvg());
        var h = (HistogramTrace)fig.Panels[0].Traces[0];
        Assert.Equal(h.Heights.Count(x => x > 0), Marks(doc, "rect", "bar").Count);
        Assert.Equal(1.0, h.Heights.Sum() * h.BinSize, 9);
        Assert.Single(Marks(doc, "path", "line")); // the KDE curve
    }

    [Fact]
    public void Subplots_image_grid_and_heatmap_emit_their_marks()
    {
        var batch = new ImageBatch(Enumerable.Range(0, 6 * 8 * 8).Select(i => (float)(i % 64) / 63).ToArray(), 6, 1, 8, 8);
        var grid = Parse(Figure.ImageGrid(batch, labels: Enumerable.Range(0, 6).Select(i => $"#{i}").ToArray()).ToSvg());
        Assert.Equal(6, Marks(grid, "image", "image").Count);
        Assert.Equal(6, Marks(grid, "text", "panel-title").Count);
        Assert.Empty(Marks(grid, "text", "xtick"));

        var z = new double[5, 7];
        var heat = Parse(new Figure().Heatmap(z, colorbarTitle: "z").ToSvg());
        Assert.Single(Marks(heat, "image", "heatmap"));
        Assert.Single(Marks(heat, "image", "colorbar"));
        Assert.NotEmpty(Marks(heat, "text", "ctick"));

        var sub = Parse(new Figure(800, 600).Subplots(2, 2, "a", "b", "c", "d").At(1, 1).Line(new[] { 1.0, 2 }).ToSvg());
        Assert.Equal(new[] { "a", "b", "c", "d" }, Marks(sub, "text", "panel-title").Select(e => e.Value));
    }

    [Fact]
    public void Text_is_escaped()
    {
        var doc = Parse(new Figure().Title("a < b & \"c\"").Line(new[] { 1.0, 2 }).ToSvg());
        Assert.Equal("a < b & \"c\"", Marks(doc, "text", "title").Single().Value);
    }

    // Bounding boxes of tick labels, measured with the renderer's own font metrics.
    private static IEnumerable<(double X0, double X1, double Y0, double Y1)> Boxes(XDocument doc, string cls)
    {
        foreach (var e in Marks(doc, "text", cls))
        {
            double x = D(e, "x"), y = D(e, "y"), size = D(e, "font-size");
            double w = Course.Visuals.Rendering.Scene.MeasureText(e.Value, size);
            string anchor = (string?)e.Attribute("text-anchor") ?? "start";
            double x0 = anchor == "middle" ? x - w / 2 : anchor == "end" ? x - w : x;
            yield return (x0, x0 + w, y - size * 0.8, y + size * 0.2);
        }
    }

    public static TheoryData<int, int> Sizes => new() { { 640, 420 }, { 400, 300 }, { 900, 600 }, { 300, 220 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Tick_labels_do_not_overlap_each_other_at_common_sizes(int w, int h)
    {
        var x = Enumerable.Range(0, 200).Select(i => 12345.0 + i * 0.37).ToArray();
        var fig = new Figure(w, h).Subplots(1, 2)
            .At(0, 0).Line(x, x.Select(v => Math.Sin(v) * 1e-3).ToArray()).XLabel("x").YLabel("y")
            .At(0, 1).Histogram2D(x, x.Select(Math.Cos).ToArray(), bins: 20);
        var doc = Parse(fig.ToSvg());
        foreach (var cls in new[] { "xtick", "ytick", "ctick" })
        {
            var boxes = Boxes(doc, cls).ToList();
            for (int i = 0; i < boxes.Count; i++)
                for (int j = i + 1; j < boxes.Count; j++)
                {
                    var (a, b) = (boxes[i], boxes[j]);
                    bool overlap = a.X0 < b.X1 && b.X0 < a.X1 && a.Y0 < b.Y1 && b.Y0 < a.Y1;
                    Assert.False(overlap, $"{cls} labels {i} and {j} overlap at {w}x{h}");
                }
        }
        // every label lies inside the figure
        foreach (var cls in new[] { "xtick", "ytick", "ctick", "xlabel" })
            foreach (var b in Boxes(doc, cls))
                Assert.True(b.X0 >= 0 && b.X1 <= w && b.Y0 >= 0 && b.Y1 <= h, $"{cls} label outside the {w}x{h} figure: {b}");
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Visuals.Tests;

public class TorchAdapterTests
{
    [Fact]
    public void Image_tensors_become_image_batches_and_grids()
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 2 * 1 * 4 * 4).reshape(2, 1, 4, 4);
        ImageBatch batch = x;
        Assert.Equal((2, 1, 4, 4), (batch.Count, batch.Channels, batch.Height, batch.Width));
        Assert.Equal(PixelRange.MinusOneToOne, batch.Range);
        Assert.Equal(0, batch.ToImage(0)[0, 0].R);
        Assert.Equal(255, batch.ToImage(1)[3, 3].R);
        var svg = System.Xml.Linq.XDocument.Parse(x.ShowImages(labels: new[] { "a", "b" }).ToSvg());
        Assert.Equal(2, svg.Descendants().Count(e => (string?)e.Attribute("class") == "image"));
    }

    [Fact]
    public void Point_tensors_feed_scatter_quiver_and_heatmap()
    {
        using var scope = NewDisposeScope();
        var pts = tensor(new float[] { 0, 0, 1, 1, 2, 0 }).reshape(3, 2);
        var fig = new Figure().Scatter(pts).Quiver(pts, pts * 0.5f).At(0).Line(arange(5), arange(5) * 2);
        var s = (ScatterTrace)fig.Panels[0].Traces[0];
        Assert.Equal(new[] { 0.0, 1, 2 }, s.X);
        Assert.Equal(new[] { 0.0, 1, 0 }, s.Y);
        var q = (QuiverTrace)fig.Panels[0].Traces[1];
        Assert.Equal(new[] { 0.0, 0.5, 1 }, q.U);
        var line = (ScatterTrace)fig.Panels[0].Traces[2];
        Assert.Equal(new[] { 0.0, 2, 4, 6, 8 }, line.Y);
        var heat = new Figure().Heatmap(arange(6).reshape(2, 3));
        Assert.Equal(5.0, ((HeatmapTrace)heat.Panels[0].Traces[0]).Z[1, 2]);
        Assert.Throws<ArgumentException>(() => new Figure().Scatter(arange(6)));
    }

    [Fact]
    public void Tensor_summary_reports_shape_dtype_device_and_statistics()
    {
        using var scope = NewDisposeScope();
        var t = tensor(new double[] { 1, 2, 3, 4 }).reshape(2, 2);
        var s = t.Summary("w");
        Assert.Equal(new long[] { 2, 2 }, s.Shape);
        Assert.Equal("float64", s.DType);
        Assert.Equal("cpu", s.Device);
        Assert.Equal(2.5, s.Mean, 9);
        Assert.Equal(t.std().ToDouble(), s.Std, 5);
        Assert.Contains("tensor [2, 2] float64 on cpu", s.ToString());
        Assert.NotNull(TensorSummary.Of(randn(4, 1, 8, 8)).Images);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Visuals.Tests;

/// <summary>The helpers lessons call instead of writing them inline: values as text, the loss curve's
/// moving average, functions and vector fields drawn over a square grid.</summary>
public class LessonHelperTests
{
    [Fact]
    public void Values_text_nests_like_the_tensor_and_uses_the_format()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("[1.00, 2.50, -3.00]", tensor(new float[] { 1, 2.5f, -3 }).ValuesText());
        Assert.Equal("[[0.5000, 0.1250], [-0.2500, 1.0000]]",
            tensor(new double[] { 0.5, 0.125, -0.25, 1 }, new long[] { 2, 2 }).ValuesText("F4"));
        Assert.Equal("[[[0, 1]], [[2, 3]]]", arange(4).reshape(2, 1, 2).ValuesText("0"));
        Assert.Equal("7.0", tensor(7.0).ValuesText("0.0"));
        Assert.Equal("[]", zeros(0).ValuesText());
        Assert.Equal("[2, 3]", zeros(2, 3).ShapeText());
        Assert.Equal("[]", tensor(1.0).ShapeText());
    }

    [Fact]
    public void Values_text_refuses_what_it_cannot_write_on_one_line()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => zeros(TensorText.MaxValues + 1).ValuesText());
        Assert.Contains("1001", e.Message);
        Assert.Throws<ArgumentException>(() => ValuesText.Format(new double[] { 1, 2, 3 }, new long[] { 2, 2 }));
        Assert.Throws<ArgumentException>(() => ValuesText.Format(new double[] { 1 }, new long[] { 1 }, ""));
        Assert.Throws<ArgumentNullException>(() => ((Tensor)null!).ValuesText());
    }

    [Fact]
    public void Growing_moving_average_widens_with_the_step_and_caps_at_the_window()
    {
        var values = Enumerable.Range(0, 40).Select(i => (double)(i * i)).ToArray();
        var smooth = Smoothing.GrowingMovingAverage(values, maxWindow: 4);
        Assert.Equal(0, smooth[0]);                                  // i < 4: no neighbours
        Assert.Equal(9, smooth[3]);
        Assert.Equal((9 + 16 + 25) / 3.0, smooth[4], 12);            // i = 4: one on each side
        Assert.Equal((64 + 81 + 100 + 121 + 144) / 5.0, smooth[10], 12);  // capped at 2 each side
        Assert.Equal((37.0 * 37 + 38 * 38 + 39 * 39) / 3, smooth[39], 12);   // cut at the end
        var constant = Smoothing.GrowingMovingAverage(Enumerable.Repeat(0.25, 500).ToArray(), 100);
        Assert.All(constant, v => Assert.Equal(0.25, v, 12));
        Assert.Empty(Smoothing.GrowingMovingAverage(Array.Empty<double>(), 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Smoothing.GrowingMovingAverage(values, -1));
        Assert.Throws<ArgumentNullException>(() => Smoothing.GrowingMovingAverage(null!, 3));
    }

    [Fact]
    public void Trailing_moving_average_averages_the_last_window_values()
    {
        var values = new double[] { 1, 2, 3, 10, 20 };
        var smooth = Smoothing.TrailingMovingAverage(values, window: 3);
        Assert.Equal(new[] { 1, 1.5, 2, 5, 11 }, smooth);              // (1), (1+2)/2, (1+2+3)/3, (2+3+10)/3, (3+10+20)/3
        Assert.Equal(values, Smoothing.TrailingMovingAverage(values, 1));
        Assert.Equal(new[] { 1, 1.5, 2, 4, 7.2 }, Smoothing.TrailingMovingAverage(values, 50));   // a running mean
        // The same numbers, to the last bit, as the LINQ the lessons used to write inline.
        var random = new Random(4);
        var noisy = Enumerable.Range(0, 300).Select(_ => random.NextDouble()).ToArray();
        var linq = noisy.Select((_, i) => noisy.Skip(Math.Max(0, i - 49)).Take(Math.Min(i + 1, 50)).Average());
        Assert.Equal(linq.ToArray(), Smoothing.TrailingMovingAverage(noisy, 50));
        Assert.Empty(Smoothing.TrailingMovingAverage(Array.Empty<double>(), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Smoothing.TrailingMovingAverage(values, 0));
        Assert.Throws<ArgumentNullException>(() => Smoothing.TrailingMovingAverage(null!, 3));
    }

    [Fact]
    public void Plane_grid_runs_x_fastest_with_y_along_the_rows()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { -1.0, 0, 1 }, PlaneGrid.Ticks(-1, 1, 3));
        var points = PlaneGrid.Points(-1, 1, 3);
        Assert.Equal(ScalarType.Float64, points.dtype);
        Assert.Equal(new double[] { -1, -1, 0, -1, 1, -1, -1, 0, 0, 0, 1, 0, -1, 1, 0, 1, 1, 1 },
            points.data<double>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => PlaneGrid.Points(-1, 1, 1));
        Assert.Throws<ArgumentException>(() => PlaneGrid.Ticks(1, -1, 5));
    }

    [Fact]
    public void Function_heatmap_puts_f_of_each_grid_point_in_its_cell()
    {
        using var scope = NewDisposeScope();
        var fig = new Figure().FunctionHeatmap(p => p[.., 0] + 10 * p[.., 1], 0, 2, cells: 3);
        var heat = (HeatmapTrace)fig.Panels[0].Traces[0];
        Assert.Equal(2 + 10 * 1, heat.Z[1, 2], 6);                   // row = y index, column = x index
        Assert.Equal(0 + 10 * 2, heat.Z[2, 0], 6);
        Assert.Throws<ArgumentException>(() => new Figure().FunctionHeatmap(p => p, 0, 2, cells: 3));
    }

    [Fact]
    public void Vector_field_keeps_directions_and_takes_lengths_to_the_power()
    {
        using var scope = NewDisposeScope();
        // v = (4 x, 0): at x = 1 the length 4 becomes 4^0.5 = 2; at x = -1 it points the other way.
        var fig = new Figure().VectorField(p => stack(new[] { 4 * p[.., 0], zeros_like(p[.., 0]) }, 1), -1, 1,
            arrows: 3, scale: 1, lengthPower: 0.5);
        var q = (QuiverTrace)fig.Panels[0].Traces[0];
        Assert.Equal(new[] { -1.0, 0, 1, -1, 0, 1, -1, 0, 1 }, q.X);
        Assert.Equal(new[] { -2.0, 0, 2, -2, 0, 2, -2, 0, 2 }, q.U.Select(u => Math.Round(u, 6)));
        Assert.All(q.V, v => Assert.Equal(0, v, 9));
        var plain = (QuiverTrace)new Figure().VectorField(p => p * 3, -1, 1, arrows: 3, scale: 1).Panels[0].Traces[0];
        Assert.Equal(3.0, plain.U[2], 6);
        Assert.Throws<ArgumentException>(() => new Figure().VectorField(p => p[.., 0], -1, 1, arrows: 3));
    }
}

using Course.Diffusion.Metrics;

namespace Course.Diffusion.Tests;

public class PixelStatisticsTests
{
    [Fact]
    public void Sharpness_is_the_mean_neighbour_difference_across_and_down()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0, PixelStatistics.Sharpness(full(new long[] { 3, 1, 28, 28 }, 0.7f)));
        // Columns alternating 0, 1: every horizontal step changes by 1, no vertical one: (1 + 0) / 2.
        var stripes = tensor(Enumerable.Range(0, 28).Select(i => (float)(i % 2)).ToArray()).expand(2, 1, 28, 28);
        Assert.Equal(0.5, PixelStatistics.Sharpness(stripes), 6);
        // A ramp of 0.1 per row: (0 + 0.1) / 2; blurring a picture lowers it.
        var ramp = (0.1f * arange(8)).to(float32).reshape(1, 1, 8, 1).expand(1, 1, 8, 5);
        Assert.Equal(0.05, PixelStatistics.Sharpness(ramp), 6);
        using var g = new Generator(3);
        var noise = rand(new long[] { 4, 1, 28, 28 }, generator: g);
        var blurred = nn.functional.avg_pool2d(noise, 3, 1, 1);
        Assert.True(PixelStatistics.Sharpness(blurred) < 0.5 * PixelStatistics.Sharpness(noise));
        // Uniform noise: E|U - U'| = 1/3 for independent neighbours.
        Assert.Equal(1.0 / 3, PixelStatistics.Sharpness(noise), 0.02);
    }

    [Fact]
    public void Diversity_is_the_mean_rms_difference_of_two_different_images()
    {
        using var scope = NewDisposeScope();
        // Constant images 0, c and 2c: pairs at RMS c, 2c and c, so the mean over pairs is 4c / 3.
        var levels = tensor(new float[] { 0, 0.3f, 0.6f }).reshape(3, 1, 1, 1).expand(3, 1, 28, 28);
        Assert.Equal(0.4, PixelStatistics.Diversity(levels), 6);
        Assert.Equal(0.3, PixelStatistics.Diversity(levels.index_select(0, tensor(new long[] { 0, 1 }))), 6);
        // A model that repeats one picture has no diversity, however detailed the picture.
        using var g = new Generator(4);
        var one = randn(new long[] { 1, 1, 28, 28 }, generator: g);
        Assert.Equal(0, PixelStatistics.Diversity(one.expand(5, 1, 28, 28)), 6);
        // Independent standard normal images: E (x - y)² = 2 per pixel, so RMS ≈ √2.
        var many = randn(new long[] { 20, 1, 28, 28 }, generator: g);
        Assert.Equal(Math.Sqrt(2), PixelStatistics.Diversity(many), 0.05);
    }

    [Fact]
    public void Both_refuse_what_is_not_a_batch_of_images()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => PixelStatistics.Sharpness(zeros(28, 28)));
        Assert.Throws<ArgumentException>(() => PixelStatistics.Sharpness(zeros(1, 1, 1, 28)));
        Assert.Throws<ArgumentException>(() => PixelStatistics.Diversity(zeros(1, 1, 28, 28)));
        Assert.Throws<ArgumentNullException>(() => PixelStatistics.Diversity(null!));
    }
}

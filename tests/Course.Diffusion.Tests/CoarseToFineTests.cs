using Course.Diffusion.Metrics;

namespace Course.Diffusion.Tests;

/// <summary>
/// The coarse-to-fine measure on synthetic trajectories whose answer is known: white noise and processes without
/// spatial structure name no order, a process that fixes block averages first names the coarse band, one that fixes
/// detail first names the fine band, and a band's error is a fraction of that band's own content.
/// </summary>
public class CoarseToFineTests
{
    // 41 points, t = 1000, 975, …, 0, as the lesson's DDIM trajectory
    static readonly long[] Times = Enumerable.Range(0, 41).Select(k => 1000L - 25 * k).ToArray();

    static Tensor White(int n, ulong seed) => randn(new long[] { n, 1, 28, 28 }, generator: new Generator(seed));

    // The projection onto images constant on 4 × 4 blocks, at full size.
    static Tensor Coarse4(Tensor x) =>
        nn.functional.interpolate(nn.functional.avg_pool2d(x, 4), scale_factor: new[] { 4.0, 4.0 });

    static double Ramp(long t, double from, double to) => Math.Clamp((t - from) / (to - from), 0, 1);

    [Fact]
    public void Bands_are_orthogonal_and_split_white_noise_by_their_dimensions()
    {
        using var scope = NewDisposeScope();
        var x = White(64, 1);
        var energies = CoarseToFine.BandEnergies(x);
        var total = x.to(float64).square().reshape(64, -1).sum(1).data<double>().ToArray();
        for (int i = 0; i < 64; i++) Assert.Equal(total[i], energies[i].Sum(), 1e-9 * total[i]);
        // White noise puts 49, 147 and 588 of its 784 dimensions' worth in the three bands; each pooled band energy
        // is chi-square with 64·d degrees of freedom, relative sd √(2 / (64 d)) ≤ 2.5 %: four of them as tolerance.
        int[] dims = { 49, 147, 588 };
        double grand = energies.Sum(e => e.Sum());
        for (int b = 0; b < 3; b++)
        {
            double share = energies.Sum(e => e[b]) / grand, expected = dims[b] / 784.0;
            Assert.InRange(share / expected, 1 - 4 * Math.Sqrt(2.0 / (64 * dims[b])), 1 + 4 * Math.Sqrt(2.0 / (64 * dims[b])));
        }
        // Constant on 4 × 4 blocks: all coarse. ±1 on 2 × 2 blocks, zero mean in every 4 × 4 block: all middle.
        // A pixel checkerboard: all fine.
        var blocks = Coarse4(White(2, 2));
        var pattern = tensor(Enumerable.Range(0, 28 * 28).Select(i => (float)(((i / 28 / 2) + (i % 28 / 2)) % 2 * 2 - 1)).ToArray())
            .reshape(1, 1, 28, 28);
        var checker = tensor(Enumerable.Range(0, 28 * 28).Select(i => (float)(((i / 28) + (i % 28)) % 2 * 2 - 1)).ToArray())
            .reshape(1, 1, 28, 28);
        foreach (var (image, band) in new[] { (blocks, 0), (pattern, 1), (checker, 2) })
            foreach (var e in CoarseToFine.BandEnergies(image))
                for (int b = 0; b < 3; b++)
                    Assert.Equal(b == band ? e.Sum() : 0, e[b], 1e-6 * e.Sum());
    }

    [Fact]
    public void Baseline_guess_leaves_everything_and_the_final_guess_nothing()
    {
        using var scope = NewDisposeScope();
        var final = White(4, 3);
        var baseline = 0.3f * White(1, 4)[0];
        var result = CoarseToFine.Measure(new long[] { 10, 0 }, new[] { baseline.expand(4, 1, 28, 28), final }, final, baseline);
        Assert.All(result.Remaining[0], r => Assert.Equal(1, r, 9));
        Assert.All(result.Remaining[1], r => Assert.Equal(0, r, 12));
        Assert.Equal(new[] { "coarse", "middle", "fine" }, result.BandNames);
        Assert.Equal(new[] { "7 × 7", "14 × 14", "28 × 28" }, result.BandGrids);
        Assert.Equal(new[] { 49, 147, 588 }, result.BandDimensions);
        Assert.Equal(1, result.EnergyShare.Sum(), 12);
    }

    [Fact]
    public void A_process_that_fixes_block_averages_first_settles_the_coarse_band_first()
    {
        using var scope = NewDisposeScope();
        var final = White(16, 5);
        var low = Coarse4(final);
        // The guess lacks a(t) of the 4 × 4 block means and b(t) of the rest: a reaches 0 at t = 300, b at t = 0.
        Tensor Guess(double a, double b) => final - a * low - b * (final - low);
        var coarseFirst = CoarseToFine.Measure(Times,
            Times.Select(t => Guess(Ramp(t, 300, 1000), Ramp(t, 0, 700))).ToArray(), final);
        // remaining coarse = a², middle and fine = b²: settled (≤ 0.1) at a = √0.1, t = 300 + 700 √0.1 = 521.4, and
        // t = 700 √0.1 = 221.4; the linear interpolation between grid points is within 0.5 of that.
        Assert.Equal(300 + 700 * Math.Sqrt(0.1), coarseFirst.SettledAt[0], 0.5);
        Assert.Equal(700 * Math.Sqrt(0.1), coarseFirst.SettledAt[1], 0.5);
        Assert.Equal(700 * Math.Sqrt(0.1), coarseFirst.SettledAt[2], 0.5);
        var verdict = coarseFirst.CoarseAgainstFine();
        Assert.True(verdict.Resolved);
        Assert.Equal("coarse", verdict.Best);

        var fineFirst = CoarseToFine.Measure(Times,
            Times.Select(t => Guess(Ramp(t, 0, 700), Ramp(t, 300, 1000))).ToArray(), final);
        var reversed = fineFirst.CoarseAgainstFine();
        Assert.True(reversed.Resolved);
        Assert.Equal("fine", reversed.Best);
    }

    [Fact]
    public void White_noise_shrinking_everywhere_alike_names_no_order()
    {
        using var scope = NewDisposeScope();
        var final = White(16, 6);
        var g = new Generator(7);
        var result = CoarseToFine.Measure(Times,
            Times.Select(t => final + 2.0 * t / 1000 * randn(final.shape, generator: g)).ToArray(), final);
        Assert.False(result.CoarseAgainstFine().Resolved, result.CoarseAgainstFine().Describe());
        // remaining = (2t/1000)² for every band up to the noise of its band energy (≤ 7 % for the pooled coarse band):
        // all settle near t = 500 √0.1 = 158, within a grid step of each other.
        Assert.All(result.SettledAt, s => Assert.Equal(500 * Math.Sqrt(0.1), s, 12.0));
        Assert.InRange(result.SettledAt.Max() - result.SettledAt.Min(), 0, 25);
    }

    [Fact]
    public void Pixels_settling_in_a_random_order_name_no_order()
    {
        using var scope = NewDisposeScope();
        var final = White(16, 8);
        // Each pixel jumps from the baseline (0) to its final value at its own uniform random time in (0, 1000).
        var jump = 1000 * rand(final.shape, generator: new Generator(9));
        var result = CoarseToFine.Measure(Times, Times.Select(t => where(jump >= t, final, zeros_like(final))).ToArray(), final);
        Assert.False(result.CoarseAgainstFine().Resolved, result.CoarseAgainstFine().Describe());
        // On white images the remaining error of every band is the share of pixels still unsettled, t / 1000.
        Assert.All(result.SettledAt, s => Assert.Equal(100, s, 15.0));
    }

    [Fact]
    public void A_guess_of_pure_noise_settles_nothing_until_the_end()
    {
        using var scope = NewDisposeScope();
        var final = White(8, 10);
        var g = new Generator(11);
        var guesses = Times.Select(t => t == 0 ? final : randn(final.shape, generator: g)).ToArray();
        var result = CoarseToFine.Measure(Times, guesses, final);
        Assert.All(result.Remaining.Take(40), r => Assert.All(r, v => Assert.True(v > 1)));   // worse than no guess
        // Settled only between the last guess of noise (t = 25) and the final sample (t = 0), every band alike.
        Assert.All(result.SettledAt, s => Assert.InRange(s, 0, 25 * 0.1));
        Assert.False(result.CoarseAgainstFine().Resolved, result.CoarseAgainstFine().Describe());
    }

    [Fact]
    public void Each_band_is_measured_against_its_own_content_whatever_the_spectrum()
    {
        using var scope = NewDisposeScope();
        // A smooth image (most of its energy coarse), approached from the baseline by the same factor in every band:
        // every band has the same remaining error, (t / 1000)², so no order, although the bands' energies differ.
        var smooth = nn.functional.avg_pool2d(White(6, 12), 5, 1, 2);
        var baseline = full(new long[] { 1, 28, 28 }, -0.5f);
        var result = CoarseToFine.Measure(Times,
            Times.Select(t => smooth + t / 1000.0 * (baseline - smooth)).ToArray(), smooth, baseline);
        Assert.True(result.EnergyShare[0] > 3 * 49.0 / 784);
        foreach (var (r, t) in result.Remaining.Zip(Times))
            Assert.All(r, v => Assert.Equal(Math.Pow(t / 1000.0, 2), v, 1e-5));    // float32 guesses
        Assert.Equal(result.SettledAt[0], result.SettledAt[2], 0.01);
        Assert.InRange(result.CoarseAgainstFine().Gap, 0, 0.01);
    }

    [Fact]
    public void SettledAt_interpolates_the_last_crossing()
    {
        long[] t = { 40, 30, 20, 10, 0 };
        Assert.Equal(25, CoarseToFine.SettledAt(t, new[] { 1.0, 0.3, 0.1 - 0.2, 0.05, 0 }, 0.1), 9);
        // A band that dips below and rises again is settled only after its last rise.
        Assert.Equal(15, CoarseToFine.SettledAt(t, new[] { 0.05, 0.5, 0.2, 0.0, 0 }, 0.1), 9);
        Assert.Equal(40, CoarseToFine.SettledAt(t, new[] { 0.05, 0.05, 0.0, 0.0, 0 }, 0.1));
        Assert.Equal(0, CoarseToFine.SettledAt(t, new[] { 1.0, 1, 1, 1, 0.5 }, 0.1));
    }

    [Fact]
    public void Bad_input_gets_a_clear_exception()
    {
        using var scope = NewDisposeScope();
        var final = White(2, 13);
        var guesses = new[] { zeros_like(final), final };
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 0, 10 }, guesses, final));       // not decreasing
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10 }, guesses, final));          // counts differ
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, new[] { zeros(2, 1, 28, 27), final }, final));
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final, blockSizes: new[] { 4, 3 }));
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final, blockSizes: new[] { 3 }));
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final, baseline: zeros(3, 28)));
        Assert.Throws<ArgumentException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final, baseline: final));  // nothing to settle
        Assert.Throws<ArgumentOutOfRangeException>(() => CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final, threshold: 1));
        Assert.Throws<ArgumentException>(() => CoarseToFine.BandEnergies(zeros(28, 28)));
        var one = CoarseToFine.Measure(new long[] { 10, 0 }, new[] { zeros(1, 1, 28, 28), final[..1] }, final[..1]);
        Assert.Throws<InvalidOperationException>(() => one.CoarseAgainstFine());                                  // one sample
    }
}

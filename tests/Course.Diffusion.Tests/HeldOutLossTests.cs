using Course.Data;
using Course.Diffusion.Processes;
using Course.Diffusion.Scaling;
using Course.Diffusion.Schedules;
using Course.Diffusion.Score;

namespace Course.Diffusion.Tests;

/// <summary>The held-out loss on Gaussian data x_0 ~ N(0, s²I), where the Bayes-optimal denoiser and its loss
/// are closed forms: ε*(x_t, t) = √(1−ᾱ) x_t / v with v = ᾱ s² + 1 − ᾱ, and E‖ε − ε*‖²/d = ᾱ s² / v.</summary>
public class HeldOutLossTests
{
    const double S = 0.5;
    static readonly NoiseSchedule Schedule = NoiseSchedule.Linear(1000);

    static Denoiser Optimal(double scale = 1) => (x, t, _) =>
    {
        using var scope = NewDisposeScope();
        var alphaBar = tensor(Schedule.AlphasCumprod, dtype: float64).index_select(0, t).unsqueeze(1).to(x.dtype);
        var v = alphaBar * (S * S) + (1 - alphaBar);
        return ((1 - alphaBar).sqrt() * x / v * scale).MoveToOuterDisposeScope();
    };

    static double ExpectedLoss(long[] t) =>
        t.Average(i => { double a = Schedule.AlphasCumprod[i]; return a * S * S / (a * S * S + 1 - a); });

    static Tensor Data(int m, long seed)
    {
        using var g = new Generator(unchecked((ulong)seed));
        return randn(new long[] { m, 2 }, float64, generator: g) * S;
    }

    [Fact]
    public void Timesteps_are_stratified_over_the_schedule()
    {
        using var x0 = Data(2000, 1);
        using var heldOut = new HeldOutLoss(Schedule, x0, seed: 2);
        var t = heldOut.Timesteps;
        Assert.Equal(0, t[0]);
        Assert.Equal(999, t[^1]);
        // each timestep exactly twice (M = 2T)
        Assert.All(t.GroupBy(v => v), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public void The_optimal_denoiser_scores_the_closed_form_and_the_same_twice()
    {
        using var x0 = Data(4096, 3);
        using var heldOut = new HeldOutLoss(Schedule, x0, seed: 4);
        var result = heldOut.Evaluate(Optimal());
        double expected = ExpectedLoss(heldOut.Timesteps);
        Assert.True(Math.Abs(result.Loss - expected) < 4 * result.StandardError, $"{result} against {expected}");
        Assert.Equal(result, heldOut.Evaluate(Optimal(), chunkSize: 1000));   // chunking changes nothing, fixed noise repeats
        Assert.Equal(4096, result.Count);
    }

    [Fact]
    public void It_is_L_simple_at_the_same_timesteps_and_noise()
    {
        // The training loss with t and ε fixed to the held-out set's: the same number.
        using var scope = NewDisposeScope();
        var x0 = Data(300, 5);
        using var heldOut = new HeldOutLoss(Schedule, x0, seed: 6);
        using var g = new Generator(6);
        var noise = randn(x0.shape, float32, generator: g).to(float64);
        var t = tensor(heldOut.Timesteps);
        var lSimple = Schedule.LSimple(Optimal(0.9), x0, t: t, noise: noise).ToDouble();
        Assert.Equal(lSimple, heldOut.Evaluate(Optimal(0.9)).Loss, 12);
    }

    [Fact]
    public void The_standard_error_matches_the_spread_over_independent_sets()
    {
        // 200 independent held-out sets of 256 examples: the standard deviation of their losses against the
        // mean reported standard error. Their ratio is known to ±4/√400 = ±20 %; the collapsed-strata estimate
        // may be a little conservative, never optimistic.
        const int sets = 200;
        var losses = new double[sets];
        double reported = 0;
        for (int s = 0; s < sets; s++)
        {
            using var x0 = Data(256, 100 + s);
            using var heldOut = new HeldOutLoss(Schedule, x0, seed: 1000 + s);
            var r = heldOut.Evaluate(Optimal());
            losses[s] = r.Loss;
            reported += r.StandardError / sets;
        }
        double mean = losses.Average(), sd = Math.Sqrt(losses.Sum(v => (v - mean) * (v - mean)) / (sets - 1));
        Assert.InRange(reported / sd, 0.8, 1.3);
    }

    [Fact]
    public void Comparing_on_common_noise_measures_a_small_difference_sharply()
    {
        // ε̂ = 0.95 ε*: its loss is higher by (1 − 0.95)² (1 − ᾱ) / v per dimension, about 1.5e-3 on average;
        // each loss alone has a standard error near 5e-3, the paired difference far less.
        using var x0 = Data(4096, 7);
        using var heldOut = new HeldOutLoss(Schedule, x0, seed: 8);
        var difference = heldOut.Compare(Optimal(0.95), Optimal());
        double expected = heldOut.Timesteps.Average(i =>
        {
            double a = Schedule.AlphasCumprod[i];
            return 0.05 * 0.05 * (1 - a) / (a * S * S + 1 - a);
        });
        Assert.True(Math.Abs(difference.Loss - expected) < 4 * difference.StandardError, $"{difference} against {expected}");
        Assert.True(difference.StandardError < heldOut.Evaluate(Optimal()).StandardError / 10);
        // the same against per-example values kept from before
        Assert.Equal(difference, heldOut.Compare(Optimal(0.95), heldOut.PerExample(Optimal())));
        Assert.Equal(heldOut.Evaluate(Optimal()), HeldOutLoss.Summarise(heldOut.PerExample(Optimal())));
        Assert.Throws<ArgumentException>(() => heldOut.Compare(Optimal(), new double[3]));
    }

    [Fact]
    public void Bad_input_is_named()
    {
        Assert.Throws<ArgumentException>(() => new HeldOutLoss(Schedule, zeros(1, 2)));
        Assert.Throws<ArgumentException>(() => new HeldOutLoss(Schedule, zeros(5)));
        Assert.Throws<ArgumentException>(() => new HeldOutLoss(Schedule, zeros(new long[] { 4, 2 }, int64)));
        using var heldOut = new HeldOutLoss(Schedule, zeros(4, 2));
        Assert.ThrowsAny<ArgumentException>(() => heldOut.Evaluate((x, t, _) => zeros(4, 3)));
        var e = Assert.Throws<InvalidOperationException>(() => heldOut.Evaluate((x, t, _) => full(new long[] { 4, 2 }, double.NaN)));
        Assert.Contains("held-out example 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => heldOut.Evaluate((x, t, _) => x, chunkSize: 0));
    }

    [Fact]
    public void The_swiss_roll_mixture_has_the_data_sets_moments()
    {
        // Mean and covariance of 40,000 Swiss-roll points against the mixture's exact ones, within 4 standard errors.
        var mixture = GaussianMixture.SwissRoll(1000);
        using var points = ToyDatasets.SwissRoll(40000, seed: 9);
        var rows = Stats.Rows(points);
        var mean = Stats.Mean(rows);
        var cov = Stats.Covariance(rows);
        var covSe = Stats.CovarianceStandardErrors(rows);
        var exactMean = mixture.Mean();
        var exactCov = mixture.Covariance();
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Math.Abs(mean[i] - exactMean[i]) < 4 * Math.Sqrt(cov[i, i] / rows.Length));
            for (int j = 0; j < 2; j++) Assert.True(Math.Abs(cov[i, j] - exactCov[i, j]) < 4 * covSe[i, j], $"cov[{i},{j}]");
        }
        // and its exact denoiser beats a trained-looking guess (ε̂ = 0.9 ε*) on held-out Swiss-roll points
        using var heldOut = new HeldOutLoss(Schedule, ToyDatasets.SwissRoll(2000, seed: 10).to(float64), seed: 11);
        var exact = mixture.ExactDenoiser(Schedule);
        Denoiser shrunk = (x, t, c) => exact(x, t, c) * 0.9;
        var gap = heldOut.Compare(shrunk, exact);
        Assert.True(gap.Loss > 4 * gap.StandardError, $"{gap}");
    }
}

public class IsoFlopTests
{
    [Fact]
    public void The_vertex_of_a_parabola_in_log_size_is_found()
    {
        // L = 0.2 + 0.05 (log10 N − 3.7)²: minimum at N = 10^3.7, L = 0.2
        var n = new[] { 1e2, 1e3, 1e4, 1e5, 1e6 };
        var l = n.Select(v => 0.2 + 0.05 * Math.Pow(Math.Log10(v) - 3.7, 2)).ToArray();
        var m = IsoFlop.Minimum(n, l);
        Assert.True(m.Interior);
        Assert.Equal(3.7, Math.Log10(m.Parameters), 9);
        Assert.Equal(0.2, m.Loss, 9);
    }

    [Fact]
    public void Only_the_points_around_the_bottom_place_it()
    {
        // A steep wall on the right (too few steps for big models) must not drag the vertex or its loss:
        // the three points around the lowest lie on 0.3 + 0.02 (log10 N − 3)², the wall far above.
        var n = new[] { 1e2, 1e3, 1e4, 1e5, 1e6 };
        var l = new[] { 0.32, 0.3, 0.32, 0.9, 1.0 };
        var m = IsoFlop.Minimum(n, l);
        Assert.True(m.Interior);
        Assert.Equal(3.0, Math.Log10(m.Parameters), 9);
        Assert.Equal(0.3, m.Loss, 9);
        // order of the points does not matter
        Assert.Equal(m, IsoFlop.Minimum(n.Reverse().ToArray(), l.Reverse().ToArray()));
    }

    [Fact]
    public void A_curve_without_an_inner_minimum_reports_its_best_edge()
    {
        var n = new[] { 1e2, 1e3, 1e4, 1e5 };
        var falling = n.Select(v => 1 / Math.Log10(v)).ToArray();
        var m = IsoFlop.Minimum(n, falling);
        Assert.False(m.Interior);
        Assert.Equal(1e5, m.Parameters);          // the measured size itself, exactly
        var edge = IsoFlop.Minimum(new[] { 442.0, 673, 1138 }, new[] { 0.3, 0.31, 0.32 });
        Assert.Equal(442.0, edge.Parameters);
        Assert.Throws<ArgumentException>(() => IsoFlop.Minimum(new[] { 1.0, 2 }, new[] { 1.0, 2 }));
    }
}

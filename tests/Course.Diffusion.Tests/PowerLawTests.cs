using Course.Diffusion.Scaling;

namespace Course.Diffusion.Tests;

/// <summary>The power-law fitter on synthetic data with known laws: y = L(x)·exp(σ z), z ~ N(0, 1), so σ is
/// the relative noise. Tolerances follow from the asymptotic standard errors of the fit (σ²(JᵀJ)⁻¹ with J the
/// Jacobian of log L, computed here independently of the fitter) and from the number of replicates.</summary>
public class PowerLawTests
{
    static readonly PowerLaw Truth = new(E: 0.3, A: 4.0, Alpha: 0.6);

    static double[] Sizes(int n, double from = 1e2, double to = 1e5) =>
        Enumerable.Range(0, n).Select(i => from * Math.Pow(to / from, i / (n - 1.0))).ToArray();

    static double[] Noisy(PowerLaw law, double[] x, double sigma, Random random) =>
        x.Select(v => law.Predict(v) * Math.Exp(sigma * Gaussian(random))).ToArray();

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The asymptotic standard error of α: σ √((JᵀJ)⁻¹)_αα, J_i = ∂ log L(x_i) / ∂(E, A, α).</summary>
    static double AlphaStandardError(PowerLaw law, double[] x, double sigma)
    {
        var m = new double[3, 3];
        foreach (var v in x)
        {
            double power = Math.Pow(v, -law.Alpha), l = law.Predict(v);
            double[] j = { 1 / l, power / l, -law.A * power * Math.Log(v) / l };
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) m[a, b] += j[a] * j[b];
        }
        // (M⁻¹)_22 by cofactors
        double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                   + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        return sigma * Math.Sqrt((m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det);
    }

    [Fact]
    public void Exact_data_give_the_law_back()
    {
        var x = Sizes(8);
        var fit = PowerLawFitter.Fit(x, x.Select(Truth.Predict).ToArray());
        Assert.Equal(Truth.Alpha, fit.Alpha, 6);
        Assert.Equal(Truth.E, fit.E, 6);
        Assert.Equal(1, fit.A / Truth.A, 5);
        // the same on a compute-like scale (10^12 and beyond): the fitter rescales x itself
        var c = Sizes(8, 1e10, 1e15);
        var computeLaw = new PowerLaw(0.05, 2e3, 0.35);
        var cFit = PowerLawFitter.Fit(c, c.Select(computeLaw.Predict).ToArray());
        Assert.Equal(0.35, cFit.Alpha, 6);
        Assert.Equal(0.05, cFit.E, 6);
        var pure = PowerLawFitter.FitPure(c, c.Select(v => 7 * Math.Pow(v, -0.25)).ToArray());
        Assert.Equal(0.25, pure.Alpha, 10);
        Assert.Equal(7, pure.A, 6);
        Assert.Equal(0, pure.E);
    }

    [Fact]
    public void Noisy_fits_scatter_around_the_truth_as_much_as_theory_says()
    {
        // 300 data sets of 20 points with 2 % noise: the estimates of α must centre on the truth (within 4
        // standard errors of their mean) and scatter as the asymptotic standard error says (the standard
        // deviation of 300 estimates is itself uncertain by ≈ 1/√600 = 4 %; allowed ±20 %).
        const int sets = 300;
        const double sigma = 0.02;
        var x = Sizes(20);
        var random = new Random(1);
        var alphas = Enumerable.Range(0, sets).Select(_ => PowerLawFitter.Fit(x, Noisy(Truth, x, sigma, random)).Alpha).ToArray();
        double se = AlphaStandardError(Truth, x, sigma);
        double mean = alphas.Average(), sd = Math.Sqrt(alphas.Sum(a => (a - mean) * (a - mean)) / (sets - 1));
        Assert.True(Math.Abs(mean - Truth.Alpha) < 4 * se / Math.Sqrt(sets), $"mean α {mean} against {Truth.Alpha} (se of the mean {se / Math.Sqrt(sets)})");
        Assert.InRange(sd / se, 0.8, 1.2);
    }

    [Theory]
    [InlineData(BootstrapMethod.Residuals)]
    [InlineData(BootstrapMethod.Cases)]
    public void Bootstrap_intervals_cover_the_true_exponent_as_often_as_they_claim(BootstrapMethod method)
    {
        // 120 data sets; each gets a 90 % percentile interval for α from 200 resamples. The share that holds the
        // true α is binomial: 0.9 ± 4·√(0.9·0.1/120) = 0.9 ± 0.11.
        const int sets = 120;
        var x = Sizes(20);
        var random = new Random(2);
        int covered = 0;
        double ratio = 0;
        for (int s = 0; s < sets; s++)
        {
            var boot = PowerLawBootstrap.Run(x, Noisy(Truth, x, 0.02, random), resamples: 200, seed: s, method: method);
            var (low, high) = boot.Interval(l => l.Alpha, 0.9);
            if (low <= Truth.Alpha && Truth.Alpha <= high) covered++;
            ratio += boot.StandardError(l => l.Alpha) / AlphaStandardError(Truth, x, 0.02) / sets;
        }
        Assert.InRange(covered / (double)sets, 0.9 - 0.11, 1.0);
        // and the bootstrap's standard error agrees with the asymptotic one on average (each varies by ≈ 15 %)
        Assert.InRange(ratio, 0.8, 1.2);
    }

    [Fact]
    public void Prediction_intervals_hold_a_new_point_beyond_the_data_as_often_as_they_claim()
    {
        // Fit 10 sizes up to 10^5, predict a fresh measurement at 3·10^5 (a size never fitted, as the lesson does):
        // over 200 data sets the 90 % interval holds it 0.9 ± 4·√(0.09/200) = 0.9 ± 0.085 of the time.
        const int sets = 200;
        var x = Sizes(10);
        var random = new Random(5);
        int covered = 0;
        for (int s = 0; s < sets; s++)
        {
            var boot = PowerLawBootstrap.Run(x, Noisy(Truth, x, 0.02, random), resamples: 300, seed: s);
            double fresh = Truth.Predict(3e5) * Math.Exp(0.02 * Gaussian(random));
            var (low, high) = boot.PredictionInterval(3e5, 0.9, seed: s);
            if (low <= fresh && fresh <= high) covered++;
            Assert.InRange(boot.ResidualScatter, 0.005, 0.04);
        }
        Assert.InRange(covered / (double)sets, 0.9 - 0.085, 0.9 + 0.085);
    }

    [Fact]
    public void The_pure_law_fit_has_the_ordinary_least_squares_error()
    {
        // log y = log A − α log x + σ z: the slope's standard error is σ / √Σ(log x − mean)².
        var x = Sizes(12, 1e3, 1e6);
        var logX = x.Select(v => Math.Log(v)).ToArray();
        double sxx = logX.Sum(v => (v - logX.Average()) * (v - logX.Average()));
        var random = new Random(3);
        var law = new PowerLaw(0, 50, 0.3);
        var alphas = Enumerable.Range(0, 400).Select(_ => PowerLawFitter.FitPure(x, Noisy(law, x, 0.05, random)).Alpha).ToArray();
        double se = 0.05 / Math.Sqrt(sxx), mean = alphas.Average();
        double sd = Math.Sqrt(alphas.Sum(a => (a - mean) * (a - mean)) / (alphas.Length - 1));
        Assert.True(Math.Abs(mean - 0.3) < 4 * se / Math.Sqrt(alphas.Length));
        Assert.InRange(sd / se, 0.85, 1.15);   // ±4 · 1/√800
        var boot = PowerLawBootstrap.Run(x, Noisy(law, x, 0.05, random), resamples: 400, pure: true);
        Assert.True(boot.Pure);
        Assert.All(boot.Replicates, r => Assert.Equal(0, r.E));
    }

    [Fact]
    public void The_inverse_finds_the_size_for_a_loss_and_none_below_the_floor()
    {
        Assert.Equal(12345.0, Truth.Inverse(Truth.Predict(12345)), 6);
        Assert.Equal(double.PositiveInfinity, Truth.Inverse(0.3));
        Assert.Equal(double.PositiveInfinity, Truth.Inverse(0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Truth.Predict(0));
    }

    [Fact]
    public void A_flat_cloud_gives_no_decrease_rather_than_a_wild_exponent()
    {
        // no trend at all: the best law is the constant (A = 0), never a negative E or A
        var x = Sizes(10);
        var random = new Random(4);
        var y = x.Select(_ => 1.0 * Math.Exp(0.01 * Gaussian(random))).ToArray();
        var fit = PowerLawFitter.Fit(x, y);
        Assert.True(fit.E >= 0 && fit.A >= 0);
        Assert.True(fit.A * Math.Pow(x[0], -fit.Alpha) < 0.05, $"{fit}");
    }

    [Fact]
    public void Bad_input_is_named()
    {
        Assert.Throws<ArgumentException>(() => PowerLawFitter.Fit(new[] { 1.0, 2 }, new[] { 1.0, 0.5 }));
        Assert.Throws<ArgumentException>(() => PowerLawFitter.Fit(new[] { 1.0, 2, 2, 2 }, new[] { 1.0, 0.5, 0.4, 0.6 }));
        Assert.Throws<ArgumentException>(() => PowerLawFitter.Fit(new[] { 1.0, 2, 3 }, new[] { 1.0, 0.5 }));
        var e = Assert.Throws<ArgumentException>(() => PowerLawFitter.Fit(new[] { 1.0, -2, 3 }, new[] { 1.0, 0.5, 0.4 }));
        Assert.Contains("x[1]", e.Message);
        Assert.Throws<ArgumentException>(() => PowerLawFitter.Fit(new[] { 1.0, 2, 3 }, new[] { 1.0, double.NaN, 0.4 }));
        Assert.Throws<ArgumentException>(() => PowerLawFitter.FitPure(new[] { 1.0, 1 }, new[] { 1.0, 0.5 }));
        Assert.Throws<ArgumentException>(() => PowerLawBootstrap.Run(new[] { 1.0, 2, 3 }, new[] { 1.0, 0.5, 0.4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerLawBootstrap.Run(new[] { 1.0, 2, 3, 4 }, new[] { 1.0, 0.5, 0.4, 0.35 }, resamples: 1));
        var boot = PowerLawBootstrap.Run(new[] { 1.0, 2, 3, 4, 5 }, new[] { 1.0, 0.5, 0.4, 0.35, 0.33 }, resamples: 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => boot.Interval(l => l.Alpha, 1.0));
    }
}

public class LearningCurveTests
{
    [Fact]
    public void Interpolation_is_linear_on_log_log_axes_and_empty_outside()
    {
        var curve = new LearningCurve(100, new[] { 1e9, 1e10, 1e11 }, new[] { 1.0, 0.5, 0.4 });
        Assert.Equal(Math.Sqrt(0.5), curve.At(Math.Sqrt(1e9 * 1e10)), 12);   // halfway in log C: geometric mean of L
        Assert.Equal(0.4, curve.At(1e11));
        Assert.True(double.IsNaN(curve.At(5e8)));
        Assert.True(double.IsNaN(curve.At(2e11)));
        Assert.Throws<ArgumentException>(() => new LearningCurve(100, new[] { 1e9, 1e9 }, new[] { 1.0, 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningCurve(0, new[] { 1e9 }, new[] { 1.0 }));
    }

    [Fact]
    public void The_frontier_takes_the_best_curve_at_each_budget_and_slices_hold_every_covering_curve()
    {
        // a small model, cheap, levelling off at 0.5; a big one, starting later, going lower
        var small = new LearningCurve(1e3, new[] { 1e8, 1e9, 1e10 }, new[] { 0.8, 0.55, 0.5 });
        var big = new LearningCurve(1e4, new[] { 1e9, 1e10, 1e11 }, new[] { 0.9, 0.45, 0.3 });
        var frontier = LearningCurve.Frontier(new[] { small, big }, new[] { 1e8, 1e9, 1e10, 1e11, 1e12 });
        Assert.Equal(new[] { 1e3, 1e3, 1e4, 1e4 }, frontier.Select(f => f.Parameters).ToArray());
        Assert.Equal(new[] { 0.8, 0.55, 0.45, 0.3 }, frontier.Select(f => f.Loss).ToArray());
        var slice = LearningCurve.IsoFlopSlice(new[] { big, small }, 1e9);
        Assert.Equal(new[] { (1e3, 0.55), (1e4, 0.9) }, slice.ToArray());
        Assert.Equal(3, LearningCurve.LogSpaced(1, 100, 3).Length);
        Assert.Equal(10, LearningCurve.LogSpaced(1, 100, 3)[1], 12);
    }
}

using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using Course.Diffusion.Score;

namespace Course.Diffusion.Tests;

public class ScoreTests
{
    /// <summary>A mixture whose components overlap, so plain Langevin dynamics mixes between them quickly.</summary>
    static GaussianMixture Overlapping() => new(
        new[] { 0.6, 0.4 },
        new double[,] { { -0.5, 0.0 }, { 0.5, 0.3 } },
        new double[,,] { { { 0.40, 0.10 }, { 0.10, 0.30 } }, { { 0.30, 0.00 }, { 0.00, 0.50 } } });

    [Fact]
    public void LogProbAndScoreMatchTheExplicit2x2Formulas()
    {
        var m = TestMixtures.ThreeComponents();
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var x = randn(new long[] { 200, 2 }, float64, generator: g) * 2.0;
        var logp = m.LogProb(x).data<double>().ToArray();
        var score = m.Score(x).data<double>().ToArray();
        var pts = x.data<double>().ToArray();
        for (int i = 0; i < 200; i++)
        {
            double expected = TestMixtures.LogProb2D(m.Weights, m.Means, m.Covariances, pts[2 * i], pts[2 * i + 1], out var sx, out var sy);
            Assert.Equal(expected, logp[i], 1e-12);
            Assert.Equal(sx, score[2 * i], 1e-11);
            Assert.Equal(sy, score[2 * i + 1], 1e-11);
        }
    }

    /// <summary>The score is the gradient of the log-density: central differences with h = 1e-5 agree to O(h^2).</summary>
    [Fact]
    public void ScoreIsTheGradientOfLogProb()
    {
        var m = TestMixtures.ThreeComponents();
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var x = randn(new long[] { 50, 2 }, float64, generator: g);
        var score = m.Score(x).data<double>().ToArray();
        const double h = 1e-5;
        for (int d = 0; d < 2; d++)
        {
            var e = tensor(d == 0 ? new[] { h, 0.0 } : new[] { 0.0, h }, new long[] { 1, 2 }, float64);
            var difference = ((m.LogProb(x + e) - m.LogProb(x - e)) / (2 * h)).data<double>().ToArray();
            for (int i = 0; i < 50; i++) Assert.Equal(difference[i], score[2 * i + d], 1e-6);
        }
    }

    [Fact]
    public void NoisedMixturesHaveScaledMeansAndWidenedCovariances()
    {
        var m = TestMixtures.ThreeComponents();
        var noised = m.Noised(0.36);
        var ve = m.NoisedVarianceExploding(0.5);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(0.6 * m.Means[c, i], noised.Means[c, i], 1e-15);
                Assert.Equal(m.Means[c, i], ve.Means[c, i], 1e-15);
                for (int j = 0; j < 2; j++)
                {
                    Assert.Equal(0.36 * m.Covariances[c, i, j] + (i == j ? 0.64 : 0), noised.Covariances[c, i, j], 1e-15);
                    Assert.Equal(m.Covariances[c, i, j] + (i == j ? 0.25 : 0), ve.Covariances[c, i, j], 1e-15);
                }
            }
        // The batched per-sample versions agree with building each marginal.
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var x = randn(new long[] { 3, 2 }, float64, generator: g);
        var levels = new[] { 0.9, 0.36, 0.01 };
        var batched = m.NoisedScore(x, tensor(levels, dtype: float64)).data<double>().ToArray();
        var batchedVe = m.NoisedScoreVarianceExploding(x, tensor(levels, dtype: float64)).data<double>().ToArray();
        var rows = x.unbind(0);
        for (int r = 0; r < 3; r++)
        {
            var one = m.Noised(levels[r]).Score(rows[r].unsqueeze(0)).data<double>().ToArray();
            var oneVe = m.NoisedVarianceExploding(levels[r]).Score(rows[r].unsqueeze(0)).data<double>().ToArray();
            for (int d = 0; d < 2; d++)
            {
                Assert.Equal(one[d], batched[2 * r + d], 1e-12);
                Assert.Equal(oneVe[d], batchedVe[2 * r + d], 1e-12);
            }
        }
    }

    /// <summary>
    /// The exact epsilon of the noised marginal, eps* = -sqrt(1 - alpha-bar_t) grad log p_t, read back as a score with
    /// s = -eps / sqrt(1 - alpha-bar_t), equals the analytic score of N(sqrt(ab) mu_k, ab Sigma_k + (1 - ab) I), computed here by the explicit 2x2 formula.
    /// </summary>
    [Fact]
    public void ScoreFromTheExactEpsilonEqualsTheAnalyticScore()
    {
        var m = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        var denoiser = m.ExactDenoiser(schedule);
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        var steps = new long[] { 0, 3, 100, 400, 700, 999 };
        var t = tensor(steps);
        var x = randn(new long[] { steps.Length, 2 }, float64, generator: g) * 1.5;
        var eps = denoiser(x, t, null);
        var score = ScoreFunctions.ScoreFromEpsilon(schedule, eps, t).data<double>().ToArray();
        var pts = x.data<double>().ToArray();
        for (int r = 0; r < steps.Length; r++)
        {
            double ab = schedule.AlphasCumprod[steps[r]];
            var means = new double[3, 2];
            var cov = new double[3, 2, 2];
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 2; i++)
                {
                    means[c, i] = Math.Sqrt(ab) * m.Means[c, i];
                    for (int j = 0; j < 2; j++) cov[c, i, j] = ab * m.Covariances[c, i, j] + (i == j ? 1 - ab : 0);
                }
            TestMixtures.LogProb2D(m.Weights, means, cov, pts[2 * r], pts[2 * r + 1], out var sx, out var sy);
            Assert.Equal(sx, score[2 * r], 1e-10);
            Assert.Equal(sy, score[2 * r + 1], 1e-10);
        }
        // And the denoiser/score adapters invert each other.
        var back = ScoreFunctions.ToDenoiser(schedule, ScoreFunctions.FromDenoiser(schedule, denoiser))(x, t, null);
        Assert.True(Stats.MaxAbsDiff(back, eps) < 1e-12);
    }

    /// <summary>Draws from the mixture have its mean and covariance (law of total covariance), within 5 standard errors of N = 20000.</summary>
    [Fact]
    public void SamplesHaveTheMixtureMoments()
    {
        var m = TestMixtures.ThreeComponents();
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var x = m.Sample(20000, g);
        Assert.Equal(ScalarType.Float64, x.dtype);
        Stats.AssertMoments(x, m.Mean(), m.Covariance(), what: "mixture samples");
        using var g2 = new Generator(5);
        Assert.Equal(0.0, Stats.MaxAbsDiff(m.Sample(20000, g2), x));
    }

    /// <summary>
    /// Unadjusted Langevin (step 0.01, 2000 steps, from N(0, 4 I)) on overlapping components reaches the mixture's mean and
    /// covariance within 5 standard errors of N = 4000. The finite step widens a Gaussian of variance v to
    /// v / (1 - eps / (4 v)), about v + eps / 4 = v + 0.0025: that is the covariance allowance.
    /// </summary>
    [Fact]
    public void LangevinReachesTheMixture()
    {
        var m = Overlapping();
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        var start = randn(new long[] { 4000, 2 }, float64, generator: g) * 2.0;
        var trajectory = new List<Tensor>();
        var samples = Langevin.Sample(m.Score, start, 0.01, 2000, g, trajectory, trajectoryEvery: 500);
        Assert.Equal(5, trajectory.Count);
        Stats.AssertMoments(samples, m.Mean(), m.Covariance(), covarianceBias: 0.0025, what: "Langevin");
    }

    /// <summary>
    /// Annealed Langevin (Song &amp; Ermon Alg. 1) with the exact noised scores recovers a mixture whose modes are far apart,
    /// weights included: 10 geometric levels from 3 to 0.05, 100 steps each, epsilon = 1e-3. The last level samples
    /// Sigma + 0.05^2 I, so the covariance allowance is 0.0025 (plus 5 standard errors of N = 4000).
    /// </summary>
    [Fact]
    public void AnnealedLangevinRecoversSeparatedModes()
    {
        var m = TestMixtures.ThreeComponents();
        var sigmas = AnnealedLangevin.GeometricSigmas(3, 0.05, 10);
        Assert.Equal(3, sigmas[0]);
        Assert.Equal(0.05, sigmas[^1]);
        for (int i = 1; i < 10; i++) Assert.Equal(sigmas[1] / sigmas[0], sigmas[i] / sigmas[i - 1], 1e-12);
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var start = randn(new long[] { 4000, 2 }, float64, generator: g) * 3.0;
        var samples = AnnealedLangevin.Sample(m.ExactScoreVarianceExploding(), start, sigmas, 1e-3, 100, g);
        Stats.AssertMoments(samples, m.Mean(), m.Covariance(), covarianceBias: 0.0025, what: "annealed Langevin");
    }

    /// <summary>
    /// For data N(0, s^2 I) in D dimensions the noised law is N(0, (s^2 + sigma^2) I) with score -x / (s^2 + sigma^2), and the
    /// sigma^2-weighted DSM loss of that exact score is 1/2 E||sigma s + z||^2 = D/2 * s^2 / (s^2 + sigma^2). A wrong score
    /// (scaled by 1.2) scores higher on the same noise. N = 20000; tolerance 5 standard errors of the per-sample loss.
    /// </summary>
    [Fact]
    public void DenoisingScoreMatchingLossHasItsClosedFormAtTheExactScore()
    {
        const double s2 = 0.5, sigma = 0.7;
        const int n = 20000;
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var x = randn(new long[] { n, 2 }, float64, generator: g) * Math.Sqrt(s2);
        var noise = randn(new long[] { n, 2 }, float64, generator: g);
        var sigmas = full(new long[] { n }, sigma, float64);
        Func<Tensor, Tensor, Tensor> exact = (xt, sg) => -xt / (s2 + sigma * sigma);
        Func<Tensor, Tensor, Tensor> wrong = (xt, sg) => -1.2 * xt / (s2 + sigma * sigma);
        double loss = DenoisingScoreMatching.Loss(exact, x, sigmas, noise: noise).ToDouble();
        double expected = 2 / 2.0 * s2 / (s2 + sigma * sigma);
        var perSample = (0.5 * (sigma * exact(x + sigma * noise, sigmas) + noise).square().sum(1));
        double se = perSample.std().ToDouble() / Math.Sqrt(n);
        Assert.True(Math.Abs(loss - expected) < 5 * se, $"DSM loss {loss}, expected {expected} ± {5 * se}");
        Assert.True(DenoisingScoreMatching.Loss(wrong, x, sigmas, noise: noise).ToDouble() > loss);
        var levels = DenoisingScoreMatching.DrawSigmas(new[] { 0.1, 1.0 }, 1000, g).data<double>().ToArray();
        Assert.All(levels, l => Assert.True(l == 0.1 || l == 1.0));
    }

    /// <summary>Predictor-corrector (DDPM predictor, one Langevin corrector step, r = 0.16) on 100 respaced steps with the exact
    /// score reproduces the mixture within 5 standard errors of N = 4000.</summary>
    [Fact]
    public void PredictorCorrectorWithTheExactScoreReproducesTheMixture()
    {
        var m = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        using var scope = NewDisposeScope();
        using var g = new Generator(9);
        var samples = new PredictorCorrectorSampler(schedule.Respace(100), signalToNoise: 0.16, correctorSteps: 1)
            .Sample(m.ExactScore(schedule), new long[] { 4000, 2 }, g, dtype: float64);
        Stats.AssertMoments(samples, m.Mean(), m.Covariance(), what: "predictor-corrector");
    }

    [Fact]
    public void BadMixturesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new GaussianMixture(new[] { 1.0 }, new double[,] { { 0, 0 } }, new double[,,] { { { 1, 2 }, { 2, 1 } } })); // indefinite
        Assert.Throws<ArgumentException>(() => new GaussianMixture(new[] { 1.0 }, new double[,] { { 0, 0 } }, new double[,,] { { { 1, 0.5 }, { 0, 1 } } })); // not symmetric
        Assert.Throws<ArgumentException>(() => new GaussianMixture(new[] { -1.0 }, new double[,] { { 0, 0 } }, new double[,,] { { { 1, 0 }, { 0, 1 } } }));
        Assert.Throws<ArgumentException>(() => GaussianMixture.Isotropic(new[] { 1.0, 1.0 }, new double[,] { { 0, 0 } }, 1));
        var m = TestMixtures.ThreeComponents();
        using var wrong = zeros(new long[] { 4, 3 }, float64);
        Assert.Throws<ArgumentException>(() => m.LogProb(wrong));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Noised(0));
    }
}

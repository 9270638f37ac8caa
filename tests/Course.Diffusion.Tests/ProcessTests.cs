using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;

namespace Course.Diffusion.Tests;

public class ProcessTests
{
    /// <summary>
    /// k single steps q(x_t | x_{t-1}) from a fixed x_0 give the law of the closed form q(x_k | x_0) (Ho et al. eq. 4):
    /// mean sqrt(alpha-bar_k) x_0, variance 1 - alpha-bar_k. N = 20000 chains; tolerance 5 standard errors:
    /// sqrt(v / N) for the mean, v sqrt(2 / (N - 1)) for the (Gaussian) sample variance.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(1000)]
    public void ChainOfSingleStepsMatchesTheClosedForm(int k)
    {
        var s = NoiseSchedule.Linear();
        const int n = 20000;
        using var g = new Generator(1234);
        using var scope = NewDisposeScope();
        var x0 = tensor(new[] { 1.5, -0.5 }, dtype: float64).unsqueeze(0).expand(n, 2).contiguous();
        var x = x0.clone();
        for (int i = 0; i < k; i++)
            using (NewDisposeScope())
            {
                var next = s.QStep(x, Coefficients.Timestep(i, n), generator: g);
                x.copy_(next);
            }
        var closed = s.QSample(x0, Coefficients.Timestep(k - 1, n), generator: g);
        double ab = s.AlphasCumprod[k - 1], v = 1 - ab;
        var expectedMean = new[] { 1.5 * Math.Sqrt(ab), -0.5 * Math.Sqrt(ab) };
        foreach (var sample in new[] { x, closed })
        {
            var mean = sample.mean(new long[] { 0 }).data<double>().ToArray();
            var variance = sample.var(0).data<double>().ToArray();
            for (int d = 0; d < 2; d++)
            {
                Assert.True(Math.Abs(mean[d] - expectedMean[d]) < 5 * Math.Sqrt(v / n), $"k={k} mean[{d}] = {mean[d]}, expected {expectedMean[d]}");
                Assert.True(Math.Abs(variance[d] - v) < 5 * v * Math.Sqrt(2.0 / (n - 1)), $"k={k} var[{d}] = {variance[d]}, expected {v}");
            }
        }
    }

    [Fact]
    public void QMeanVarianceIsTheClosedForm()
    {
        var s = NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        var x0 = tensor(new[] { 1.0, 2.0, -3.0, 0.5 }, new long[] { 2, 2 }, float64);
        var t = tensor(new long[] { 5, 700 });
        var (mean, variance) = s.QMeanVariance(x0, t);
        var m = mean.data<double>().ToArray();
        var v = variance.data<double>().ToArray();
        Assert.Equal(Math.Sqrt(s.AlphasCumprod[5]) * 2.0, m[1], 1e-15);
        Assert.Equal(Math.Sqrt(s.AlphasCumprod[700]) * -3.0, m[2], 1e-15);
        Assert.Equal(1 - s.AlphasCumprod[700], v[1], 1e-15);
    }

    /// <summary>
    /// q(x_{t-1} | x_t, x_0) three ways: the library (eq. 6-7 coefficients), the formula written here, and Bayes' rule:
    /// q(x_{t-1} | x_t, x_0) is proportional to q(x_t | x_{t-1}) q(x_{t-1} | x_0), a product of Gaussians in x_{t-1}, whose precision is
    /// alpha_t / beta_t + 1 / (1 - alpha-bar_{t-1}) and whose mean is variance * (sqrt(alpha_t) x_t / beta_t + sqrt(alpha-bar_{t-1}) x_0 / (1 - alpha-bar_{t-1})).
    /// </summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    public void PosteriorMatchesTheFormulaAndBayesRule(string name)
    {
        var s = name == "linear" ? NoiseSchedule.Linear() : NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var steps = new long[] { 1, 2, 50, 500, 998, 999 };
        int n = steps.Length;
        var x0 = randn(new long[] { n, 3 }, float64, generator: g);
        var xt = randn(new long[] { n, 3 }, float64, generator: g);
        var (mean, variance, logVariance) = s.QPosteriorMeanVariance(x0, xt, tensor(steps));
        var m = mean.data<double>().ToArray();
        var v = variance.data<double>().ToArray();
        var lv = logVariance.data<double>().ToArray();
        var a = x0.data<double>().ToArray();
        var b = xt.data<double>().ToArray();
        for (int r = 0; r < n; r++)
        {
            long i = steps[r];
            double beta = s.Betas[i], alpha = 1 - beta, abPrev = s.AlphasCumprodPrev[i], ab = s.AlphasCumprod[i];
            double formulaVariance = (1 - abPrev) / (1 - ab) * beta;
            double bayesVariance = 1 / (alpha / beta + 1 / (1 - abPrev));
            Assert.Equal(1, v[r] / formulaVariance, 1e-12);
            Assert.Equal(1, v[r] / bayesVariance, 1e-9);
            Assert.Equal(Math.Log(formulaVariance), lv[r], 1e-9);
            for (int d = 0; d < 3; d++)
            {
                double x0d = a[r * 3 + d], xtd = b[r * 3 + d];
                double formulaMean = Math.Sqrt(abPrev) * beta / (1 - ab) * x0d + Math.Sqrt(alpha) * (1 - abPrev) / (1 - ab) * xtd;
                double bayesMean = bayesVariance * (Math.Sqrt(alpha) * xtd / beta + Math.Sqrt(abPrev) * x0d / (1 - abPrev));
                Assert.Equal(formulaMean, m[r * 3 + d], 1e-12);
                Assert.Equal(bayesMean, m[r * 3 + d], 1e-9);
            }
        }
        // At t = 1 the posterior is a point mass at x_0.
        var (m0, v0, _) = s.QPosteriorMeanVariance(x0, xt, Coefficients.Timestep(0, n));
        Assert.Equal(0.0, v0.abs().max().ToDouble());
        Assert.True(Stats.MaxAbsDiff(m0, x0) < 1e-11); // c1 = beta_1 / (1 - (1 - beta_1)) is 1 up to the rounding of 1 - beta_1
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    public void EpsilonX0AndVConversionsRoundTrip(string name)
    {
        var s = name == "linear" ? NoiseSchedule.Linear() : NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var t = tensor(new long[] { 0, 1, 100, 500, 900, 999 });
        var x0 = randn(new long[] { 6, 2 }, float64, generator: g);
        var eps = randn(new long[] { 6, 2 }, float64, generator: g);
        var xt = s.QSample(x0, t, eps);
        var v = s.PredictV(x0, t, eps);
        Assert.True(Stats.MaxAbsDiff(s.PredictStartFromNoise(xt, t, eps), x0) < 1e-9);
        Assert.True(Stats.MaxAbsDiff(s.PredictNoiseFromStart(xt, t, x0), eps) < 1e-9);
        Assert.True(Stats.MaxAbsDiff(s.StartFromV(xt, t, v), x0) < 1e-12);
        Assert.True(Stats.MaxAbsDiff(s.NoiseFromV(xt, t, v), eps) < 1e-12);
        foreach (var (kind, output) in new[] { (ModelOutput.Epsilon, eps), (ModelOutput.X0, x0), (ModelOutput.V, v) })
        {
            var (px0, peps) = s.PredictStartAndNoise(kind, output, xt, t);
            Assert.True(Stats.MaxAbsDiff(px0, x0) < 1e-9, kind.ToString());
            Assert.True(Stats.MaxAbsDiff(peps, eps) < 1e-9, kind.ToString());
            Assert.True(Stats.MaxAbsDiff(s.Target(kind, x0, eps, t), output) < 1e-12, kind.ToString());
        }
    }

    /// <summary>KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2, with numbers worked by hand.</summary>
    [Fact]
    public void NormalKLMatchesTheClosedForm()
    {
        using var scope = NewDisposeScope();
        // KL(N(0, 1) || N(1, 4)) = ln 2 + 2/8 - 1/2 = 0.4431471805599453
        var kl1 = GaussianMath.NormalKL(tensor(0.0, float64), tensor(0.0, float64), tensor(1.0, float64), tensor(Math.Log(4), float64));
        Assert.Equal(0.4431471805599453, kl1.ToDouble(), 1e-15);
        // KL(N(2, 0.25) || N(-1, 1)) = ln 2 + (0.25 + 9)/2 - 1/2 = 4.818147180559945
        var kl2 = GaussianMath.NormalKL(tensor(2.0, float64), tensor(Math.Log(0.25), float64), tensor(-1.0, float64), tensor(0.0, float64));
        Assert.Equal(4.818147180559945, kl2.ToDouble(), 1e-14);
        // Equal Gaussians: 0.
        var kl3 = GaussianMath.NormalKL(tensor(0.3, float64), tensor(-0.7, float64), tensor(0.3, float64), tensor(-0.7, float64));
        Assert.Equal(0.0, kl3.ToDouble(), 1e-15);
        // log N(1; 0, 4) = -0.5 (ln 2 pi + ln 4 + 1/4)
        var ll = GaussianMath.GaussianLogLikelihood(tensor(1.0, float64), tensor(0.0, float64), tensor(Math.Log(4), float64));
        Assert.Equal(-0.5 * (Math.Log(2 * Math.PI) + Math.Log(4) + 0.25), ll.ToDouble(), 1e-15);
    }

    /// <summary>The 256 bins of the discretized decoder (Ho et al. eq. 13) tile the line, so their probabilities sum to 1.</summary>
    [Theory]
    [InlineData(0.0, -3.0)]
    [InlineData(0.7, -1.0)]
    [InlineData(-0.95, -6.0)]
    public void DiscretizedDecoderProbabilitiesSumToOne(double mean, double logVariance)
    {
        using var scope = NewDisposeScope();
        var x = linspace(-1, 1, 256, float64);
        var ll = GaussianMath.DiscretizedGaussianLogLikelihood(x, full(new long[] { 256 }, mean, float64), full(new long[] { 256 }, logVariance, float64));
        Assert.Equal(1.0, ll.exp().sum().ToDouble(), 1e-6);
    }

    /// <summary>
    /// Ho et al. eq. 12: for an epsilon model with fixed variance sigma_t^2, the KL term L_{t-1} equals
    /// beta_t^2 / (2 sigma_t^2 alpha_t (1 - alpha-bar_t)) ||eps - eps_theta||^2 + C exactly (summed over dimensions), where
    /// C = D/2 (ln(sigma_t^2 / beta-tilde_t) + beta-tilde_t / sigma_t^2 - 1) is the KL between the variances: 0 for "fixed small"
    /// (sigma_t^2 = beta-tilde_t), positive for "fixed large" (eq. 8's constant).
    /// </summary>
    [Theory]
    [InlineData(ReverseVariance.FixedSmall)]
    [InlineData(ReverseVariance.FixedLarge)]
    public void KLTermIsTheWeightedEpsilonLoss(ReverseVariance variance)
    {
        var s = NoiseSchedule.Linear();
        var weights = s.EpsilonLossWeights(variance);
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        Denoiser model = (x, t, _) => 0.3 * x + 0.1;
        var x0 = randn(new long[] { 8, 2 }, float64, generator: g);
        foreach (long i in new long[] { 1, 10, 400, 999 })
        {
            var noise = randn(new long[] { 8, 2 }, float64, generator: g);
            var term = s.Term(model, ModelOutput.Epsilon, x0, i, variance, noise: noise).data<double>().ToArray();
            var xt = s.QSample(x0, Coefficients.Timestep(i, 8), noise);
            var squared = (noise - model(xt, Coefficients.Timestep(i, 8), null)).square().sum(1).data<double>().ToArray();
            double sigma2 = s.ModelVariance(variance).Variance[i], posterior = s.PosteriorVariance[i];
            double constant = 2 * 0.5 * (Math.Log(sigma2 / posterior) + posterior / sigma2 - 1);
            if (variance == ReverseVariance.FixedSmall) Assert.Equal(0, constant, 1e-12);
            for (int r = 0; r < 8; r++)
                Assert.True(Math.Abs(term[r] - weights[i] * squared[r] - constant) <= 1e-9 * Math.Max(1, term[r]), $"t index {i}: KL {term[r]} vs weighted loss {weights[i] * squared[r]} + {constant}");
        }
    }

    [Fact]
    public void BoundTermsHaveTheRightShapeAndPrior()
    {
        var s = NoiseSchedule.Linear(50, 1e-3, 0.2);
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var x0 = randn(new long[] { 4, 2 }, float64, generator: g);
        Denoiser model = (x, t, _) => zeros_like(x);
        var terms = s.AllTerms(model, ModelOutput.Epsilon, x0, generator: g);
        Assert.Equal(new long[] { 4, 51 }, terms.shape);
        Assert.Equal(1.0, terms.isfinite().@float().mean().ToSingle());
        // L_T = sum_d KL(N(sqrt(ab) x, 1 - ab) || N(0, 1)) = sum_d 0.5 (-1 - ln(1 - ab) + (1 - ab) + ab x^2)
        double ab = s.AlphasCumprod[^1];
        var x = x0.data<double>().ToArray();
        var prior = terms.select_column(50).data<double>().ToArray();
        for (int r = 0; r < 4; r++)
        {
            double expected = 0;
            for (int d = 0; d < 2; d++) expected += 0.5 * (-1 - Math.Log(1 - ab) + (1 - ab) + ab * x[r * 2 + d] * x[r * 2 + d]);
            Assert.Equal(expected, prior[r], 1e-12);
        }
        // Every KL term is non-negative.
        var kls = terms.data<double>().ToArray();
        for (int r = 0; r < 4; r++) for (int c = 1; c <= 50; c++) Assert.True(kls[r * 51 + c] >= -1e-12);
    }

    /// <summary>
    /// The variational bound is an upper bound: E[L_0 + ... + L_T] >= -log p(x_0). With the exact denoiser of a Gaussian mixture
    /// the density is known, so both sides can be computed: measured 3.47 nats against 2.38 on 512 points (the gap is the
    /// cost of the fixed variances). Checked on 256 points: the bound lies above -log p, and within 2 nats of it (so no term is wildly off).
    /// </summary>
    [Fact]
    public void TheBoundIsAboveTheNegativeLogLikelihood()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        using var scope = NewDisposeScope();
        var x0 = mixture.Sample(256, new Generator(4));
        var bound = schedule.AllTerms(mixture.ExactDenoiser(schedule), ModelOutput.Epsilon, x0, generator: new Generator(5)).sum(1).mean().ToDouble();
        var nll = -mixture.LogProb(x0).mean().ToDouble();
        Assert.True(bound >= nll && bound <= nll + 2, $"bound {bound} nats, -log p {nll} nats");
    }

    /// <summary>
    /// For an epsilon model the reverse mean, computed as the posterior mean at the predicted x_0, equals Ho et al. eq. 11:
    /// mu_theta = (x_t - beta_t / sqrt(1 - alpha-bar_t) eps_theta) / sqrt(alpha_t); X0 and V outputs of the same prediction give the same mean.
    /// </summary>
    [Fact]
    public void ReverseMeanIsEquation11()
    {
        var s = NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        using var g = new Generator(21);
        var steps = new long[] { 0, 1, 10, 250, 600, 999 };
        var t = tensor(steps);
        var xt = randn(new long[] { 6, 2 }, float64, generator: g);
        var eps = randn(new long[] { 6, 2 }, float64, generator: g);
        using var p = s.PMeanVariance(eps, ModelOutput.Epsilon, xt, t);
        var mean = p.Mean.data<double>().ToArray();
        var x = xt.data<double>().ToArray();
        var e = eps.data<double>().ToArray();
        for (int r = 0; r < 6; r++)
        {
            long i = steps[r];
            for (int d = 0; d < 2; d++)
            {
                double eq11 = (x[2 * r + d] - s.Betas[i] / Math.Sqrt(1 - s.AlphasCumprod[i]) * e[2 * r + d]) / Math.Sqrt(s.Alphas[i]);
                Assert.Equal(eq11, mean[2 * r + d], 1e-10);
            }
        }
        var x0 = s.PredictStartFromNoise(xt, t, eps);
        using var fromX0 = s.PMeanVariance(x0, ModelOutput.X0, xt, t);
        using var fromV = s.PMeanVariance(s.PredictV(x0, t, eps), ModelOutput.V, xt, t);
        Assert.True(Stats.MaxAbsDiff(fromX0.Mean, p.Mean) < 1e-9);
        Assert.True(Stats.MaxAbsDiff(fromV.Mean, p.Mean) < 1e-9);
        // Variances: fixed small is beta-tilde_t, fixed large beta_t (beta-tilde_2 at t = 1).
        using var large = s.PMeanVariance(eps, ModelOutput.Epsilon, xt, t, ReverseVariance.FixedLarge);
        var small = p.Variance.data<double>().ToArray();
        var big = large.Variance.data<double>().ToArray();
        for (int r = 0; r < 6; r++)
        {
            Assert.Equal(s.PosteriorVariance[steps[r]], small[r], 1e-15);
            Assert.Equal(steps[r] == 0 ? s.PosteriorVariance[1] : s.Betas[steps[r]], big[r], 1e-15);
        }
    }

    [Fact]
    public void LSimpleIsTheMeanSquaredErrorToTheTarget()
    {
        var s = NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        using var g = new Generator(9);
        var x0 = randn(new long[] { 16, 2 }, float64, generator: g);
        var noise = randn(new long[] { 16, 2 }, float64, generator: g);
        var t = randint(0, 1000, new long[] { 16 }, generator: g);
        var w = tensor(new[] { 0.5 }, dtype: float64, requires_grad: true);
        Denoiser model = (x, tt, _) => w * x;
        foreach (var kind in new[] { ModelOutput.Epsilon, ModelOutput.X0, ModelOutput.V })
        {
            var loss = s.LSimple(model, x0, kind, t: t, noise: noise);
            var xt = s.QSample(x0, t, noise);
            var expected = (s.Target(kind, x0, noise, t) - 0.5 * xt).square().mean().ToDouble();
            Assert.Equal(expected, loss.ToDouble(), 1e-12);
        }
        var l = s.LSimple(model, x0, generator: g);
        l.backward();
        Assert.NotNull(w.grad);
    }
}

static class TestTensorExtensions
{
    /// <summary>Column c of a 2-D tensor.</summary>
    public static Tensor select_column(this Tensor x, long c) => x.index_select(1, tensor(new[] { c })).squeeze(1);
}

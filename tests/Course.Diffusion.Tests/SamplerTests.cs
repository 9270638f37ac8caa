using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;

namespace Course.Diffusion.Tests;

/// <summary>
/// Samplers checked without any training: for data from a Gaussian mixture, the Bayes-optimal denoiser
/// eps*(x_t, t) = -sqrt(1 - alpha-bar_t) grad log p_t(x_t) is known exactly, so a correct sampler must return
/// the mixture itself. Moments are compared within 5 standard errors of N samples (plus a stated
/// allowance for a sampler's discretisation bias where it has one).
/// </summary>
public class SamplerTests
{
    const int N = 4000;

    [Fact]
    public void DdpmWithTheExactDenoiserReproducesTheMixture()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        using var g = new Generator(2024);
        using var scope = NewDisposeScope();
        var samples = new DdpmSampler(schedule).Sample(mixture.ExactDenoiser(schedule), new long[] { N, 2 }, g, dtype: float64);
        Stats.AssertMoments(samples, mixture.Mean(), mixture.Covariance(), what: "DDPM, 1000 steps");
    }

    [Fact]
    public void DdpmOnARespacedScheduleReproducesTheMixture()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Cosine();
        using var g = new Generator(77);
        using var scope = NewDisposeScope();
        // The denoiser is built on the training schedule; the sampler walks 100 of its steps and passes the original timesteps.
        var sampler = new DdpmSampler(schedule.Respace(100), variance: ReverseVariance.FixedLarge);
        var samples = sampler.Sample(mixture.ExactDenoiser(schedule), new long[] { N, 2 }, g, dtype: float64);
        Stats.AssertMoments(samples, mixture.Mean(), mixture.Covariance(), what: "DDPM, 100 respaced steps, fixed large");
    }

    [Theory]
    [InlineData(ModelOutput.Epsilon)]
    [InlineData(ModelOutput.X0)]
    [InlineData(ModelOutput.V)]
    public void DdimWithTheExactDenoiserReproducesTheMixture(ModelOutput kind)
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        using var g = new Generator(99);
        using var scope = NewDisposeScope();
        var samples = new DdimSampler(schedule, steps: 100, eta: 0, prediction: kind).Sample(mixture.ExactDenoiser(schedule, kind), new long[] { N, 2 }, g, dtype: float64);
        // The deterministic sampler's discretisation narrows the law slightly: measured with N = 40000 at 100 steps,
        // cov[0,0] = 1.930 and cov[1,1] = 0.729 against 1.970 and 0.753 (50 steps: 1.889, 0.706; 250 steps: 1.936, 0.741).
        // Allowance: 0.06 on covariance entries (3% of the largest variance).
        Stats.AssertMoments(samples, mixture.Mean(), mixture.Covariance(), covarianceBias: 0.06, what: $"DDIM eta 0, 100 steps, {kind}");
    }

    [Fact]
    public void DdimWithEtaZeroIsDeterministicAndIgnoresTheGenerator()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        var sampler = new DdimSampler(schedule, steps: 20);
        var model = mixture.ExactDenoiser(schedule);
        using var scope = NewDisposeScope();
        Tensor Run(long seed, Tensor? start = null)
        {
            using var g = new Generator(unchecked((ulong)seed));
            return sampler.Sample(model, new long[] { 64, 2 }, g, initialNoise: start);
        }
        var first = Run(1);
        var second = Run(1);
        Assert.Equal(0.0, Stats.MaxAbsDiff(first, second));
        var start = randn(new long[] { 64, 2 }, generator: new Generator(5));
        Assert.Equal(0.0, Stats.MaxAbsDiff(Run(1, start), Run(12345, start)));
        Assert.True(Stats.MaxAbsDiff(Run(1), Run(2)) > 0.1, "different seeds should start from different noise");
    }

    [Fact]
    public void DdpmIsDeterministicGivenASeed()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear(100, 1e-3, 0.1);
        var sampler = new DdpmSampler(schedule);
        using var scope = NewDisposeScope();
        Tensor Run(long seed) { using var g = new Generator(unchecked((ulong)seed)); return sampler.Sample(mixture.ExactDenoiser(schedule), new long[] { 32, 2 }, g); }
        Assert.Equal(0.0, Stats.MaxAbsDiff(Run(8), Run(8)));
        Assert.True(Stats.MaxAbsDiff(Run(8), Run(9)) > 0.1);
    }

    /// <summary>DDIM with eta = 1 takes sigma_t^2 = beta-tilde_t and, as Song et al. note, is then DDPM (fixed small):
    /// the same noise gives the same samples up to rounding (float64).</summary>
    [Fact]
    public void DdimWithEtaOneIsDdpm()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear();
        var model = mixture.ExactDenoiser(schedule);
        using var scope = NewDisposeScope();
        using var g1 = new Generator(31);
        using var g2 = new Generator(31);
        var ddim = new DdimSampler(schedule, steps: 25, eta: 1).Sample(model, new long[] { 256, 2 }, g1, dtype: float64);
        var ddpm = new DdpmSampler(schedule.Respace(25)).Sample(model, new long[] { 256, 2 }, g2, dtype: float64);
        Assert.True(Stats.MaxAbsDiff(ddim, ddpm) < 1e-9, $"max difference {Stats.MaxAbsDiff(ddim, ddpm)}");
    }

    /// <summary>Guidance scale 0 is the unconditional model exactly: eps_u + 0 (eps_c - eps_u) = eps_u bit for bit.</summary>
    [Fact]
    public void GuidanceScaleZeroEqualsUnconditionalSampling()
    {
        const long nullClass = 3;
        // A toy conditional denoiser whose prediction depends on the label.
        Denoiser model = (x, t, labels) =>
        {
            using var scope = NewDisposeScope();
            var shift = labels!.to(x.dtype).unsqueeze(1) * 0.25 - 0.3;
            var timeScale = t.to(x.dtype).unsqueeze(1) / 1000.0;
            return (0.2 * x + shift * timeScale).MoveToOuterDisposeScope();
        };
        var schedule = NoiseSchedule.Linear(200, 1e-3, 0.05);
        using var scope = NewDisposeScope();
        var labels = tensor(Enumerable.Range(0, 48).Select(i => (long)(i % 3)).ToArray());
        var nullLabels = full(new long[] { 48 }, nullClass, int64);
        foreach (Samplers.Sampler sampler in new Samplers.Sampler[] { new DdpmSampler(schedule), new DdimSampler(schedule, steps: 40, eta: 0.5) })
        {
            using var g1 = new Generator(4);
            using var g2 = new Generator(4);
            using var g3 = new Generator(4);
            var guided = sampler.Sample(ClassifierFreeGuidance.Guide(model, 0, nullClass), new long[] { 48, 2 }, g1, labels);
            var unconditional = sampler.Sample(model, new long[] { 48, 2 }, g2, nullLabels);
            var conditional = sampler.Sample(model, new long[] { 48, 2 }, g3, labels);
            Assert.Equal(0.0, Stats.MaxAbsDiff(guided, unconditional));
            Assert.True(Stats.MaxAbsDiff(guided, conditional) > 1e-3, "the labels should matter for this model");
        }
        Assert.Throws<ArgumentException>(() => new DdpmSampler(schedule).Sample(ClassifierFreeGuidance.Guide(model, 2, nullClass), new long[] { 2, 2 }));
    }

    [Fact]
    public void TrajectoryRecordsEveryKthStep()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Linear(100, 1e-3, 0.1);
        using var scope = NewDisposeScope();
        var trajectory = new List<Tensor>();
        using var g = new Generator(6);
        var result = new DdpmSampler(schedule).Sample(mixture.ExactDenoiser(schedule), new long[] { 16, 2 }, g, trajectory: trajectory, trajectoryEvery: 30);
        // x_T, after steps 30, 60, 90, and the final sample (step 100).
        Assert.Equal(5, trajectory.Count);
        Assert.Equal(0.0, Stats.MaxAbsDiff(trajectory[^1], result));
        Assert.All(trajectory, x => Assert.Equal(new long[] { 16, 2 }, x.shape));
    }

    /// <summary>With clipping, the predicted x_0 is clamped to [-1, 1]; DDPM's last step returns that x_0 (coefficients 1 and 0 at t = 1),
    /// and DDIM's returns it too (alpha-bar_0 = 1), so a denoiser that overshoots still lands inside [-1, 1].</summary>
    [Fact]
    public void ClippingKeepsTheSampleInsideMinusOneToOne()
    {
        var schedule = NoiseSchedule.Linear(50, 1e-3, 0.2);
        Denoiser overshoot = (x, t, _) => -3.0 * x; // predicts x_0 far outside [-1, 1]
        using var scope = NewDisposeScope();
        foreach (var clip in new[] { true, false })
        {
            using var g1 = new Generator(12);
            using var g2 = new Generator(12);
            var ddpm = new DdpmSampler(schedule, clipDenoised: clip).Sample(overshoot, new long[] { 256, 2 }, g1);
            var ddim = new DdimSampler(schedule, steps: 10, clipDenoised: clip).Sample(overshoot, new long[] { 256, 2 }, g2);
            foreach (var x in new[] { ddpm, ddim })
            {
                double largest = x.abs().max().ToSingle();
                if (clip) Assert.True(largest <= 1.0, $"clipped sample reaches {largest}");
                else Assert.True(largest > 1.0, $"without clipping this denoiser should overshoot, but the largest value is {largest}");
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var schedule = NoiseSchedule.Linear(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(schedule, eta: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(schedule, steps: 20));
        Denoiser model = (x, t, _) => zeros_like(x);
        using var noise = zeros(new long[] { 3, 2 });
        Assert.Throws<ArgumentException>(() => new DdpmSampler(schedule).Sample(model, new long[] { 4, 2 }, initialNoise: noise));
        Denoiser wrongShape = (x, t, _) => zeros(new long[] { 1 });
        Assert.Throws<ArgumentException>(() => new DdpmSampler(schedule).Sample(wrongShape, new long[] { 4, 2 }));
    }
}

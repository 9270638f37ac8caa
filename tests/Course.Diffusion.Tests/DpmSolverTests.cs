using System.Globalization;
using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using Xunit.Abstractions;

namespace Course.Diffusion.Tests;

/// <summary>
/// DPM-Solver++(2M) against exact answers. For Gaussian data x_0 ~ N(m, s²) the probability-flow ODE
/// is solved in closed form: x_t = α_t x_0 + σ_t ε has the law N(α_t m, α_t² s² + σ_t²), and the ODE
/// maps quantiles to quantiles, so it carries x_T to x_0 = m + s (x_T − α_T m) / √(α_T² s² + σ_T²).
/// With the exact denoiser E[x_0 | x_t] = m + α_t s² (x_t − α_t m) / (α_t² s² + σ_t²) a sampler's only
/// error is its discretisation.
/// </summary>
public class DpmSolverTests
{
    readonly ITestOutputHelper _output;
    public DpmSolverTests(ITestOutputHelper output) => _output = output;

    const double M = 0.3, S = 0.5;

    /// <summary>The Bayes-optimal prediction of the given kind for Gaussian data N(M, S²), on the training schedule.</summary>
    static Denoiser ExactGaussian(NoiseSchedule schedule, ModelOutput kind) => (x, t, _) =>
    {
        using var scope = NewDisposeScope();
        var ab = Coefficients.Extract(schedule.AlphasCumprod, t, x);
        var a = ab.sqrt();
        var sigma = (1 - ab).sqrt();
        var x0 = M + a * (S * S) * (x - a * M) / (ab * (S * S) + (1 - ab));
        var eps = (x - a * x0) / sigma;
        var output = kind switch
        {
            ModelOutput.X0 => x0,
            ModelOutput.Epsilon => eps,
            _ => a * eps - sigma * x0,
        };
        return output.MoveToOuterDisposeScope();
    };

    static double WorstError(Sampler sampler, NoiseSchedule schedule, ModelOutput kind, Tensor xT)
    {
        using var scope = NewDisposeScope();
        double abT = schedule.AlphasCumprod[^1];
        var exact = M + S * (xT - Math.Sqrt(abT) * M) / Math.Sqrt(abT * S * S + 1 - abT);
        var sampled = sampler.Sample(ExactGaussian(schedule, kind), xT.shape, initialNoise: xT, dtype: float64);
        return (sampled - exact).abs().max().ToDouble();
    }

    [Theory]
    [InlineData(ModelOutput.V)]
    [InlineData(ModelOutput.Epsilon)]
    public void On_the_exact_ode_its_error_is_a_fraction_of_ddims_at_the_same_steps(ModelOutput kind)
    {
        var schedule = NoiseSchedule.Cosine();
        using var g = new Generator(4);
        using var scope = NewDisposeScope();
        var xT = randn(new long[] { 2000, 1 }, float64, generator: g);
        var dpm = new Dictionary<int, double>();
        var ddim = new Dictionary<int, double>();
        foreach (int steps in new[] { 10, 20, 40 })
        {
            dpm[steps] = WorstError(new DpmSolverSampler(schedule, steps, kind), schedule, kind, xT);
            ddim[steps] = WorstError(new DdimSampler(schedule, steps, eta: 0, prediction: kind), schedule, kind, xT);
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{steps} steps: DPM-Solver++(2M) {dpm[steps]:g3}, DDIM {ddim[steps]:g3}"));
        }
        // DDIM is first order: halving the step about halves its error.
        double ddimOrder = Math.Log2(ddim[20] / ddim[40]);
        Assert.InRange(ddimOrder, 0.7, 1.3);
        // The second-order steps make the error several times smaller at equal cost (one call a step);
        // what is left at 40 steps comes from the first-order steps at both ends.
        Assert.True(dpm[10] < ddim[10] / 2, $"10 steps: {dpm[10]} is not well below DDIM's {ddim[10]}");
        foreach (int steps in new[] { 20, 40 })
            Assert.True(dpm[steps] < ddim[steps] / 8, $"{steps} steps: {dpm[steps]} is not well below DDIM's {ddim[steps]}");
    }

    [Fact]
    public void With_the_exact_denoiser_it_reproduces_a_gaussian_mixture()
    {
        var mixture = TestMixtures.ThreeComponents();
        var schedule = NoiseSchedule.Cosine();
        using var g = new Generator(31);
        using var scope = NewDisposeScope();
        var samples = new DpmSolverSampler(schedule, steps: 25, prediction: ModelOutput.V)
            .Sample(mixture.ExactDenoiser(schedule, ModelOutput.V), new long[] { 4000, 2 }, g, dtype: float64);
        // Like DDIM (SamplerTests), the deterministic sampler narrows the law slightly near the modes.
        Stats.AssertMoments(samples, mixture.Mean(), mixture.Covariance(), covarianceBias: 0.06, what: "DPM-Solver++(2M), 25 steps, v");
    }

    [Fact]
    public void A_step_without_its_predecessor_is_the_ddim_step()
    {
        var schedule = NoiseSchedule.Cosine();
        using var scope = NewDisposeScope();
        var dpm = new DpmSolverSampler(schedule, steps: 10, prediction: ModelOutput.V, clipDenoised: true);
        var ddim = new DdimSampler(schedule, steps: 10, eta: 0, prediction: ModelOutput.V, clipDenoised: true);
        using var g = new Generator(2);
        var x = randn(new long[] { 16, 3 }, float64, generator: g);
        var output = randn(new long[] { 16, 3 }, float64, generator: g);
        foreach (long index in new long[] { 9, 4, 0 })   // never in sequence: every step is first order
        {
            var a = dpm.Step(output, index, x).data<double>().ToArray();
            var b = ddim.Step(output, index, x).data<double>().ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 1e-12);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => dpm.Step(output, 10, x));
        Assert.Throws<ArgumentException>(() => dpm.Step(output, 3, randn(2, 3)));
    }
}

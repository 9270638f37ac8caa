using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Samplers;

/// <summary>
/// Ancestral sampling (Ho et al. 2020, Algorithm 2): x_{t-1} = mu_theta(x_t, t) + sigma_t z, z ~ N(0, I), with z = 0 at the last step.
/// For fewer steps, pass a respaced schedule (<see cref="NoiseSchedule.Respace(int)"/>).
/// </summary>
public sealed class DdpmSampler : Sampler
{
    public DdpmSampler(NoiseSchedule schedule, ModelOutput prediction = ModelOutput.Epsilon,
        ReverseVariance variance = ReverseVariance.FixedSmall, bool clipDenoised = false)
        : base(schedule, prediction, clipDenoised) => Variance = variance;

    /// <summary>sigma_t^2: beta-tilde_t (fixed small) or beta_t (fixed large).</summary>
    public ReverseVariance Variance { get; }

    public override Tensor Step(Tensor modelOutput, long index, Tensor x, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var t = Coefficients.Timestep(index, x.shape[0], x.device);
        using var p = Schedule.PMeanVariance(modelOutput, Prediction, x, t, Variance, ClipDenoised);
        if (index == 0) return p.Mean.clone().MoveToOuterDisposeScope();
        var z = Noise.RandnLike(x, generator);
        return (p.Mean + (0.5 * p.LogVariance).exp() * z).MoveToOuterDisposeScope();
    }
}

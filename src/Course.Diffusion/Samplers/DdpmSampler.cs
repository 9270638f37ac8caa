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
        : base(schedule, prediction, clipDenoised)
    {
        Variance = variance;
        _logVariance = Schedule.ModelVariance(variance).LogVariance;
    }

    /// <summary>sigma_t^2: beta-tilde_t (fixed small) or beta_t (fixed large).</summary>
    public ReverseVariance Variance { get; }

    readonly double[] _logVariance;

    /// <summary>
    /// One step for the whole batch at schedule index <paramref name="index"/>, so every coefficient
    /// is a number rather than a gathered tensor. For an epsilon model without clipping this is
    /// eq. 11, mu = (x_t - beta_t / sqrt(1 - alpha-bar_t) eps) / sqrt(alpha_t); otherwise x_0 is
    /// predicted first and put into the posterior mean of eq. 7. (The two agree: eq. 11 is eq. 7 with
    /// x_0 from eq. 4.)
    /// </summary>
    public override Tensor Step(Tensor modelOutput, long index, Tensor x, Generator? generator = null)
    {
        if (index < 0 || index >= Schedule.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"step index {index} is outside 0..{Schedule.Length - 1}");
        if (!modelOutput.shape.AsSpan().SequenceEqual(x.shape))
            throw new ArgumentException(LearnerMessages.OutputShapeDiffers(string.Join(", ", modelOutput.shape), string.Join(", ", x.shape)), nameof(modelOutput));
        int i = (int)index;
        using var scope = NewDisposeScope();
        Tensor mean;
        if (Prediction == ModelOutput.Epsilon && !ClipDenoised)
        {
            double scale = 1 / Math.Sqrt(Schedule.Alphas[i]);
            mean = x.mul(scale).add_(modelOutput, -scale * Schedule.Betas[i] / Schedule.SqrtOneMinusAlphasCumprod[i]);
        }
        else
        {
            var t = Coefficients.Timestep(index, x.shape[0], x.device);
            var (x0, _) = Schedule.PredictStartAndNoise(Prediction, modelOutput, x, t, ClipDenoised);
            mean = x0.mul(Schedule.PosteriorMeanCoef1[i]).add_(x, Schedule.PosteriorMeanCoef2[i]);
        }
        if (index > 0) mean.add_(Noise.RandnLike(x, generator), Math.Exp(0.5 * _logVariance[i]));
        return mean.MoveToOuterDisposeScope();
    }
}

using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Samplers;

/// <summary>
/// DDIM (Song, Meng &amp; Ermon 2021, eq. 12), on a subsequence of timesteps:
/// x_{t-1} = sqrt(alpha-bar_{t-1}) x0_pred + sqrt(1 - alpha-bar_{t-1} - sigma_t^2) eps_theta + sigma_t z, with
/// sigma_t = eta sqrt((1 - alpha-bar_{t-1}) / (1 - alpha-bar_t)) sqrt(1 - alpha-bar_t / alpha-bar_{t-1}) (eq. 16).
/// eta = 0 is deterministic (no noise is drawn after x_T); eta = 1 is DDPM with the posterior variance.
/// </summary>
public sealed class DdimSampler : Sampler
{
    /// <param name="schedule">The training schedule.</param>
    /// <param name="steps">How many steps to take (evenly spaced timesteps); null takes every step of <paramref name="schedule"/>.</param>
    /// <param name="eta">Stochasticity in [0, 1].</param>
    public DdimSampler(NoiseSchedule schedule, int? steps = null, double eta = 0, ModelOutput prediction = ModelOutput.Epsilon, bool clipDenoised = false)
        : base(steps is int n ? (schedule ?? throw new ArgumentNullException(nameof(schedule))).Respace(n) : schedule, prediction, clipDenoised)
    {
        if (!(eta >= 0 && eta <= 1)) throw new ArgumentOutOfRangeException(nameof(eta), eta, LearnerMessages.EtaRange);
        Eta = eta;
    }

    public double Eta { get; }

    /// <summary>sigma_t of eq. 16 at a schedule index.</summary>
    public double Sigma(long index)
    {
        double ab = Schedule.AlphasCumprod[index], abPrev = Schedule.AlphasCumprodPrev[index];
        return Eta * Math.Sqrt((1 - abPrev) / (1 - ab)) * Math.Sqrt(1 - ab / abPrev);
    }

    /// <summary>
    /// x_{t-1} = sqrt(alpha-bar_{t-1}) x0_pred + sqrt(1 - alpha-bar_{t-1} - sigma^2) eps_pred + sigma z
    /// (eq. 12). For an epsilon model without clipping, x0_pred = (x_t - sqrt(1 - alpha-bar_t) eps) / sqrt(alpha-bar_t)
    /// folds in, and the step is a x_t + b eps with two numbers a and b.
    /// </summary>
    public override Tensor Step(Tensor modelOutput, long index, Tensor x, Generator? generator = null)
    {
        if (index < 0 || index >= Schedule.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"step index {index} is outside 0..{Schedule.Length - 1}");
        if (!modelOutput.shape.AsSpan().SequenceEqual(x.shape))
            throw new ArgumentException(LearnerMessages.OutputShapeDiffers(string.Join(", ", modelOutput.shape), string.Join(", ", x.shape)), nameof(modelOutput));
        using var scope = NewDisposeScope();
        double ab = Schedule.AlphasCumprod[index], abPrev = Schedule.AlphasCumprodPrev[index], sigma = Sigma(index);
        double direction = Math.Sqrt(Math.Max(1 - abPrev - sigma * sigma, 0));
        Tensor next;
        if (Prediction == ModelOutput.Epsilon && !ClipDenoised)
        {
            double a = Math.Sqrt(abPrev / ab);
            next = x.mul(a).add_(modelOutput, direction - a * Math.Sqrt(1 - ab));
        }
        else
        {
            var t = Coefficients.Timestep(index, x.shape[0], x.device);
            var (x0, eps) = Schedule.PredictStartAndNoise(Prediction, modelOutput, x, t, ClipDenoised);
            next = Math.Sqrt(abPrev) * x0 + direction * eps;
        }
        if (sigma > 0) next = next + sigma * Noise.RandnLike(x, generator);
        return next.MoveToOuterDisposeScope();
    }
}

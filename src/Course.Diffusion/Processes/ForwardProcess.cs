using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>
/// The forward (noising) process q of Ho et al. 2020, as extension methods on a schedule.
/// Timesteps t are int64 tensors of shape [B] holding schedule indices (index i is the paper's t = i + 1).
/// </summary>
public static class ForwardProcess
{
    /// <summary>
    /// Samples q(x_t | x_0) = N(sqrt(alpha-bar_t) x_0, (1 - alpha-bar_t) I) in closed form (Ho et al. eq. 4):
    /// x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) eps, with the given noise or fresh noise from <paramref name="generator"/>.
    /// </summary>
    public static Tensor QSample(this NoiseSchedule schedule, Tensor x0, Tensor t, Tensor? noise = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(x0);
        using var scope = NewDisposeScope();
        var eps = noise ?? Noise.RandnLike(x0, generator);
        CheckSameShape(eps, x0, "noise", "x0");
        var signal = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, x0);
        var sigma = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, x0);
        return (signal * x0 + sigma * eps).MoveToOuterDisposeScope();
    }

    /// <summary>Mean and variance of q(x_t | x_0): sqrt(alpha-bar_t) x_0 and (1 - alpha-bar_t), the latter shaped [B, 1, ...].</summary>
    public static (Tensor Mean, Tensor Variance) QMeanVariance(this NoiseSchedule schedule, Tensor x0, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(x0);
        using var signal = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, x0);
        using var alphaBar = Coefficients.Extract(schedule.AlphasCumprod, t, x0);
        var mean = signal * x0;
        var variance = 1.0 - alphaBar;
        return (mean, variance);
    }

    /// <summary>
    /// One forward step q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I) (Ho et al. eq. 2),
    /// where t indexes the step taken (t = 0 goes from the data x_0 to x_1).
    /// </summary>
    public static Tensor QStep(this NoiseSchedule schedule, Tensor xPrevious, Tensor t, Tensor? noise = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(xPrevious);
        using var scope = NewDisposeScope();
        var eps = noise ?? Noise.RandnLike(xPrevious, generator);
        CheckSameShape(eps, xPrevious, "noise", "xPrevious");
        var alpha = Coefficients.Extract(schedule.Alphas, t, xPrevious);
        var beta = Coefficients.Extract(schedule.Betas, t, xPrevious);
        return (alpha.sqrt() * xPrevious + beta.sqrt() * eps).MoveToOuterDisposeScope();
    }

    internal static void CheckSameShape(Tensor a, Tensor b, string aName, string bName)
    {
        if (!a.shape.AsSpan().SequenceEqual(b.shape))
            throw new ArgumentException(LearnerMessages.ShapesDiffer(aName, string.Join(", ", a.shape), bName, string.Join(", ", b.shape)), aName);
    }
}

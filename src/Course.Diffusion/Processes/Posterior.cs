using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>The forward-process posterior q(x_{t-1} | x_t, x_0), tractable given x_0 (Ho et al. eq. 6-7).</summary>
public static class Posterior
{
    /// <summary>
    /// q(x_{t-1} | x_t, x_0) = N(mu-tilde_t, beta-tilde_t I) with
    /// mu-tilde_t = sqrt(alpha-bar_{t-1}) beta_t / (1 - alpha-bar_t) x_0 + sqrt(alpha_t)(1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) x_t
    /// and beta-tilde_t = (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) beta_t (eq. 7). Variance and clipped log-variance are shaped [B, 1, ...].
    /// </summary>
    public static (Tensor Mean, Tensor Variance, Tensor LogVarianceClipped) QPosteriorMeanVariance(this NoiseSchedule schedule, Tensor x0, Tensor xT, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(x0);
        ArgumentNullException.ThrowIfNull(xT);
        ForwardProcess.CheckSameShape(x0, xT, "x0", "xT");
        using var scope = NewDisposeScope();
        var c1 = Coefficients.Extract(schedule.PosteriorMeanCoef1, t, xT);
        var c2 = Coefficients.Extract(schedule.PosteriorMeanCoef2, t, xT);
        var mean = c1 * x0 + c2 * xT;
        var variance = Coefficients.Extract(schedule.PosteriorVariance, t, xT);
        var logVariance = Coefficients.Extract(schedule.PosteriorLogVarianceClipped, t, xT);
        return (mean.MoveToOuterDisposeScope(), variance.MoveToOuterDisposeScope(), logVariance.MoveToOuterDisposeScope());
    }
}

using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>One reverse step's Gaussian p_theta(x_{t-1} | x_t) = N(Mean, Variance I), and the x_0 the model implied.</summary>
public sealed record ReverseGaussian(Tensor Mean, Tensor Variance, Tensor LogVariance, Tensor PredictedX0, Tensor PredictedNoise) : IDisposable
{
    public void Dispose()
    {
        Mean.Dispose(); Variance.Dispose(); LogVariance.Dispose(); PredictedX0.Dispose(); PredictedNoise.Dispose();
    }
}

/// <summary>The learned reverse process p_theta(x_{t-1} | x_t) of Ho et al. 2020, section 3.2.</summary>
public static class ReverseProcess
{
    /// <summary>
    /// The variance sigma_t^2 of p_theta and its log, per index: beta-tilde_t ("fixed small", log clipped at
    /// t = 1) or beta_t ("fixed large", with beta-tilde_2 at t = 1 as in improved-diffusion).
    /// </summary>
    public static (double[] Variance, double[] LogVariance) ModelVariance(this NoiseSchedule schedule, ReverseVariance kind)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        switch (kind)
        {
            case ReverseVariance.FixedSmall:
                return ((double[])schedule.PosteriorVariance.Clone(), (double[])schedule.PosteriorLogVarianceClipped.Clone());
            case ReverseVariance.FixedLarge:
                var variance = (double[])schedule.Betas.Clone();
                if (variance.Length > 1) variance[0] = schedule.PosteriorVariance[1];
                return (variance, variance.Select(v => Math.Log(v)).ToArray());
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown reverse variance");
        }
    }

    /// <summary>
    /// p_theta(x_{t-1} | x_t): the posterior mean of eq. 7 with x_0 replaced by the model's prediction
    /// (for an epsilon model this is eq. 11: (x_t - beta_t / sqrt(1 - alpha-bar_t) eps_theta) / sqrt(alpha_t)),
    /// and a fixed variance. <paramref name="clipDenoised"/> clamps the predicted x_0 to [-1, 1] (images).
    /// </summary>
    public static ReverseGaussian PMeanVariance(this NoiseSchedule schedule, Tensor modelOutput, ModelOutput kind, Tensor xT, Tensor t,
        ReverseVariance variance = ReverseVariance.FixedSmall, bool clipDenoised = false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var scope = NewDisposeScope();
        var (x0, eps) = schedule.PredictStartAndNoise(kind, modelOutput, xT, t, clipDenoised);
        var (mean, _, _) = schedule.QPosteriorMeanVariance(x0, xT, t);
        var (v, logv) = schedule.ModelVariance(variance);
        var modelVariance = Coefficients.Extract(v, t, xT);
        var modelLogVariance = Coefficients.Extract(logv, t, xT);
        return new ReverseGaussian(mean.MoveToOuterDisposeScope(), modelVariance.MoveToOuterDisposeScope(),
            modelLogVariance.MoveToOuterDisposeScope(), x0.MoveToOuterDisposeScope(), eps.MoveToOuterDisposeScope());
    }
}

using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>The score reading of a noise-predicting model (Song et al. 2021; Vincent 2011).</summary>
public static class ScoreFunctions
{
    /// <summary>s(x_t, t) = grad log q(x_t) ~ -eps_theta(x_t, t) / sqrt(1 - alpha-bar_t).</summary>
    public static Tensor ScoreFromEpsilon(NoiseSchedule schedule, Tensor epsilon, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var sigma = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, epsilon);
        using var ratio = epsilon / sigma;
        return ratio.neg();
    }

    /// <summary>eps = -sqrt(1 - alpha-bar_t) s(x_t, t).</summary>
    public static Tensor EpsilonFromScore(NoiseSchedule schedule, Tensor score, Tensor t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var sigma = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, score);
        using var product = sigma * score;
        return product.neg();
    }

    /// <summary>
    /// A denoiser read as a score function score(x_t, t), t int64 timesteps [B] indexing <paramref name="schedule"/>
    /// (the training schedule). Outputs of kind X0 or V are converted to eps first.
    /// </summary>
    public static Func<Tensor, Tensor, Tensor> FromDenoiser(NoiseSchedule schedule, Denoiser model, ModelOutput kind = ModelOutput.Epsilon, Tensor? classLabels = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(model);
        return (x, t) =>
        {
            using var scope = NewDisposeScope();
            var output = model(x, t, classLabels);
            var (_, eps) = schedule.PredictStartAndNoise(kind, output, x, t);
            return ScoreFromEpsilon(schedule, eps, t).MoveToOuterDisposeScope();
        };
    }

    /// <summary>A score function score(x_t, t) read as an epsilon-predicting denoiser.</summary>
    public static Denoiser ToDenoiser(NoiseSchedule schedule, Func<Tensor, Tensor, Tensor> score)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(score);
        return (x, t, _) =>
        {
            using var s = score(x, t);
            return EpsilonFromScore(schedule, s, t);
        };
    }
}

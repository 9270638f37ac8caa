using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>
/// Conversions between the three things a model may predict at (x_t, t), all following from
/// x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) eps (Ho et al. eq. 4) and
/// v = sqrt(alpha-bar_t) eps - sqrt(1 - alpha-bar_t) x_0 (Salimans &amp; Ho 2022, section 4).
/// </summary>
public static class Parameterization
{
    /// <summary>x_0 = x_t / sqrt(alpha-bar_t) - sqrt(1/alpha-bar_t - 1) eps (Ho et al. eq. 4 solved for x_0).</summary>
    public static Tensor PredictStartFromNoise(this NoiseSchedule schedule, Tensor xT, Tensor t, Tensor noise)
    {
        using var a = Coefficients.Extract(schedule.SqrtRecipAlphasCumprod, t, xT);
        using var b = Coefficients.Extract(schedule.SqrtRecipm1AlphasCumprod, t, xT);
        using var ax = a * xT;
        using var bn = b * noise;
        return ax - bn;
    }

    /// <summary>eps = (x_t / sqrt(alpha-bar_t) - x_0) / sqrt(1/alpha-bar_t - 1).</summary>
    public static Tensor PredictNoiseFromStart(this NoiseSchedule schedule, Tensor xT, Tensor t, Tensor x0)
    {
        using var a = Coefficients.Extract(schedule.SqrtRecipAlphasCumprod, t, xT);
        using var b = Coefficients.Extract(schedule.SqrtRecipm1AlphasCumprod, t, xT);
        using var ax = a * xT;
        using var numerator = ax - x0;
        return numerator / b;
    }

    /// <summary>v = sqrt(alpha-bar_t) eps - sqrt(1 - alpha-bar_t) x_0 (Salimans &amp; Ho 2022).</summary>
    public static Tensor PredictV(this NoiseSchedule schedule, Tensor x0, Tensor t, Tensor noise)
    {
        using var a = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, x0);
        using var s = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, x0);
        using var an = a * noise;
        using var sx = s * x0;
        return an - sx;
    }

    /// <summary>x_0 = sqrt(alpha-bar_t) x_t - sqrt(1 - alpha-bar_t) v.</summary>
    public static Tensor StartFromV(this NoiseSchedule schedule, Tensor xT, Tensor t, Tensor v)
    {
        using var a = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, xT);
        using var s = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, xT);
        using var ax = a * xT;
        using var sv = s * v;
        return ax - sv;
    }

    /// <summary>eps = sqrt(1 - alpha-bar_t) x_t + sqrt(alpha-bar_t) v.</summary>
    public static Tensor NoiseFromV(this NoiseSchedule schedule, Tensor xT, Tensor t, Tensor v)
    {
        using var a = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, xT);
        using var s = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, xT);
        using var sx = s * xT;
        using var av = a * v;
        return sx + av;
    }

    /// <summary>
    /// The predicted x_0 and eps implied by a model output of the given kind. With
    /// <paramref name="clipDenoised"/> x_0 is clamped to [-1, 1] (image data) and eps recomputed from it.
    /// </summary>
    public static (Tensor X0, Tensor Noise) PredictStartAndNoise(this NoiseSchedule schedule, ModelOutput kind, Tensor modelOutput, Tensor xT, Tensor t, bool clipDenoised = false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(modelOutput);
        ForwardProcess.CheckSameShape(modelOutput, xT, "modelOutput", "xT");
        using var scope = NewDisposeScope();
        Tensor x0, eps;
        switch (kind)
        {
            case ModelOutput.Epsilon: eps = modelOutput.alias(); x0 = schedule.PredictStartFromNoise(xT, t, modelOutput); break;
            case ModelOutput.X0: x0 = modelOutput.alias(); eps = schedule.PredictNoiseFromStart(xT, t, modelOutput); break;
            case ModelOutput.V: x0 = schedule.StartFromV(xT, t, modelOutput); eps = schedule.NoiseFromV(xT, t, modelOutput); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown model output kind");
        }
        if (clipDenoised)
        {
            x0 = x0.clamp(-1, 1);
            eps = schedule.PredictNoiseFromStart(xT, t, x0);
        }
        return (x0.MoveToOuterDisposeScope(), eps.MoveToOuterDisposeScope());
    }

    /// <summary>What a model of the given kind should output for (x_0, eps) at t: the regression target of L_simple.</summary>
    public static Tensor Target(this NoiseSchedule schedule, ModelOutput kind, Tensor x0, Tensor noise, Tensor t) => kind switch
    {
        ModelOutput.Epsilon => noise.alias(),
        ModelOutput.X0 => x0.alias(),
        ModelOutput.V => schedule.PredictV(x0, t, noise),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown model output kind"),
    };
}

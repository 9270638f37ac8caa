using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>Closed-form Gaussian quantities used by the variational bound (elementwise, broadcasting).</summary>
public static class GaussianMath
{
    /// <summary>
    /// KL(N(mean1, exp(logVar1)) || N(mean2, exp(logVar2))) per element:
    /// 0.5 (-1 + logVar2 - logVar1 + exp(logVar1 - logVar2) + (mean1 - mean2)^2 exp(-logVar2)).
    /// </summary>
    public static Tensor NormalKL(Tensor mean1, Tensor logVar1, Tensor mean2, Tensor logVar2)
    {
        using var scope = NewDisposeScope();
        var kl = 0.5 * (-1.0 + logVar2 - logVar1 + (logVar1 - logVar2).exp() + (mean1 - mean2).square() * (-logVar2).exp());
        return kl.MoveToOuterDisposeScope();
    }

    /// <summary>log N(x; mean, exp(logVar)) per element, for continuous data (e.g. 2D points).</summary>
    public static Tensor GaussianLogLikelihood(Tensor x, Tensor mean, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        var ll = -0.5 * (Math.Log(2 * Math.PI) + logVar + (x - mean).square() * (-logVar).exp());
        return ll.MoveToOuterDisposeScope();
    }

    /// <summary>The standard normal CDF by the tanh approximation of Page (1977), as in Ho et al.'s and improved-diffusion's code.</summary>
    public static Tensor ApproxStandardNormalCdf(Tensor x)
    {
        using var scope = NewDisposeScope();
        var cdf = 0.5 * (1.0 + (Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());
        return cdf.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Ho et al. eq. 13: the probability of the 8-bit bin around each x in [-1, 1] (bin width 2/255)
    /// under N(mean, exp(logVar)), with the edge bins extended to -inf and +inf. Log per element.
    /// </summary>
    public static Tensor DiscretizedGaussianLogLikelihood(Tensor x, Tensor mean, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        var centered = x - mean;
        var invStd = (-0.5 * logVar).exp();
        var cdfPlus = ApproxStandardNormalCdf(invStd * (centered + 1.0 / 255));
        var cdfMin = ApproxStandardNormalCdf(invStd * (centered - 1.0 / 255));
        var logCdfPlus = cdfPlus.clamp_min(1e-12).log();
        var logOneMinusCdfMin = (1.0 - cdfMin).clamp_min(1e-12).log();
        var logDelta = (cdfPlus - cdfMin).clamp_min(1e-12).log();
        var result = where(x < -0.999, logCdfPlus, where(x > 0.999, logOneMinusCdfMin, logDelta));
        return result.MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>The decoder's p_θ(x | z) (Kingma &amp; Welling 2014, Appendix C).</summary>
public enum DecoderLikelihood
{
    /// <summary>N(x; μ_θ(z), diag σ²) with a learned σ² per data dimension (C.2): for real-valued data.</summary>
    Gaussian,
    /// <summary>Each pixel ~ Bernoulli(sigmoid(logit_θ(z))) (C.1), the targets being the pixels mapped from [−1, 1] to [0, 1].</summary>
    Bernoulli,
}

/// <summary>
/// The reconstruction term −log p_θ(x | z) of the ELBO, per example (summed over the data dimensions).
/// </summary>
public static class ReconstructionLoss
{
    const double Log2Pi = 1.8378770664093453;

    /// <summary>
    /// −log N(x; μ, diag σ²) = ½ Σ_i [(x_i − μ_i)² / σ_i² + log σ_i² + log 2π], with <paramref name="logVariance"/>
    /// broadcast against x ([D] per dimension, or a scalar). Returns [B].
    /// </summary>
    public static Tensor GaussianNegativeLogLikelihood(Tensor x, Tensor mean, Tensor logVariance)
    {
        ArgumentNullException.ThrowIfNull(x);
        Reparameterization.CheckSameShape(x, mean, nameof(mean));
        ArgumentNullException.ThrowIfNull(logVariance);
        using var scope = NewDisposeScope();
        var perDimension = 0.5 * ((x - mean).square() * (-logVariance).exp() + logVariance + Log2Pi);
        return SumPerExample(perDimension).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// −log Bernoulli(x; sigmoid(l)) = Σ_i [softplus(l_i) − x_i l_i] for targets x in [0, 1] — the binary cross-entropy
    /// written in logits, so a saturated logit gives a large finite loss rather than log 0. Returns [B].
    /// </summary>
    public static Tensor BernoulliNegativeLogLikelihood(Tensor target, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(target);
        Reparameterization.CheckSameShape(target, logits, nameof(logits));
        using var scope = NewDisposeScope();
        var perDimension = GanLosses.Softplus(logits) - target * logits;
        return SumPerExample(perDimension).MoveToOuterDisposeScope();
    }

    static Tensor SumPerExample(Tensor perDimension) =>
        perDimension.dim() == 1 ? perDimension : perDimension.reshape(perDimension.shape[0], -1).sum(1);
}

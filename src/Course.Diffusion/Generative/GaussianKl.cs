using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// The KL term of the VAE's ELBO in closed form (Kingma &amp; Welling 2014, Appendix B): for
/// q(z | x) = N(μ, diag σ²) and the prior p(z) = N(0, I),
/// <code>D_KL(q ‖ p) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²),</code>
/// summed over the latent dimensions j. It is 0 exactly when μ = 0 and σ = 1, and grows as the encoder
/// moves a code away from the prior or makes it more certain.
/// </summary>
public static class GaussianKl
{
    /// <summary>D_KL(N(μ, diag exp(logσ²)) ‖ N(0, I)) per example: [B, J] → [B].</summary>
    public static Tensor ToStandardNormal(Tensor mean, Tensor logVariance)
    {
        Reparameterization.CheckSameShape(mean, logVariance, nameof(logVariance));
        if (mean.dim() != 2) throw new ArgumentException($"the mean must be [batch, latent], but has shape [{string.Join(", ", mean.shape)}]", nameof(mean));
        using var scope = NewDisposeScope();
        var inner = 1 + logVariance - mean.square() - logVariance.exp();
        return (-0.5 * inner.sum(1)).MoveToOuterDisposeScope();
    }
}

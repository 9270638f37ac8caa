using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// The reparameterization trick (Kingma &amp; Welling 2014, §2.4 and eq. 10): a draw from the encoder's
/// q_φ(z | x) = N(μ, diag σ²) written as a differentiable function of (μ, log σ²) and parameter-free noise,
/// <code>z = μ + σ ⊙ ε,  σ = exp(½ log σ²),  ε ~ N(0, I),</code>
/// so the gradient of E_q[f(z)] with respect to μ and σ is the expectation of ∂f/∂z · ∂z/∂(μ, σ), estimated
/// from the same ε. The encoder predicts log σ² rather than σ so that any real output is a valid variance.
/// </summary>
public static class Reparameterization
{
    /// <summary>z = μ + exp(½ log σ²) ⊙ ε for given noise ε (same shape as μ).</summary>
    public static Tensor Apply(Tensor mean, Tensor logVariance, Tensor noise)
    {
        CheckSameShape(mean, logVariance, nameof(logVariance));
        CheckSameShape(mean, noise, nameof(noise));
        using var sigma = (0.5 * logVariance).exp();
        using var scaled = sigma * noise;
        return mean + scaled;
    }

    /// <summary>z = μ + σ ⊙ ε with ε ~ N(0, I) drawn from <paramref name="generator"/> (libtorch's default when null).</summary>
    public static Tensor Sample(Tensor mean, Tensor logVariance, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(mean);
        using var noise = randn(mean.shape, generator: generator).to(mean.dtype, mean.device);
        return Apply(mean, logVariance, noise);
    }

    internal static void CheckSameShape(Tensor reference, Tensor other, string name)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(other, name);
        if (!reference.shape.SequenceEqual(other.shape))
            throw new ArgumentException($"{name} must have the shape of the mean, [{string.Join(", ", reference.shape)}], but has [{string.Join(", ", other.shape)}]", name);
    }
}

using Course.Diffusion.Score;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>How well samples fit a known mixture: their exact mean log-density under it.</summary>
public static class MixtureLikelihood
{
    /// <summary>(1/N) sum_i log p(x_i) under <paramref name="mixture"/>, in nats. Compare with the same figure for
    /// fresh draws from the mixture (its negative entropy, up to sampling error).</summary>
    public static double MeanLogLikelihood(GaussianMixture mixture, Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(samples);
        using var scope = NewDisposeScope();
        return mixture.LogProb(samples.detach().to(float64)).mean().ToDouble();
    }
}

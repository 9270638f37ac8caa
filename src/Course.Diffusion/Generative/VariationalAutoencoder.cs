using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>The terms of the (negative) ELBO of one batch, each the mean over the batch of a per-example sum, in nats.</summary>
/// <param name="Loss">−ELBO = Reconstruction + β · Kl (β = 1: the bound of Kingma &amp; Welling 2014, eq. 10).</param>
/// <param name="Reconstruction">−log p_θ(x | z) for one z ~ q_φ(z | x) per example.</param>
/// <param name="Kl">D_KL(q_φ(z | x) ‖ N(0, I)), in closed form.</param>
public sealed record VaeLoss(Tensor Loss, Tensor Reconstruction, Tensor Kl) : IDisposable
{
    public void Dispose()
    {
        Loss.Dispose();
        Reconstruction.Dispose();
        Kl.Dispose();
    }
}

/// <summary>
/// A variational autoencoder (Kingma &amp; Welling 2014). The encoder q_φ(z | x) = N(μ_φ(x), diag σ²_φ(x)) gives
/// a distribution over latent codes; the decoder p_θ(x | z) a distribution over data; the prior is p(z) = N(0, I).
/// Training maximises the evidence lower bound (their eq. 10, with one sample of z per example)
/// <code>log p_θ(x) ≥ ELBO = E_q[log p_θ(x | z)] − D_KL(q_φ(z | x) ‖ p(z)),</code>
/// the expectation estimated through the reparameterization z = μ + σ ⊙ ε. Sampling is one pass:
/// z ~ N(0, I), then x ~ p_θ(x | z) (or its mean).
/// </summary>
public sealed class VariationalAutoencoder : nn.Module
{
    readonly nn.Module<Tensor, Tensor> encoder;
    readonly nn.Module<Tensor, Tensor> decoder;
    readonly Parameter? decoder_log_variance;

    public VariationalAutoencoder(GenerativeConfig config) : base(nameof(VariationalAutoencoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = GenerativeNetworks.DataToVector(config, 2L * config.LatentDimension, leaky: false);
        decoder = GenerativeNetworks.LatentToData(config);
        // The Gaussian decoder learns one variance per data dimension (maximum likelihood, starting at σ² = 1).
        if (config.Likelihood == DecoderLikelihood.Gaussian) decoder_log_variance = new Parameter(zeros(config.DataShape));
        RegisterComponents();
    }

    public GenerativeConfig Config { get; }

    public int LatentDimension => Config.LatentDimension;

    /// <summary>log σ²_x of the Gaussian decoder, per data dimension (null for a Bernoulli decoder).</summary>
    public Tensor? DecoderLogVariance => decoder_log_variance;

    /// <summary>x [B, ...] → (μ [B, J], log σ² [B, J]) of q_φ(z | x).</summary>
    public (Tensor Mean, Tensor LogVariance) Encode(Tensor x)
    {
        CheckData(x);
        using var flat = Config.Kind == NetworkKind.Mlp ? x.reshape(x.shape[0], -1) : x.alias();
        using var both = encoder.call(flat);
        var halves = both.chunk(2, 1);
        return (halves[0], halves[1]);
    }

    /// <summary>z [B, J] → the decoder's raw output [B, ...]: the Gaussian mean, or the Bernoulli logits.</summary>
    public Tensor Decode(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.shape[1] != LatentDimension)
            throw new ArgumentException($"latent codes must be [batch, {LatentDimension}], got [{string.Join(", ", z.shape)}]", nameof(z));
        using var output = decoder.call(z);
        return output.reshape(new[] { z.shape[0] }.Concat(Config.DataShape).ToArray());
    }

    /// <summary>The mean of p_θ(x | z) in data units (for Bernoulli: sigmoid(logits) mapped from [0, 1] to [−1, 1]).</summary>
    public Tensor DecodeMean(Tensor z)
    {
        using var output = Decode(z);
        if (Config.Likelihood == DecoderLikelihood.Gaussian) return output.alias();
        using var probability = output.sigmoid();
        return probability * 2 - 1;
    }

    /// <summary>The negative ELBO of a batch x [B, ...] with one reparameterized z per example, noise from <paramref name="generator"/>.</summary>
    public VaeLoss Loss(Tensor x, Generator? generator = null, double klWeight = 1.0)
    {
        using var scope = NewDisposeScope();
        var (mean, logVariance) = Encode(x);
        var z = Reparameterization.Sample(mean, logVariance, generator);
        var reconstruction = NegativeLogLikelihood(x, z).mean();
        var kl = GaussianKl.ToStandardNormal(mean, logVariance).mean();
        var loss = reconstruction + klWeight * kl;
        return new VaeLoss(loss.MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }

    /// <summary>−log p_θ(x | z) per example, [B].</summary>
    public Tensor NegativeLogLikelihood(Tensor x, Tensor z)
    {
        CheckData(x);
        using var scope = NewDisposeScope();
        var output = Decode(z);
        var result = Config.Likelihood == DecoderLikelihood.Gaussian
            ? ReconstructionLoss.GaussianNegativeLogLikelihood(x, output, decoder_log_variance!)
            : ReconstructionLoss.BernoulliNegativeLogLikelihood((x + 1) * 0.5, output);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// n samples of the model: z ~ N(0, I), then x ~ p_θ(x | z) with <paramref name="decoderNoise"/> (the VAE's
    /// actual distribution; for a Bernoulli decoder each pixel becomes −1 or 1), or the decoder mean without it.
    /// </summary>
    public Tensor Sample(long n, Generator? generator = null, bool decoderNoise = false)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one sample");
        using var scope = NewDisposeScope();
        var device = encoder.parameters().First().device;
        var z = randn(new[] { n, (long)LatentDimension }, generator: generator).to(device);
        var mean = DecodeMean(z);
        if (!decoderNoise) return mean.MoveToOuterDisposeScope();
        if (Config.Likelihood == DecoderLikelihood.Gaussian)
        {
            var noise = randn(mean.shape, generator: generator).to(device);
            return (mean + (0.5 * decoder_log_variance!).exp() * noise).MoveToOuterDisposeScope();
        }
        var coin = rand(mean.shape, generator: generator).to(device);
        return where(coin < (mean + 1) * 0.5, ones_like(mean), -ones_like(mean)).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes and decodes (with z = μ, the most likely code): what the VAE remembers of x.</summary>
    public Tensor Reconstruct(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (mean, _) = Encode(x);
        return DecodeMean(mean).MoveToOuterDisposeScope();
    }

    void CheckData(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var expected = Config.DataShape;
        if (x.dim() != expected.Length + 1 || !x.shape.AsSpan(1).SequenceEqual(expected))
            throw new ArgumentException($"{nameof(VariationalAutoencoder)} expects data [batch, {string.Join(", ", expected)}], got [{string.Join(", ", x.shape)}]", nameof(x));
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// A generative adversarial network (Goodfellow et al. 2014): a generator G maps noise z ~ N(0, I) to data, a
/// discriminator D scores how real an example looks. They play the game of eq. 1 (<see cref="GanLosses"/>):
/// D learns to tell data from G's output, G learns to fool D. Sampling is one pass through G. For images the
/// generator's output goes through tanh into the data range [−1, 1]; for the toy data it is left unbounded.
/// </summary>
public sealed class GenerativeAdversarialNetwork : nn.Module
{
    readonly nn.Module<Tensor, Tensor> generator;
    readonly nn.Module<Tensor, Tensor> discriminator;

    public GenerativeAdversarialNetwork(GenerativeConfig config) : base(nameof(GenerativeAdversarialNetwork))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        generator = GenerativeNetworks.LatentToData(config);
        discriminator = GenerativeNetworks.DataToVector(config, 1, leaky: true);
        RegisterComponents();
    }

    public GenerativeConfig Config { get; }

    public int LatentDimension => Config.LatentDimension;

    /// <summary>G's parameters (what the generator's optimizer updates).</summary>
    public IEnumerable<Parameter> GeneratorParameters() => generator.parameters();

    /// <summary>D's parameters.</summary>
    public IEnumerable<Parameter> DiscriminatorParameters() => discriminator.parameters();

    /// <summary>The generator as a module of its own (for an exponential moving average of its weights).</summary>
    public nn.Module GeneratorModule => generator;

    /// <summary>G(z): latent codes [B, J] → data [B, ...].</summary>
    public Tensor Generate(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.shape[1] != LatentDimension)
            throw new ArgumentException($"latent codes must be [batch, {LatentDimension}], got [{string.Join(", ", z.shape)}]", nameof(z));
        using var raw = generator.call(z);
        using var shaped = raw.reshape(new[] { z.shape[0] }.Concat(Config.DataShape).ToArray());
        return Config.Kind == NetworkKind.Conv ? shaped.tanh() : shaped.alias();
    }

    /// <summary>D's logit l(x) per example, [B]; D(x) = sigmoid(l(x)) is the probability that x is real.</summary>
    public Tensor Discriminate(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var expected = Config.DataShape;
        if (x.dim() != expected.Length + 1 || !x.shape.AsSpan(1).SequenceEqual(expected))
            throw new ArgumentException($"{nameof(GenerativeAdversarialNetwork)} expects data [batch, {string.Join(", ", expected)}], got [{string.Join(", ", x.shape)}]", nameof(x));
        using var input = Config.Kind == NetworkKind.Mlp ? x.reshape(x.shape[0], -1) : x.alias();
        using var logits = discriminator.call(input);
        return logits.reshape(x.shape[0]);
    }

    /// <summary>Latent codes z ~ N(0, I), [n, J], on the networks' device.</summary>
    public Tensor SampleLatent(long n, Generator? generator = null)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ask for at least one sample");
        var device = this.generator.parameters().First().device;
        using var z = randn(new[] { n, (long)LatentDimension }, generator: generator);
        return z.to(device);
    }

    /// <summary>n samples G(z), z ~ N(0, I): one network evaluation, no iterative refinement.</summary>
    public Tensor Sample(long n, Generator? generator = null)
    {
        using var z = SampleLatent(n, generator);
        return Generate(z);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Course.Diffusion.Generative;

/// <summary>Which networks a VAE or GAN is built from.</summary>
public enum NetworkKind
{
    /// <summary>Fully connected networks for vectors (the 2-D toy data): <see cref="GenerativeNetworks.Mlp"/>.</summary>
    Mlp,
    /// <summary>Small convolutional networks for images (Fashion-MNIST): <see cref="ImageEncoder"/> and <see cref="ImageDecoder"/>.</summary>
    Conv,
}

/// <summary>
/// The shape of a VAE or a GAN, stored as JSON in its files so that it can be rebuilt. Both families use the
/// same two networks: one maps data to a vector (the VAE's encoder, the GAN's discriminator) and one maps a latent
/// code to data (the VAE's decoder, the GAN's generator), so a comparison of the two is not a comparison of
/// architectures.
/// </summary>
public sealed record GenerativeConfig
{
    public NetworkKind Kind { get; init; } = NetworkKind.Mlp;

    /// <summary>The shape of one example: [2] for the toy data, [1, 28, 28] for Fashion-MNIST.</summary>
    public long[] DataShape { get; init; } = { 2 };

    /// <summary>Dimension J of the latent code z.</summary>
    public int LatentDimension { get; init; } = 2;

    /// <summary>Units per hidden layer (Mlp) or channels of the first convolution (Conv; the second level has twice as many).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Hidden layers of each MLP (ignored by Conv).</summary>
    public int Layers { get; init; } = 3;

    /// <summary>The VAE decoder's p(x | z) (ignored by a GAN).</summary>
    public DecoderLikelihood Likelihood { get; init; } = DecoderLikelihood.Gaussian;

    /// <summary>The 2-D toy setting: MLPs of 3 × 128 units, a 2-D latent code, Gaussian decoder.</summary>
    public static GenerativeConfig ForToyData(int latentDimension = 2) => new() { LatentDimension = latentDimension };

    /// <summary>Fashion-MNIST: convolutions with 32 and 64 channels; a latent code of 16 (VAE) or 64 (GAN) is typical.</summary>
    public static GenerativeConfig ForFashionMnist(int latentDimension, DecoderLikelihood likelihood = DecoderLikelihood.Bernoulli) => new()
    {
        Kind = NetworkKind.Conv, DataShape = new long[] { 1, 28, 28 }, LatentDimension = latentDimension, Width = 32, Likelihood = likelihood,
    };

    /// <summary>Number of values in one example (2, or 784 for a 1×28×28 image).</summary>
    [JsonIgnore]
    public long DataSize => DataShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Throws an ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (DataShape is null || DataShape.Length == 0 || DataShape.Any(d => d < 1))
            throw new ArgumentException($"DataShape must be a non-empty list of positive sizes, got [{string.Join(", ", DataShape ?? Array.Empty<long>())}]");
        if (LatentDimension < 1) throw new ArgumentException($"LatentDimension must be at least 1, got {LatentDimension}");
        if (Width < 1) throw new ArgumentException($"Width must be at least 1, got {Width}");
        if (Kind == NetworkKind.Mlp && DataShape.Length != 1)
            throw new ArgumentException($"Mlp networks take vectors: DataShape must have one entry, got [{string.Join(", ", DataShape)}]");
        if (Kind == NetworkKind.Mlp && Layers < 1) throw new ArgumentException($"Layers must be at least 1, got {Layers}");
        if (Kind == NetworkKind.Conv && (DataShape.Length != 3 || DataShape[1] != DataShape[2] || DataShape[1] % 4 != 0))
            throw new ArgumentException($"Conv networks take square images [channels, size, size] with size divisible by 4, got [{string.Join(", ", DataShape)}]");
    }

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static GenerativeConfig FromJson(string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(json);
        var config = JsonSerializer.Deserialize<GenerativeConfig>(json, Json) ?? throw new InvalidDataException($"'{json}' is not a generative-model configuration");
        config.Validate();
        return config;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// The sinusoidal embedding of an integer timestep (Vaswani et al. 2017, §3.5, as used by Ho et al.
/// 2020, Appendix B, and their code's <c>get_timestep_embedding</c>):
/// <c>emb[i] = sin(t · ω_i)</c>, <c>emb[half + i] = cos(t · ω_i)</c>, with
/// <c>ω_i = 10000^(−i / (half − 1))</c> for i = 0 … half − 1. Nearby timesteps get nearby vectors
/// and every timestep a distinct one, so a network can tell the noise level apart smoothly.
/// It has no parameters.
/// </summary>
public sealed class SinusoidalTimeEmbedding : nn.Module<Tensor, Tensor>, IDescribedModule
{
    public const double MaxPeriod = 10000.0;

    public SinusoidalTimeEmbedding(int dimension) : base(nameof(SinusoidalTimeEmbedding))
    {
        Validate(dimension);
        Dimension = dimension;
        RegisterComponents();
    }

    /// <summary>The length of each embedding vector (even, at least 4).</summary>
    public int Dimension { get; }

    /// <summary>timesteps [B] (any numeric dtype) → embeddings [B, Dimension], float32.</summary>
    public override Tensor forward(Tensor timesteps) => Embed(timesteps, Dimension);

    /// <summary>timesteps [B] (any numeric dtype) → embeddings [B, dimension], float32, on the timesteps' device.</summary>
    public static Tensor Embed(Tensor timesteps, int dimension)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        Validate(dimension);
        if (timesteps.dim() != 1)
            throw new ArgumentException($"timesteps must be a 1-D tensor [batch], but have shape [{string.Join(", ", timesteps.shape)}]", nameof(timesteps));
        var frequencies = Frequencies(dimension, timesteps.device);      // ω_i, [1, half]
        using var t = timesteps.to(float32);
        using var column = t.unsqueeze(1);                          // [B, 1]
        using var angles = column * frequencies;                    // [B, half]
        using var sines = angles.sin();
        using var cosines = angles.cos();
        return cat(new[] { sines, cosines }, 1);
    }

    /// <summary>ω_i = 10000^(-i / (half - 1)) as a [1, half] row, made once per dimension and device.</summary>
    static Tensor Frequencies(int dimension, Device device)
    {
        lock (s_frequencies)
        {
            var key = (dimension, device.type, device.index);
            if (s_frequencies.TryGetValue(key, out var cached)) return cached;
            int half = dimension / 2;
            using var exponents = arange(0, half, 1, float32, device);
            using var scaled = exponents * (-Math.Log(MaxPeriod) / (half - 1));
            using var row = scaled.exp();
            var frequencies = row.unsqueeze(0).DetachFromDisposeScope();
            s_frequencies[key] = frequencies;
            return frequencies;
        }
    }

    static readonly Dictionary<(int, DeviceType, int), Tensor> s_frequencies = new();

    static void Validate(int dimension)
    {
        if (dimension < 4 || dimension % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the sinusoidal time embedding needs an even dimension of at least 4");
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() => $"(dim={Dimension})";
}

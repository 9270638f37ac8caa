using System.Text.Json;

namespace Course.Diffusion.Models;

/// <summary>
/// The shape of a <see cref="UNet"/>. The defaults make a small model that trains on a laptop CPU
/// for 1x28x28 images (Fashion-MNIST): 32 base channels, multipliers (1, 2, 2) for resolutions
/// 28 → 14 → 7, attention at 7x7.
/// </summary>
public sealed record UNetConfig
{
    /// <summary>Image channels: 1 (grey) or 3 (RGB).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Height = width of the images; must be divisible by 2^(levels − 1).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Channels at the full resolution; level i has BaseChannels · ChannelMultipliers[i].</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>One entry per resolution level; each level after the first halves the resolution.</summary>
    public int[] ChannelMultipliers { get; init; } = { 1, 2, 2 };

    /// <summary>Residual blocks per level on the way down (the way up has one more, as in Ho et al.).</summary>
    public int ResidualBlocksPerLevel { get; init; } = 1;

    /// <summary>Resolutions (e.g. 7) whose blocks get self-attention; null means only the lowest one.
    /// The middle block always has attention.</summary>
    public int[]? AttentionResolutions { get; init; }

    public int AttentionHeads { get; init; } = 1;

    public double Dropout { get; init; } = 0.1;

    /// <summary>GroupNorm groups (must divide every channel count).</summary>
    public int Groups { get; init; } = 8;

    /// <summary>0 for unconditional; otherwise the number of real classes (an extra null class is added).</summary>
    public int NumClasses { get; init; }

    /// <summary>1x28x28 (Fashion-MNIST): base 32, multipliers (1, 2, 2), attention at 7x7.</summary>
    public static UNetConfig ForFashionMnist(int numClasses = 0) => new() { NumClasses = numClasses };

    /// <summary>3x32x32 (CIFAR-10-like): base 32, multipliers (1, 2, 2, 2), resolutions 32 → 16 → 8 → 4, attention at 8x8.</summary>
    public static UNetConfig ForCifar(int numClasses = 0) => new()
    {
        InChannels = 3, ImageSize = 32, ChannelMultipliers = new[] { 1, 2, 2, 2 }, AttentionResolutions = new[] { 8 }, NumClasses = numClasses,
    };

    /// <summary>The resolution of each level, e.g. [28, 14, 7].</summary>
    public int[] LevelResolutions()
    {
        var r = new int[ChannelMultipliers.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ImageSize >> i;
        return r;
    }

    public int[] EffectiveAttentionResolutions() => AttentionResolutions ?? new[] { LevelResolutions()[^1] };

    public string ToJson() => JsonSerializer.Serialize(this);

    public static UNetConfig FromJson(string json) =>
        JsonSerializer.Deserialize<UNetConfig>(json) ?? throw new ArgumentException("the UNet config JSON is empty", nameof(json));

    /// <summary>Throws an ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (InChannels < 1) throw new ArgumentException($"InChannels must be at least 1, got {InChannels}");
        if (BaseChannels < 1) throw new ArgumentException($"BaseChannels must be at least 1, got {BaseChannels}");
        if (ChannelMultipliers is null || ChannelMultipliers.Length == 0) throw new ArgumentException("ChannelMultipliers needs at least one level");
        if (ChannelMultipliers.Any(m => m < 1)) throw new ArgumentException($"ChannelMultipliers must be positive, got ({string.Join(", ", ChannelMultipliers)})");
        if (ResidualBlocksPerLevel < 1) throw new ArgumentException($"ResidualBlocksPerLevel must be at least 1, got {ResidualBlocksPerLevel}");
        int factor = 1 << (ChannelMultipliers.Length - 1);
        if (ImageSize < factor || ImageSize % factor != 0)
            throw new ArgumentException($"ImageSize {ImageSize} must be divisible by 2^{ChannelMultipliers.Length - 1} = {factor} for {ChannelMultipliers.Length} levels");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must lie in [0, 1), got {Dropout}");
        if (NumClasses < 0) throw new ArgumentException($"NumClasses cannot be negative, got {NumClasses}");
        var levels = LevelResolutions();
        foreach (var r in EffectiveAttentionResolutions())
            if (!levels.Contains(r))
                throw new ArgumentException($"attention resolution {r} is not one of the levels' resolutions ({string.Join(", ", levels)})");
    }
}

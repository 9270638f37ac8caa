using System.Text.Json;

namespace Course.Diffusion.Models;

/// <summary>
/// The shape of a <see cref="CompactUNet"/>: a UNet shaped for training in minutes on a CPU. The
/// defaults (for 1x28x28, Fashion-MNIST) fold each 2x2 patch of pixels into 4 channels first, so the
/// network works at 14x14 and 7x7 with 32 and 64 channels and never at the full 28x28.
/// </summary>
public sealed record CompactUNetConfig
{
    /// <summary>Image channels: 1 (grey) or 3 (RGB).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Height = width of the images; must be divisible by Patch · 2^(levels − 1).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Side of the square patches folded into channels before the first convolution (1: none).</summary>
    public int Patch { get; init; } = 2;

    /// <summary>Channels of each level; each level after the first halves the resolution.</summary>
    public int[] Channels { get; init; } = { 32, 64 };

    /// <summary>Residual blocks per level on the way down, and as many on the way up.</summary>
    public int BlocksPerLevel { get; init; } = 1;

    /// <summary>GroupNorm groups (must divide every level's channels).</summary>
    public int Groups { get; init; } = 8;

    /// <summary>0 for unconditional; otherwise the number of real classes (an extra null class is added).</summary>
    public int NumClasses { get; init; }

    /// <summary>1x28x28 (Fashion-MNIST): 2x2 patches, 32 channels at 14x14 and 64 at 7x7, one block per level each way.</summary>
    public static CompactUNetConfig ForFashionMnist(int numClasses = 0) => new() { NumClasses = numClasses };

    /// <summary>Width of the time (and class) embedding vector every block is conditioned on.</summary>
    public int EmbeddingDimension => Math.Max(64, 4 * Channels[0]);

    /// <summary>The resolution of each level, e.g. [14, 7].</summary>
    public int[] LevelResolutions()
    {
        var r = new int[Channels.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ImageSize / Patch >> i;
        return r;
    }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static CompactUNetConfig FromJson(string json) =>
        JsonSerializer.Deserialize<CompactUNetConfig>(json) ?? throw new ArgumentException("the CompactUNet config JSON is empty", nameof(json));

    /// <summary>Throws an ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (InChannels < 1) throw new ArgumentException(LearnerMessages.AtLeast("InChannels", 1, InChannels));
        if (Patch < 1) throw new ArgumentException(LearnerMessages.AtLeast("Patch", 1, Patch));
        if (Channels is null || Channels.Length == 0) throw new ArgumentException(LearnerMessages.ChannelsNeedLevel);
        if (Channels.Any(c => c < 1)) throw new ArgumentException(LearnerMessages.ChannelsPositive(string.Join(", ", Channels)));
        if (BlocksPerLevel < 1) throw new ArgumentException(LearnerMessages.AtLeast("BlocksPerLevel", 1, BlocksPerLevel));
        if (NumClasses < 0) throw new ArgumentException(LearnerMessages.NotNegativeCount("NumClasses", NumClasses));
        int factor = Patch << (Channels.Length - 1);
        if (ImageSize < factor || ImageSize % factor != 0)
            throw new ArgumentException(LearnerMessages.ImageSizeNotDivisible(ImageSize, Channels.Length, factor, Patch));
        foreach (var c in Channels) UNet.CheckGroups(c, Groups);
    }
}

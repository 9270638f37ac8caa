using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

public enum DatasetSplit { Train, Test }

/// <summary>
/// A labelled image set in memory: images float32 [N, C, H, W] scaled to [-1, 1] (the range DDPM
/// works in, Ho et al. 2020 section 3.3), labels int64 [N] indexing <see cref="ClassNames"/>.
/// Owns its tensors: dispose it to free them.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(string name, DatasetSplit split, Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        Name = name; Split = split; Images = images; Labels = labels; ClassNames = classNames;
    }

    public string Name { get; }
    public DatasetSplit Split { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public long Count => Labels.shape[0];

    /// <summary>A batch of images and labels drawn uniformly with replacement.</summary>
    public (Tensor images, Tensor labels) RandomBatch(long batchSize, Generator? generator = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        using var index = randint(0, Count, new[] { batchSize }, int64, generator?.device ?? CPU, generator: generator);
        using var local = index.to(Images.device);
        return (Images.index_select(0, local), Labels.index_select(0, local));
    }

    public override string ToString() =>
        LearnerMessages.DatasetDescription(Name, Split.ToString().ToLowerInvariant(), Count, string.Join(", ", Images.shape.Skip(1)), ClassNames.Count);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>Conversions between 8-bit pixels and the [-1, 1] range models work in.</summary>
public static class ImageScaling
{
    /// <summary>uint8 pixels 0..255 to float32 in [-1, 1]: x / 127.5 - 1.</summary>
    public static Tensor BytesToSignedUnit(Tensor pixels)
    {
        using var asFloat = pixels.to(float32);
        using var unit = asFloat / 127.5;
        return unit - 1.0;
    }

    /// <summary>float in [-1, 1] back to uint8 pixels (values outside are clamped): round((x + 1) * 127.5).</summary>
    public static Tensor SignedUnitToBytes(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pixels = ((images.to(float32) + 1.0) * 127.5).round().clamp(0, 255).to(uint8);
        return pixels.MoveToOuterDisposeScope();
    }
}

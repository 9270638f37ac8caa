using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>
/// Two crude numbers that make a picture grid's differences measurable (lesson 08): how sharp a batch of images is,
/// and how different its images are from each other. They need no classifier, and they see only pixels; FID, KID and
/// precision/recall (<see cref="ImageQuality"/>) are the measures the field uses.
/// </summary>
public static class PixelStatistics
{
    /// <summary>Sharpness of images [N, C, H, W]: the mean absolute difference between horizontally neighbouring
    /// pixels and that between vertically neighbouring pixels, averaged. A blurred image has small differences.</summary>
    public static double Sharpness(Tensor images)
    {
        CheckImages(images, 1);
        using var scope = NewDisposeScope();
        long h = images.shape[2], w = images.shape[3];
        var dxs = (images.index_select(3, arange(1, w, 1, int64)) - images.index_select(3, arange(0, w - 1, 1, int64)))
            .abs().mean();
        var dys = (images.index_select(2, arange(1, h, 1, int64)) - images.index_select(2, arange(0, h - 1, 1, int64)))
            .abs().mean();
        return 0.5 * (dxs.ToSingle() + dys.ToSingle());
    }

    /// <summary>Diversity of images [N, C, H, W], N ≥ 2: the mean over all pairs of two different images of their
    /// RMS pixel difference (their Euclidean distance over √(pixels)). A collapsed model, repeating itself, scores
    /// near 0.</summary>
    public static double Diversity(Tensor images)
    {
        CheckImages(images, 2);
        using var scope = NewDisposeScope();
        var flat = images.reshape(images.shape[0], -1).to(float64);
        var squared = flat.square().sum(1, keepdim: true);
        var d2 = (squared + squared.t() - 2 * flat.matmul(flat.t())).clamp_min(0);
        long m = images.shape[0];
        return d2.sqrt().sum().ToDouble() / (m * (m - 1.0)) / Math.Sqrt(flat.shape[1]);
    }

    static void CheckImages(Tensor images, long minimumCount)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.ndim != 4 || images.shape[0] < minimumCount || images.shape[2] < 2 || images.shape[3] < 2)
            throw new ArgumentException($"expected at least {minimumCount} image(s) [N, C, H, W] of at least 2 × 2 pixels, " +
                $"got [{string.Join(", ", images.shape)}]", nameof(images));
    }
}

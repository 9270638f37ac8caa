using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>FID, KID, precision/recall (and, for conditional samples, accuracy by label) of one set against a reference.</summary>
public sealed record ImageQualityScores(FrechetResult Fid, KernelDistanceResult Kid, PrecisionRecallResult PrecisionRecall,
    ClassAccuracyResult? Accuracy)
{
    /// <summary>n, the number of samples measured.</summary>
    public long Count => Fid.Count;

    /// <summary>The number of reference vectors.</summary>
    public long ReferenceCount => Fid.ReferenceCount;
}

/// <summary>
/// The course's image metrics on two feature matrices, as the field reports them (Heusel et al. 2017; Bińkowski et
/// al. 2018; Kynkäänniemi et al. 2019): FID, KID over subsets, precision and recall with k = 3. Every number depends on
/// n (FID strongly, KID's spread and precision/recall somewhat), so a number means something only beside the same
/// metric for real images at the same n: <see cref="ImageQualityReport"/> carries both.
/// </summary>
public static class ImageQuality
{
    /// <summary>All metrics of sample features [N, D] against reference features [M, D]. KID's subsets come from a generator
    /// seeded with <paramref name="seed"/>, so the same inputs give the same numbers. <paramref name="referenceSquaredRadii"/>:
    /// the reference's k-NN radii from <see cref="PrecisionRecall.SquaredRadii"/>, when already computed.</summary>
    public static ImageQualityScores Measure(Tensor samples, Tensor reference, ClassAccuracyResult? accuracy = null,
        int kidSubsets = KernelDistance.DefaultSubsets, long kidSubsetSize = KernelDistance.DefaultSubsetSize, int k = PrecisionRecall.DefaultK,
        ulong seed = 0, Tensor? referenceSquaredRadii = null, CancellationToken cancellationToken = default)
    {
        FeatureMatrices.CheckPair(samples, reference, minimumRows: k + 1);
        if (accuracy is not null && accuracy.Count != samples.shape[0])
            throw new ArgumentException($"the accuracy was measured on {accuracy.Count} samples, the features are of {samples.shape[0]}", nameof(accuracy));
        using var scope = NewDisposeScope();
        var x = samples.detach().to(float64);
        var y = reference.detach().to(float64, x.device);
        var fid = FrechetDistance.Between(x, y);
        cancellationToken.ThrowIfCancellationRequested();
        using var generator = new Generator(seed);
        var kid = KernelDistance.Between(x, y, kidSubsets, kidSubsetSize, generator, cancellationToken);
        var pr = referenceSquaredRadii is null
            ? PrecisionRecall.Between(x, y, k, cancellationToken)
            : PrecisionRecall.Between(x, y, referenceSquaredRadii, k, cancellationToken);
        return new ImageQualityScores(fid, kid, pr, accuracy);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>Improved precision and recall, with k and the sizes of the two sets.</summary>
/// <param name="Precision">the fraction of samples inside the reference set's manifold: fidelity.</param>
/// <param name="Recall">the fraction of reference vectors inside the samples' manifold: diversity, coverage.</param>
/// <param name="K">the neighbour whose distance sets each ball's radius.</param>
/// <param name="Count">n, the number of samples.</param>
/// <param name="ReferenceCount">the number of reference vectors.</param>
public sealed record PrecisionRecallResult(double Precision, double Recall, int K, long Count, long ReferenceCount);

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019, §2, eqs. 1–2). Each set's manifold is the union of
/// balls around its vectors, each ball reaching to that vector's k-th nearest neighbour in its own set (k = 3, as
/// in the paper). Precision is the fraction of samples that fall inside the reference manifold (are the samples
/// realistic?), recall the fraction of reference vectors inside the samples' manifold (do the samples cover the
/// data?). Distances are Euclidean in float64, computed in blocks of 128 rows, in place: 10,000 x 10,000 pairs never
/// sit in memory at once, and each block (10 MB at 10,000 columns) stays below the allocator's threshold for fresh
/// pages. Blocks of 1,024 rows with a new tensor per step ran 10 to 30 times slower, nearly all of it in the kernel
/// zeroing freshly mapped pages (bench/README.md).
/// </summary>
public static class PrecisionRecall
{
    /// <summary>The paper's k.</summary>
    public const int DefaultK = 3;

    const long BlockRows = 128;

    /// <summary>Precision and recall of sample features [N, D] against reference features [M, D].</summary>
    public static PrecisionRecallResult Between(Tensor samples, Tensor reference, int k = DefaultK,
        CancellationToken cancellationToken = default)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        FeatureMatrices.CheckPair(samples, reference, minimumRows: k + 1);
        using var radii = SquaredRadii(reference, k, cancellationToken);
        return Between(samples, reference, radii, k, cancellationToken);
    }

    /// <summary>The same, with the reference's squared radii already computed by <see cref="SquaredRadii"/> for this k
    /// (they cost as much as the rest: a reference used many times computes them once).</summary>
    public static PrecisionRecallResult Between(Tensor samples, Tensor reference, Tensor referenceSquaredRadii, int k = DefaultK,
        CancellationToken cancellationToken = default)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1");
        FeatureMatrices.CheckPair(samples, reference, minimumRows: k + 1);
        ArgumentNullException.ThrowIfNull(referenceSquaredRadii);
        if (referenceSquaredRadii.ndim != 1 || referenceSquaredRadii.shape[0] != reference.shape[0])
            throw new ArgumentException($"need one radius per reference vector ({reference.shape[0]}), got [{string.Join(", ", referenceSquaredRadii.shape)}]",
                nameof(referenceSquaredRadii));
        using var scope = NewDisposeScope();
        var x = samples.detach().to(float64);
        var y = reference.detach().to(float64, x.device);
        var sampleRadii = SquaredRadii(x, k, cancellationToken);
        var referenceRadii = referenceSquaredRadii.to(float64, x.device);
        long n = x.shape[0], m = y.shape[0];
        var referenceNorms = SquaredNorms(y);
        var referenceRadiiRow = referenceRadii.unsqueeze(0);
        long samplesInside = 0;
        // per reference vector: max over samples of (r_s² − d²); ≥ 0 means covered
        Tensor? referenceMargin = null;
        for (long start = 0; start < n; start += BlockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var block = NewDisposeScope();
            long rows = Math.Min(BlockRows, n - start);
            var distances = SquaredDistances(x[TensorIndex.Slice(start, start + rows)], y, referenceNorms);   // [rows, M]
            var (toReference, _) = (referenceRadiiRow - distances).max(1);
            samplesInside += toReference.ge(0).sum().ToInt64();
            var (toSamples, _) = distances.neg_().add_(sampleRadii[TensorIndex.Slice(start, start + rows)].unsqueeze(1)).max(0);
            var margin = referenceMargin is null ? toSamples : referenceMargin.maximum(toSamples);
            referenceMargin?.Dispose();
            referenceMargin = margin.DetachFromDisposeScope();
        }
        long referenceInside;
        using (referenceMargin) referenceInside = referenceMargin!.ge(0).sum().ToInt64();
        return new PrecisionRecallResult(samplesInside / (double)n, referenceInside / (double)m, k, n, m);
    }

    /// <summary>For every vector, the squared distance to its k-th nearest neighbour in the same set (itself left out).</summary>
    public static Tensor SquaredRadii(Tensor x, int k, CancellationToken cancellationToken = default)
    {
        FeatureMatrices.Check(x, nameof(x), minimumRows: k + 1);
        using var scope = NewDisposeScope();
        var points = x.detach().to(float64);
        long n = points.shape[0];
        var norms = SquaredNorms(points);
        var radii = new List<Tensor>();
        for (long start = 0; start < n; start += BlockRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long rows = Math.Min(BlockRows, n - start);
            using var block = NewDisposeScope();
            var distances = SquaredDistances(points[TensorIndex.Slice(start, start + rows)], points, norms);
            // the nearest is the vector itself (distance 0, or a duplicate of it at 0), so the k-th neighbour is
            // the (k + 1)-th smallest, as in the paper's reference code
            var (nearest, _) = distances.topk(k + 1, 1, largest: false, sorted: true);
            radii.Add(nearest[TensorIndex.Colon, TensorIndex.Single(k)].MoveToOuterDisposeScope());
        }
        return cat(radii, 0).MoveToOuterDisposeScope();
    }

    /// <summary>|bⱼ|² as a row [1, M].</summary>
    static Tensor SquaredNorms(Tensor b) => b.square().sum(1).unsqueeze(0);

    /// <summary>|aᵢ − bⱼ|² = |aᵢ|² + |bⱼ|² − 2 aᵢ·bⱼ for all pairs, [N, M], never below 0; <paramref name="bNorms"/> is
    /// <see cref="SquaredNorms"/>(b). One new tensor, the rest in place on it.</summary>
    static Tensor SquaredDistances(Tensor a, Tensor b, Tensor bNorms)
    {
        using var scope = NewDisposeScope();
        var aNorms = a.square().sum(1, keepdim: true);
        var distances = a.matmul(b.t());
        distances.mul_(-2.0).add_(aNorms).add_(bNorms).clamp_(0.0);
        return distances.MoveToOuterDisposeScope();
    }
}

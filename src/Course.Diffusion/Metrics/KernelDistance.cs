using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>KID: the mean and standard deviation of the unbiased MMD² over subsets, with the sizes behind them.</summary>
/// <param name="Mean">the mean of the subsets' unbiased MMD² estimates (KID).</param>
/// <param name="StandardDeviation">their standard deviation (divided by subsets − 1; 0 for one subset).</param>
/// <param name="Subsets">how many pairs of subsets were drawn.</param>
/// <param name="SubsetSize">the number of samples in each subset.</param>
/// <param name="ReferenceSubsetSize">the number of reference vectors in each subset.</param>
/// <param name="Count">n, the number of samples the subsets were drawn from.</param>
/// <param name="ReferenceCount">the number of reference vectors they were drawn from.</param>
public sealed record KernelDistanceResult(double Mean, double StandardDeviation, int Subsets, long SubsetSize, long ReferenceSubsetSize,
    long Count, long ReferenceCount);

/// <summary>
/// The kernel inception distance (Bińkowski et al. 2018, §3 and appendix D): the unbiased estimate of the
/// squared maximum mean discrepancy (Gretton et al. 2012, eq. 3) with the cubic polynomial kernel
/// <code>k(x, y) = (xᵀy / D + 1)³</code>
/// averaged over random subsets, as clean-fid and torch-fidelity do (100 subsets of at most 1000 each by
/// default). Unlike FID its expectation does not depend on n: two sets from one law give 0 on average at any
/// n, and the estimate can come out slightly negative.
/// </summary>
public static class KernelDistance
{
    /// <summary>clean-fid's and torch-fidelity's number of subsets.</summary>
    public const int DefaultSubsets = 100;

    /// <summary>clean-fid's and torch-fidelity's largest subset size.</summary>
    public const long DefaultSubsetSize = 1000;

    /// <summary>The cubic polynomial kernel k(x, y) = (xᵀy / D + 1)³ for all pairs, [N, M], in the inputs' dtype.</summary>
    public static Tensor PolynomialKernel(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        double d = x.shape[1];
        var k = (x.matmul(y.t()) / d + 1).pow(3);
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>The unbiased MMD² between two whole sets [N, D] and [M, D] with the cubic kernel, in float64:
    /// the mean of k over distinct pairs within each set, minus twice the mean over pairs across.</summary>
    public static double UnbiasedMmdSquared(Tensor samples, Tensor reference)
    {
        FeatureMatrices.CheckPair(samples, reference, minimumRows: 2);
        using var scope = NewDisposeScope();
        var x = samples.detach().to(float64);
        var y = reference.detach().to(float64, x.device);
        return UnbiasedMmdSquaredOf(x, y);
    }

    static double UnbiasedMmdSquaredOf(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        double n = x.shape[0], m = y.shape[0];
        var kxx = PolynomialKernel(x, x);
        var kyy = PolynomialKernel(y, y);
        var kxy = PolynomialKernel(x, y);
        double withinX = (kxx.sum().ToDouble() - SelfKernelSum(x)) / (n * (n - 1));
        double withinY = (kyy.sum().ToDouble() - SelfKernelSum(y)) / (m * (m - 1));
        double across = kxy.sum().ToDouble() / (n * m);
        return withinX + withinY - 2 * across;
    }

    /// <summary>Σᵢ k(xᵢ, xᵢ) = Σᵢ (|xᵢ|² / D + 1)³: the diagonal the unbiased estimate leaves out.</summary>
    static double SelfKernelSum(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x.square().sum(1) / (double)x.shape[1] + 1).pow(3).sum().ToDouble();
    }

    static Tensor RandomRows(Tensor x, long count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var chosen = randperm(x.shape[0], generator: generator)[TensorIndex.Slice(0, count)].to(x.device);
        return x.index_select(0, chosen).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KID between sample features [N, D] and reference features [M, D]: <paramref name="subsets"/> times, a
    /// subset of min(N, M, <paramref name="subsetSize"/>) samples and as many reference vectors (clean-fid's rule),
    /// each drawn without replacement with <paramref name="generator"/>; the mean and
    /// standard deviation of their unbiased MMD². Checks <paramref name="cancellationToken"/> between subsets.
    /// </summary>
    public static KernelDistanceResult Between(Tensor samples, Tensor reference, int subsets = DefaultSubsets,
        long subsetSize = DefaultSubsetSize, Generator? generator = null, CancellationToken cancellationToken = default)
    {
        FeatureMatrices.CheckPair(samples, reference, minimumRows: 2);
        if (subsets < 1) throw new ArgumentOutOfRangeException(nameof(subsets), subsets, "KID needs at least one subset");
        if (subsetSize < 2) throw new ArgumentOutOfRangeException(nameof(subsetSize), subsetSize, "subsets need at least two vectors each");
        long n = samples.shape[0], m = reference.shape[0];
        // one size for both subsets, min(N, M, subsetSize), as clean-fid draws them
        long sampleSize = Math.Min(Math.Min(n, m), subsetSize), referenceSize = sampleSize;
        using var ownGenerator = generator is null ? new Generator(0) : null;
        var draw = generator ?? ownGenerator!;
        using var scope = NewDisposeScope();
        var x = samples.detach().to(float64);
        var y = reference.detach().to(float64, x.device);
        var estimates = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var xs = sampleSize == n ? x : RandomRows(x, sampleSize, draw);
            var ys = referenceSize == m ? y : RandomRows(y, referenceSize, draw);
            estimates[s] = UnbiasedMmdSquaredOf(xs, ys);
        }
        double mean = estimates.Average();
        double sd = subsets > 1 ? Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (subsets - 1)) : 0;
        return new KernelDistanceResult(mean, sd, subsets, sampleSize, referenceSize, n, m);
    }
}

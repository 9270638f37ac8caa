using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>
/// The mean and covariance of a set of feature vectors, in double precision: what FID compares
/// (Heusel et al. 2017, eq. 6), and what pytorch-fid stores as <c>mu</c> and <c>sigma</c> so that a
/// reference set is summarised once. The covariance divides by N - 1, as numpy's <c>np.cov</c> does.
/// </summary>
public sealed class FeatureStatistics
{
    FeatureStatistics(long count, double[] mean, double[,] covariance)
    {
        Count = count;
        Mean = mean;
        Covariance = covariance;
    }

    /// <summary>How many feature vectors the statistics summarise (n).</summary>
    public long Count { get; }

    /// <summary>The dimension D of the features.</summary>
    public int Dimension => Mean.Length;

    /// <summary>The mean vector, [D].</summary>
    public double[] Mean { get; }

    /// <summary>The sample covariance, [D, D], divided by N - 1.</summary>
    public double[,] Covariance { get; }

    /// <summary>Mean and covariance of features [N, D] (any float dtype; computed in float64).</summary>
    public static FeatureStatistics Of(Tensor features)
    {
        FeatureMatrices.Check(features, nameof(features), minimumRows: 2);
        using var scope = NewDisposeScope();
        var x = features.detach().to(float64);
        long n = x.shape[0];
        int d = (int)x.shape[1];
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        var centred = x - mean;
        var covariance = centred.t().matmul(centred) / (n - 1.0);
        return new FeatureStatistics(n, FeatureMatrices.ToArray(mean), FeatureMatrices.ToMatrix(covariance, d));
    }

    /// <summary>Statistics given directly (from a file of stored statistics, or a closed form).</summary>
    public static FeatureStatistics FromMoments(long count, double[] mean, double[,] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (covariance.GetLength(0) != mean.Length || covariance.GetLength(1) != mean.Length)
            throw new ArgumentException($"a mean of dimension {mean.Length} needs a {mean.Length}x{mean.Length} covariance, " +
                $"got {covariance.GetLength(0)}x{covariance.GetLength(1)}", nameof(covariance));
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "statistics need at least two vectors");
        return new FeatureStatistics(count, (double[])mean.Clone(), (double[,])covariance.Clone());
    }
}

using Course.Diffusion.Score;
using TorchSharp;

namespace Course.Diffusion.Metrics;

/// <summary>A Fréchet distance and the sizes of the two sets it compared.</summary>
/// <param name="Value">d² = |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½).</param>
/// <param name="MeanTerm">|μ₁ − μ₂|²: how far apart the centres are.</param>
/// <param name="CovarianceTerm">the trace term: how differently the two sets spread.</param>
/// <param name="Count">n, the number of samples.</param>
/// <param name="ReferenceCount">the number of reference vectors.</param>
public sealed record FrechetResult(double Value, double MeanTerm, double CovarianceTerm, long Count, long ReferenceCount);

/// <summary>
/// The Fréchet distance between two Gaussians fitted to two feature sets (Heusel et al. 2017, eq. 6; Dowson
/// &amp; Landau 1982): FID when the features are those of a classifier.
/// <code>d² = |μ₁ − μ₂|² + tr(Σ₁) + tr(Σ₂) − 2 tr((Σ₁^½ Σ₂ Σ₁^½)^½)</code>
/// tr((Σ₁Σ₂)^½) is computed as tr((Σ₁^½ Σ₂ Σ₁^½)^½): Σ₁^½ Σ₂ Σ₁^½ is symmetric and positive semi-definite and
/// has the eigenvalues of Σ₁Σ₂, so both square roots come from symmetric eigendecompositions and stay real
/// (pytorch-fid takes scipy's general <c>sqrtm</c> of Σ₁Σ₂ and discards a small imaginary part). Eigenvalues
/// that rounding leaves slightly negative count as 0. The cost is O(D³): meant for D up to a few hundred.
/// The estimate is biased upwards at small n (Chong &amp; Forsyth 2020), so compare FIDs at the same n only.
/// </summary>
public static class FrechetDistance
{
    /// <summary>FID between sample features [N, D] and reference features [M, D].</summary>
    public static FrechetResult Between(torch.Tensor samples, torch.Tensor reference)
    {
        FeatureMatrices.CheckPair(samples, reference, minimumRows: 2);
        return Between(FeatureStatistics.Of(samples), FeatureStatistics.Of(reference));
    }

    /// <summary>The Fréchet distance between two sets' stored statistics.</summary>
    public static FrechetResult Between(FeatureStatistics samples, FeatureStatistics reference)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(reference);
        if (samples.Dimension != reference.Dimension)
            throw new ArgumentException($"samples have dimension {samples.Dimension} but the reference has {reference.Dimension}");
        int d = samples.Dimension;
        double meanTerm = 0;
        for (int i = 0; i < d; i++)
        {
            double gap = samples.Mean[i] - reference.Mean[i];
            meanTerm += gap * gap;
        }
        double traces = 0;
        for (int i = 0; i < d; i++) traces += samples.Covariance[i, i] + reference.Covariance[i, i];
        double covarianceTerm = traces - 2 * TraceOfSquareRootOfProduct(samples.Covariance, reference.Covariance);
        return new FrechetResult(meanTerm + covarianceTerm, meanTerm, covarianceTerm, samples.Count, reference.Count);
    }

    /// <summary>tr((AB)^½) for symmetric positive semi-definite A and B, as tr((A^½ B A^½)^½).</summary>
    public static double TraceOfSquareRootOfProduct(double[,] a, double[,] b)
    {
        var rootA = SymmetricSquareRoot(a);
        var middle = Multiply(Multiply(rootA, b), rootA);
        Symmetrize(middle);
        var (values, _) = SymmetricEigen.Decompose(middle);
        return values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
    }

    /// <summary>A^½ = V diag(√max(λ, 0)) Vᵀ for a symmetric matrix A = V diag(λ) Vᵀ.</summary>
    public static double[,] SymmetricSquareRoot(double[,] a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.GetLength(0);
        if (a.GetLength(1) != n) throw new ArgumentException($"need a square matrix, got {n}x{a.GetLength(1)}", nameof(a));
        var copy = (double[,])a.Clone();
        Symmetrize(copy);
        var (values, vectors) = SymmetricEigen.Decompose(copy);
        var root = new double[n, n];
        var scaled = new double[n];
        for (int k = 0; k < n; k++) scaled[k] = Math.Sqrt(Math.Max(values[k], 0));
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += vectors[i, k] * scaled[k] * vectors[j, k];
                root[i, j] = sum;
                root[j, i] = sum;
            }
        return root;
    }

    static void Symmetrize(double[,] m)
    {
        int n = m.GetLength(0);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double mean = 0.5 * (m[i, j] + m[j, i]);
                m[i, j] = mean;
                m[j, i] = mean;
            }
    }

    static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), inner = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        var row = new double[m];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(row);
            for (int k = 0; k < inner; k++)
            {
                double aik = a[i, k];
                if (aik == 0) continue;
                for (int j = 0; j < m; j++) row[j] += aik * b[k, j];
            }
            for (int j = 0; j < m; j++) c[i, j] = row[j];
        }
        return c;
    }
}

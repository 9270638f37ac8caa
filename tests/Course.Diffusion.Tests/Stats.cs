namespace Course.Diffusion.Tests;

/// <summary>Sample moments with their standard errors, for statistical assertions with stated tolerances.</summary>
public static class Stats
{
    /// <summary>Rows of an [N, D] tensor as a .NET array (float64).</summary>
    public static double[][] Rows(Tensor x)
    {
        using var d = x.detach().to(float64).cpu().contiguous();
        var flat = d.data<double>().ToArray();
        long n = x.shape[0], dim = x.shape[1];
        var rows = new double[n][];
        for (long i = 0; i < n; i++) rows[i] = flat.AsSpan((int)(i * dim), (int)dim).ToArray();
        return rows;
    }

    public static double[] Mean(double[][] rows)
    {
        var m = new double[rows[0].Length];
        foreach (var r in rows) for (int i = 0; i < m.Length; i++) m[i] += r[i];
        for (int i = 0; i < m.Length; i++) m[i] /= rows.Length;
        return m;
    }

    /// <summary>Unbiased sample covariance.</summary>
    public static double[,] Covariance(double[][] rows)
    {
        var m = Mean(rows);
        int d = m.Length;
        var c = new double[d, d];
        foreach (var r in rows) for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i, j] += (r[i] - m[i]) * (r[j] - m[j]);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i, j] /= rows.Length - 1;
        return c;
    }

    /// <summary>Standard error of each covariance entry: the standard deviation of the products
    /// (x_i - m_i)(x_j - m_j) over sqrt(N) (valid for any law with finite fourth moments).</summary>
    public static double[,] CovarianceStandardErrors(double[][] rows)
    {
        var m = Mean(rows);
        int d = m.Length, n = rows.Length;
        var se = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0, s2 = 0;
                foreach (var r in rows) { var p = (r[i] - m[i]) * (r[j] - m[j]); s += p; s2 += p * p; }
                double mean = s / n, variance = s2 / n - mean * mean;
                se[i, j] = Math.Sqrt(variance / n);
            }
        return se;
    }

    /// <summary>Asserts that samples have the given mean and covariance within <paramref name="z"/> standard errors
    /// (plus <paramref name="covarianceBias"/> on covariance entries, a stated allowance for a sampler's known discretisation bias).</summary>
    public static void AssertMoments(Tensor samples, double[] mean, double[,] covariance, double z = 5, double covarianceBias = 0, string what = "samples")
    {
        var rows = Rows(samples);
        var m = Mean(rows);
        var c = Covariance(rows);
        var se = CovarianceStandardErrors(rows);
        int n = rows.Length;
        for (int i = 0; i < mean.Length; i++)
        {
            double tolerance = z * Math.Sqrt(c[i, i] / n);
            Assert.True(Math.Abs(m[i] - mean[i]) <= tolerance, $"{what}: mean[{i}] = {m[i]:G6}, expected {mean[i]:G6} ± {tolerance:G3}");
        }
        for (int i = 0; i < mean.Length; i++)
            for (int j = 0; j < mean.Length; j++)
            {
                double tolerance = z * se[i, j] + covarianceBias;
                Assert.True(Math.Abs(c[i, j] - covariance[i, j]) <= tolerance, $"{what}: cov[{i},{j}] = {c[i, j]:G6}, expected {covariance[i, j]:G6} ± {tolerance:G3}");
            }
    }

    /// <summary>Largest absolute difference between two tensors (as float64).</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(float64) - b.to(float64)).abs().max().ToDouble();
    }
}

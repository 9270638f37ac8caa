namespace Course.Data.Tests;

/// <summary>Helpers for statistical assertions; tolerances are stated in standard errors.</summary>
static class Statistics
{
    /// <summary>Sampled tests are seeded, so they are deterministic; the tolerance of 5 standard
    /// errors would still pass a fresh seed with probability about 1 - 6e-7 per check.</summary>
    public const double Sigmas = 5.0;

    public static float[] Points(Tensor t) => t.data<float>().ToArray();

    public static (double mean, double standardError) MeanAndError(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, Math.Sqrt(variance / values.Count));
    }

    /// <summary>Asserts the sample mean is within 5 standard errors of the expected value.</summary>
    public static void MeanIsNear(double expected, IReadOnlyList<double> values, string what)
    {
        var (mean, error) = MeanAndError(values);
        Assert.True(Math.Abs(mean - expected) <= Sigmas * error + 1e-12,
            $"{what}: sample mean {mean:G6} differs from {expected:G6} by more than {Sigmas} standard errors ({error:G3})");
    }

    /// <summary>Asserts a count is within 5 binomial standard deviations sqrt(n p (1 - p)) of n p.</summary>
    public static void CountIsBinomial(long count, long n, double p, string what)
    {
        double expected = n * p, sd = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(count - expected) <= Sigmas * sd,
            $"{what}: count {count} differs from n p = {expected} by more than {Sigmas} binomial sds ({sd:F1})");
    }
}

using Course.Diffusion.Metrics;
using Course.Diffusion.Score;

namespace Course.Diffusion.Tests;

public class MetricTests
{
    [Fact]
    public void OneDimensionalWassersteinIsExactForUnequalSizes()
    {
        // Quantile functions: {0, 1} is 0 on [0, 1/2), 1 after; {0} is 0 everywhere: W1 = 1/2.
        Assert.Equal(0.5, SlicedWasserstein.OneDimensional(new[] { 0.0, 1.0 }, new[] { 0.0 }, 1), 15);
        // {0, 1, 2} vs {0, 3}: segments [0,1/3) 0, [1/3,1/2) 1, [1/2,2/3) 2, [2/3,1] 1: W1 = 1/6 + 2/6 + 1/3 = 5/6.
        Assert.Equal(5.0 / 6, SlicedWasserstein.OneDimensional(new[] { 0.0, 1.0, 2.0 }, new[] { 0.0, 3.0 }, 1), 15);
        // W2^2 for the same pair: 1/6 * 1 + 1/6 * 4 + 1/3 * 1 = 7/6.
        Assert.Equal(7.0 / 6, SlicedWasserstein.OneDimensional(new[] { 0.0, 1.0, 2.0 }, new[] { 0.0, 3.0 }, 2), 14);
        // Equal sizes: the mean gap between sorted values.
        Assert.Equal(1.0, SlicedWasserstein.OneDimensional(new[] { 0.0, 1.0 }, new[] { 1.0, 2.0 }, 1), 15);
    }

    [Fact]
    public void AnEmpiricalLawRepeatedIsAtDistanceZero()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var x = randn(new long[] { 500, 2 }, float64, generator: g);
        var twice = cat(new[] { x, x }, 0);
        Assert.Equal(0.0, SlicedWasserstein.Distance(x, twice, 200, generator: new Generator(2)), 12);
    }

    /// <summary>
    /// For Y = X + c every projection is shifted by &lt;c, theta&gt;, so W1 along theta is |&lt;c, theta&gt;| and
    /// SW1 = E|&lt;c, theta&gt;| = 2|c|/pi in 2D, SW2 = sqrt(E &lt;c, theta&gt;^2) = |c|/sqrt(2). With L random directions the
    /// estimate's standard error is |c| sqrt(1/2 - 4/pi^2) / sqrt(L) for SW1; tolerance 5 of them.
    /// For an independent draw Y' the triangle inequality bounds |SW(X, Y' + c) - SW(X, X + c)| by SW(X, Y') (same directions).
    /// </summary>
    [Fact]
    public void ShiftedDistributionsAreAtTheShiftsProjectedDistance()
    {
        const int n = 2000, projections = 2000;
        var c = new[] { 3.0, -1.0 };
        double norm = Math.Sqrt(10);
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var x = randn(new long[] { n, 2 }, float64, generator: g);
        var y = randn(new long[] { n, 2 }, float64, generator: g);
        var shift = tensor(c, new long[] { 1, 2 }, float64);
        double SW(Tensor a, Tensor b, double p = 1) => SlicedWasserstein.Distance(a, b, projections, p, new Generator(10));
        double pureShift = SW(x, x + shift);
        double se = norm * Math.Sqrt(0.5 - 4 / (Math.PI * Math.PI)) / Math.Sqrt(projections);
        Assert.True(Math.Abs(pureShift - 2 * norm / Math.PI) < 5 * se, $"SW1 of a pure shift {pureShift}, expected {2 * norm / Math.PI} ± {5 * se}");
        // SW2: E cos^2 = 1/2; the standard error of the mean of |c|^2 cos^2 is |c|^2 sqrt(1/8) / sqrt(L), carried through the square root.
        double sw2 = SW(x, x + shift, 2);
        double se2 = norm * norm * Math.Sqrt(1.0 / 8) / Math.Sqrt(projections) / (2 * norm / Math.Sqrt(2));
        Assert.True(Math.Abs(sw2 - norm / Math.Sqrt(2)) < 5 * se2, $"SW2 of a pure shift {sw2}, expected {norm / Math.Sqrt(2)} ± {5 * se2}");
        double noiseFloor = SW(x, y);
        Assert.True(Math.Abs(SW(x, y + shift) - pureShift) <= noiseFloor + 1e-12);
        // Two draws from the same law: for one projection of N(0, I), E W1 between two samples of n is about 1.82 / sqrt(n)
        // (sqrt(2) * integral of sqrt(2 F (1 - F) / pi)); numpy, 200 repetitions at n = 2000: mean 0.0404, sd 0.0143.
        Assert.True(noiseFloor < 0.0404 + 5 * 0.0143, $"SW1 between two draws of the same law is {noiseFloor}");
        Assert.True(noiseFloor > 0);
    }

    /// <summary>The unbiased MMD^2 equals its definition computed pair by pair (k(a, b) = exp(-|a - b|^2 / (2 h^2))).</summary>
    [Fact]
    public void MmdMatchesItsDefinition()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4);
        var x = randn(new long[] { 30, 2 }, float64, generator: g);
        var y = randn(new long[] { 40, 2 }, float64, generator: g) + 0.5;
        var a = Stats.Rows(x);
        var b = Stats.Rows(y);
        double K(double[] u, double[] v, double h) => Math.Exp(-((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1])) / (2 * h * h));
        double Direct(double h, bool unbiased)
        {
            double sxx = 0, syy = 0, sxy = 0;
            for (int i = 0; i < a.Length; i++) for (int j = 0; j < a.Length; j++) if (!unbiased || i != j) sxx += K(a[i], a[j], h);
            for (int i = 0; i < b.Length; i++) for (int j = 0; j < b.Length; j++) if (!unbiased || i != j) syy += K(b[i], b[j], h);
            foreach (var u in a) foreach (var v in b) sxy += K(u, v, h);
            double n = a.Length, m = b.Length;
            return unbiased ? sxx / (n * (n - 1)) + syy / (m * (m - 1)) - 2 * sxy / (n * m) : sxx / (n * n) + syy / (m * m) - 2 * sxy / (n * m);
        }
        Assert.Equal(Direct(0.8, true), MaximumMeanDiscrepancy.Squared(x, y, 0.8), 12);
        Assert.Equal(Direct(0.8, false), MaximumMeanDiscrepancy.Squared(x, y, 0.8, unbiased: false), 12);
        // Median heuristic: the median of the 70 * 69 / 2 = 2415 pooled pairwise distances (an odd count: the middle one).
        var pooled = a.Concat(b).ToArray();
        var distances = new List<double>();
        for (int i = 0; i < pooled.Length; i++) for (int j = i + 1; j < pooled.Length; j++)
                distances.Add(Math.Sqrt(Math.Pow(pooled[i][0] - pooled[j][0], 2) + Math.Pow(pooled[i][1] - pooled[j][1], 2)));
        distances.Sort();
        Assert.Equal(2415, distances.Count);
        double median = distances[distances.Count / 2];
        Assert.Equal(Direct(median, true), MaximumMeanDiscrepancy.Squared(x, y), 12);
    }

    /// <summary>
    /// For N(0, I) against N(mu, I) in D dimensions with bandwidth h, MMD^2 = 2 (h^2 / (h^2 + 2))^(D/2) (1 - exp(-|mu|^2 / (2 (h^2 + 2)))):
    /// 0.10234 for h = 1, D = 2, |mu| = 1, and 0 for mu = 0. The estimate is unbiased, so the mean of 20 independent
    /// batch estimates (300 points each) is compared within 5 of its standard errors (the batches' spread / sqrt(20)).
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public void MmdMatchesTheGaussianClosedForm(double shift)
    {
        double expected = 2 * (1.0 / 3) * (1 - Math.Exp(-shift * shift / 6));
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var estimates = new double[20];
        for (int b = 0; b < estimates.Length; b++)
            using (NewDisposeScope())
            {
                var x = randn(new long[] { 300, 2 }, float64, generator: g);
                var y = randn(new long[] { 300, 2 }, float64, generator: g) + tensor(new[] { shift, 0.0 }, dtype: float64);
                estimates[b] = MaximumMeanDiscrepancy.Squared(x, y, 1.0);
            }
        double mean = estimates.Average();
        double se = Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (estimates.Length - 1) / estimates.Length);
        Assert.True(Math.Abs(mean - expected) < 5 * se, $"MMD^2 {mean}, expected {expected} ± {5 * se}");
    }

    /// <summary>
    /// Fresh draws from a Gaussian have mean log-likelihood -H, H = D/2 (1 + ln 2 pi) + 1/2 ln det Sigma (its entropy),
    /// within 5 standard errors (sd of log p over sqrt(N), N = 20000); a shifted sample scores lower.
    /// </summary>
    [Fact]
    public void MeanLogLikelihoodOfFreshSamplesIsMinusTheEntropy()
    {
        var gaussian = new GaussianMixture(new[] { 1.0 }, new double[,] { { 0.5, -1.0 } }, new double[,,] { { { 0.5, 0.2 }, { 0.2, 0.3 } } });
        double entropy = (1 + Math.Log(2 * Math.PI)) + 0.5 * Math.Log(0.5 * 0.3 - 0.2 * 0.2);
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        var x = gaussian.Sample(20000, g);
        double meanLogLikelihood = MixtureLikelihood.MeanLogLikelihood(gaussian, x);
        double se = gaussian.LogProb(x).std().ToDouble() / Math.Sqrt(20000);
        Assert.True(Math.Abs(meanLogLikelihood + entropy) < 5 * se, $"mean log-likelihood {meanLogLikelihood}, expected {-entropy} ± {5 * se}");
        Assert.True(MixtureLikelihood.MeanLogLikelihood(gaussian, x + 1.0) < meanLogLikelihood - 1);
    }

    [Fact]
    public void BadPointSetsAreRejected()
    {
        using var a = zeros(new long[] { 10, 2 });
        using var b = zeros(new long[] { 10, 3 });
        using var empty = zeros(new long[] { 0, 2 });
        Assert.Throws<ArgumentException>(() => SlicedWasserstein.Distance(a, b));
        Assert.Throws<ArgumentException>(() => SlicedWasserstein.Distance(a, empty));
        Assert.Throws<ArgumentException>(() => MaximumMeanDiscrepancy.Squared(a, b));
        Assert.Throws<ArgumentException>(() => MaximumMeanDiscrepancy.Squared(a, a)); // all points coincide: no median bandwidth
        Assert.Throws<ArgumentOutOfRangeException>(() => SlicedWasserstein.Distance(a, a, 0));
    }
}

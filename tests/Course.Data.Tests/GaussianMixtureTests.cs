using Course.Data;
using static Course.Data.Tests.Statistics;

namespace Course.Data.Tests;

public class GaussianMixtureTests
{
    const long N = 40000;

    [Fact]
    public void Samples_match_the_mixture_mean_covariance_and_weights()
    {
        var mixture = ToyDatasets.DefaultMixture;
        var (points, components) = mixture.SampleWithComponents(N, seed: 21);
        using var _p = points;
        using var _c = components;
        var p = Points(points);
        var k = components.data<long>().ToArray();
        var weights = mixture.Weights;
        for (int c = 0; c < weights.Length; c++) CountIsBinomial(k.Count(v => v == c), N, weights[c], $"component {c}");

        var (mx, my) = mixture.Mean;
        MeanIsNear(mx, Enumerable.Range(0, (int)N).Select(i => (double)p[2 * i]).ToList(), "mean x");
        MeanIsNear(my, Enumerable.Range(0, (int)N).Select(i => (double)p[2 * i + 1]).ToList(), "mean y");
        // Covariance entries: the sample mean of (x_i - mu_i)(x_j - mu_j) with its own standard error.
        var cov = mixture.Covariance;
        double[] mu = { mx, my };
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++)
            {
                int rr = r, cc = c;
                MeanIsNear(cov[r, c], Enumerable.Range(0, (int)N).Select(i => (p[2 * i + rr] - mu[rr]) * (p[2 * i + cc] - mu[cc])).ToList(), $"covariance [{r},{c}]");
            }

        // Within a component, the points follow that component's Gaussian.
        var means = mixture.Means;
        var covs = mixture.Covariances;
        var inFirst = Enumerable.Range(0, (int)N).Where(i => k[i] == 0).ToList();
        MeanIsNear(means[0, 0], inFirst.Select(i => (double)p[2 * i]).ToList(), "component 0 mean x");
        MeanIsNear(covs[0, 0, 1], inFirst.Select(i => (p[2 * i] - means[0, 0]) * (p[2 * i + 1] - means[0, 1])).ToList(), "component 0 covariance xy");
    }

    [Fact]
    public void Mixture_moments_have_their_closed_form()
    {
        // Two components at +-1 on x with weights 1/2 and variance 0.1: total variance 0.1 + 1.
        var mixture = GaussianMixture2D.Isotropic(new[] { 1.0, 1.0 }, new double[,] { { -1, 0 }, { 1, 0 } }, new[] { Math.Sqrt(0.1), Math.Sqrt(0.1) });
        Assert.Equal(new[] { 0.5, 0.5 }, mixture.Weights);
        Assert.Equal((0.0, 0.0), mixture.Mean);
        Assert.Equal(1.1, mixture.Covariance[0, 0], 12);
        Assert.Equal(0.1, mixture.Covariance[1, 1], 12);
        Assert.Equal(0.0, mixture.Covariance[0, 1], 12);
    }

    [Fact]
    public void Zero_weight_components_are_never_drawn()
    {
        var mixture = GaussianMixture2D.Isotropic(new[] { 0.0, 1.0, 0.0 }, new double[,] { { -5, 0 }, { 0, 0 }, { 5, 0 } }, new[] { 0.1, 0.1, 0.1 });
        var (points, components) = mixture.SampleWithComponents(2000, seed: 3);
        using var _p = points;
        using var _c = components;
        Assert.All(components.data<long>().ToArray(), c => Assert.Equal(1L, c));
    }

    [Fact]
    public void Seeded_sampling_is_reproducible()
    {
        using var a = ToyDatasets.DefaultMixture.Sample(300, seed: 5);
        using var b = ToyDatasets.DefaultMixture.Sample(300, seed: 5);
        using var c = ToyDatasets.DefaultMixture.Sample(300, seed: 6);
        Assert.Equal(Points(a), Points(b));
        Assert.NotEqual(Points(a), Points(c));
    }

    [Fact]
    public void Bad_parameters_are_named()
    {
        var means = new double[,] { { 0, 0 } };
        Assert.Contains("positive definite", Assert.Throws<ArgumentException>(() =>
            new GaussianMixture2D(new[] { 1.0 }, means, new double[,,] { { { 1, 2 }, { 2, 1 } } })).Message);
        Assert.Contains("not symmetric", Assert.Throws<ArgumentException>(() =>
            new GaussianMixture2D(new[] { 1.0 }, means, new double[,,] { { { 1, 0.5 }, { 0, 1 } } })).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() =>
            new GaussianMixture2D(new[] { -1.0 }, means, new double[,,] { { { 1, 0 }, { 0, 1 } } })).Message);
        Assert.Contains("K x 2", Assert.Throws<ArgumentException>(() =>
            new GaussianMixture2D(new[] { 0.5, 0.5 }, means, new double[,,] { { { 1, 0 }, { 0, 1 } } })).Message.Replace("2 x 2", "K x 2"));
        Assert.Throws<ArgumentException>(() => GaussianMixture2D.Isotropic(new[] { 1.0 }, means, new[] { 0.0 }));
    }

    [Fact]
    public void Parameter_tensors_have_the_mixture_shapes()
    {
        var m = ToyDatasets.EightGaussiansMixture();
        using var w = m.WeightsTensor();
        using var mu = m.MeansTensor();
        using var cov = m.CovariancesTensor();
        Assert.Equal(new long[] { 8 }, w.shape);
        Assert.Equal(new long[] { 8, 2 }, mu.shape);
        Assert.Equal(new long[] { 8, 2, 2 }, cov.shape);
        Assert.Equal(2.0f, mu.data<float>().ToArray()[0], 6);
        Assert.Equal(0.02f * 0.02f, cov.data<float>().ToArray()[0], 8);
    }
}

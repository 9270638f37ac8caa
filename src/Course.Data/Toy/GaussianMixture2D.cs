using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>
/// A mixture of K two-dimensional Gaussians, p(x) = sum_k w_k N(x; mu_k, Sigma_k), for sampling.
/// Its parameters are public so that a lesson can hand the same mixture to Course.Diffusion, which
/// owns the exact log-density and score (of the mixture and of its noised marginals).
/// </summary>
public sealed class GaussianMixture2D
{
    readonly double[] _weights;
    readonly double[,] _means;
    readonly double[,,] _covariances;
    readonly double[,,] _choleskyFactors;

    /// <param name="weights">K non-negative weights; they are normalised to sum to 1.</param>
    /// <param name="means">K x 2 component means.</param>
    /// <param name="covariances">K x 2 x 2 symmetric positive-definite covariance matrices.</param>
    public GaussianMixture2D(double[] weights, double[,] means, double[,,] covariances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        int k = weights.Length;
        if (k == 0) throw new ArgumentException("a Gaussian mixture needs at least one component", nameof(weights));
        if (means.GetLength(0) != k || means.GetLength(1) != 2)
            throw new ArgumentException($"means must be {k} x 2 (one 2D mean per weight), got {means.GetLength(0)} x {means.GetLength(1)}", nameof(means));
        if (covariances.GetLength(0) != k || covariances.GetLength(1) != 2 || covariances.GetLength(2) != 2)
            throw new ArgumentException($"covariances must be {k} x 2 x 2, got {covariances.GetLength(0)} x {covariances.GetLength(1)} x {covariances.GetLength(2)}", nameof(covariances));

        double total = 0;
        for (int i = 0; i < k; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
                throw new ArgumentException($"weight {i} is {weights[i]}; mixture weights must be finite and non-negative", nameof(weights));
            total += weights[i];
        }
        if (total <= 0) throw new ArgumentException("mixture weights sum to 0; at least one must be positive", nameof(weights));
        _weights = weights.Select(w => w / total).ToArray();

        _means = (double[,])means.Clone();
        foreach (var m in _means)
            if (!double.IsFinite(m)) throw new ArgumentException("means must be finite", nameof(means));

        _covariances = (double[,,])covariances.Clone();
        _choleskyFactors = new double[k, 2, 2];
        for (int i = 0; i < k; i++)
        {
            double a = covariances[i, 0, 0], b = covariances[i, 0, 1], c = covariances[i, 1, 0], d = covariances[i, 1, 1];
            if (!double.IsFinite(a) || !double.IsFinite(b) || !double.IsFinite(c) || !double.IsFinite(d))
                throw new ArgumentException($"covariance {i} has a non-finite entry", nameof(covariances));
            if (Math.Abs(b - c) > 1e-12 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(d))))
                throw new ArgumentException($"covariance {i} is not symmetric: [[{a}, {b}], [{c}, {d}]]", nameof(covariances));
            if (a <= 0 || a * d - b * b <= 0)
                throw new ArgumentException($"covariance {i} is not positive definite: [[{a}, {b}], [{c}, {d}]]", nameof(covariances));
            // Cholesky factor L (Sigma = L L^T), so that mu + L z with z ~ N(0, I) has covariance Sigma.
            double l11 = Math.Sqrt(a), l21 = b / l11, l22 = Math.Sqrt(d - l21 * l21);
            _choleskyFactors[i, 0, 0] = l11;
            _choleskyFactors[i, 1, 0] = l21;
            _choleskyFactors[i, 1, 1] = l22;
        }
    }

    /// <summary>An isotropic mixture: Sigma_k = std_k^2 I.</summary>
    public static GaussianMixture2D Isotropic(double[] weights, double[,] means, double[] stds)
    {
        ArgumentNullException.ThrowIfNull(stds);
        if (stds.Length != weights.Length)
            throw new ArgumentException($"need one std per component: {weights.Length} weights but {stds.Length} stds", nameof(stds));
        var cov = new double[stds.Length, 2, 2];
        for (int i = 0; i < stds.Length; i++)
        {
            if (!(stds[i] > 0) || !double.IsFinite(stds[i])) throw new ArgumentException($"std {i} is {stds[i]}; it must be positive and finite", nameof(stds));
            cov[i, 0, 0] = cov[i, 1, 1] = stds[i] * stds[i];
        }
        return new GaussianMixture2D(weights, means, cov);
    }

    public int ComponentCount => _weights.Length;

    /// <summary>The normalised weights (a copy).</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>K x 2 means (a copy).</summary>
    public double[,] Means => (double[,])_means.Clone();

    /// <summary>K x 2 x 2 covariances (a copy).</summary>
    public double[,,] Covariances => (double[,,])_covariances.Clone();

    /// <summary>The mixture mean, sum_k w_k mu_k.</summary>
    public (double x, double y) Mean
    {
        get
        {
            double x = 0, y = 0;
            for (int i = 0; i < _weights.Length; i++) { x += _weights[i] * _means[i, 0]; y += _weights[i] * _means[i, 1]; }
            return (x, y);
        }
    }

    /// <summary>The mixture covariance, sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T (law of total covariance).</summary>
    public double[,] Covariance
    {
        get
        {
            var (mx, my) = Mean;
            var result = new double[2, 2];
            for (int i = 0; i < _weights.Length; i++)
            {
                double[] m = { _means[i, 0], _means[i, 1] };
                for (int r = 0; r < 2; r++)
                    for (int c = 0; c < 2; c++)
                        result[r, c] += _weights[i] * (_covariances[i, r, c] + m[r] * m[c]);
            }
            result[0, 0] -= mx * mx; result[0, 1] -= mx * my; result[1, 0] -= my * mx; result[1, 1] -= my * my;
            return result;
        }
    }

    public Tensor WeightsTensor(Device? device = null) => tensor(_weights, new long[] { _weights.Length }, float32, device);
    public Tensor MeansTensor(Device? device = null) => tensor(_means, float32, device);
    public Tensor CovariancesTensor(Device? device = null) =>
        tensor(_covariances.Cast<double>().ToArray(), new long[] { ComponentCount, 2, 2 }, float32, device);

    /// <summary>n points, float32 [n, 2].</summary>
    public Tensor Sample(long n, Generator? generator = null, Device? device = null)
    {
        var (points, components) = SampleWithComponents(n, generator, device);
        components.Dispose();
        return points;
    }

    public Tensor Sample(long n, long seed, Device? device = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Sample(n, generator, device);
    }

    public (Tensor points, Tensor components) SampleWithComponents(long n, long seed, Device? device = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return SampleWithComponents(n, generator, device);
    }

    /// <summary>n points (float32 [n, 2]) and the component each came from (int64 [n]).</summary>
    public (Tensor points, Tensor components) SampleWithComponents(long n, Generator? generator = null, Device? device = null)
    {
        ToySampling.CheckCount(n);
        var drawDevice = ToySampling.DrawDevice(generator);
        using var scope = NewDisposeScope();
        // Ancestral sampling: k ~ Categorical(w), then x = mu_k + L_k z with z ~ N(0, I).
        var k = ToySampling.Categorical(n, _weights, generator, drawDevice);
        using var means = tensor(_means, float64, drawDevice);
        using var factors = tensor(_choleskyFactors.Cast<double>().ToArray(), new long[] { ComponentCount, 2, 2 }, float64, drawDevice);
        var z = randn(new[] { n, 2, 1 }, float64, drawDevice, generator: generator);
        var x = means.index_select(0, k) + factors.index_select(0, k).matmul(z).squeeze(-1);
        var points = ToySampling.Finish(x, device);
        var components = k.to(device ?? drawDevice);
        return (points.MoveToOuterDisposeScope(), components.MoveToOuterDisposeScope());
    }
}

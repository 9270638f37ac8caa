using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>
/// A mixture of Gaussians p(x) = sum_k w_k N(x; mu_k, Sigma_k) in float64, with its exact log-density and
/// score, and the exact marginals of its noised versions: under x_t = sqrt(alpha-bar) x_0 + sqrt(1 - alpha-bar) eps
/// each component becomes N(sqrt(alpha-bar) mu_k, alpha-bar Sigma_k + (1 - alpha-bar) I) (variance preserving);
/// under x + sigma z it becomes N(mu_k, Sigma_k + sigma^2 I) (variance exploding, Song &amp; Ermon 2019).
/// So a sampler can be run with the exact denoiser, no network needed.
/// </summary>
public sealed class GaussianMixture
{
    readonly double[] _weights;
    readonly double[,] _means;
    readonly double[,,] _covariances;
    // Sigma_k = U_k diag(lambda_k) U_k^T: noising only shifts the eigenvalues, so every marginal is cheap.
    readonly double[,,] _eigenvectors;
    readonly double[,] _eigenvalues;

    /// <param name="weights">K mixing weights, positive; normalised to sum to 1.</param>
    /// <param name="means">[K, D] component means.</param>
    /// <param name="covariances">[K, D, D] symmetric positive-definite covariances.</param>
    public GaussianMixture(double[] weights, double[,] means, double[,,] covariances)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        int k = weights.Length, d = means.GetLength(1);
        if (k == 0) throw new ArgumentException("a mixture needs at least one component", nameof(weights));
        if (means.GetLength(0) != k) throw new ArgumentException($"{means.GetLength(0)} means for {k} weights", nameof(means));
        if (d == 0) throw new ArgumentException("the means have no dimensions", nameof(means));
        if (covariances.GetLength(0) != k || covariances.GetLength(1) != d || covariances.GetLength(2) != d)
            throw new ArgumentException($"covariances must have shape [{k}, {d}, {d}], got [{covariances.GetLength(0)}, {covariances.GetLength(1)}, {covariances.GetLength(2)}]", nameof(covariances));
        double total = 0;
        foreach (var w in weights)
        {
            if (!(w > 0) || !double.IsFinite(w)) throw new ArgumentException($"mixture weights must be positive and finite, got {w}", nameof(weights));
            total += w;
        }
        _weights = weights.Select(w => w / total).ToArray();
        _means = (double[,])means.Clone();
        _covariances = (double[,,])covariances.Clone();
        _eigenvectors = new double[k, d, d];
        _eigenvalues = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            var sigma = new double[d, d];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    sigma[i, j] = covariances[c, i, j];
                    if (Math.Abs(covariances[c, i, j] - covariances[c, j, i]) > 1e-12 * (Math.Abs(covariances[c, i, j]) + 1e-300))
                        throw new ArgumentException($"covariance {c} is not symmetric ([{i},{j}] = {covariances[c, i, j]}, [{j},{i}] = {covariances[c, j, i]})", nameof(covariances));
                }
            var (values, vectors) = SymmetricEigen.Decompose(sigma);
            for (int i = 0; i < d; i++)
            {
                if (!(values[i] > 0)) throw new ArgumentException($"covariance {c} is not positive definite (eigenvalue {values[i]})", nameof(covariances));
                _eigenvalues[c, i] = values[i];
                for (int j = 0; j < d; j++) _eigenvectors[c, i, j] = vectors[i, j];
            }
        }
    }

    /// <summary>Components with diagonal covariances: <paramref name="variances"/> is [K, D].</summary>
    public static GaussianMixture Diagonal(double[] weights, double[,] means, double[,] variances)
    {
        ArgumentNullException.ThrowIfNull(variances);
        int k = variances.GetLength(0), d = variances.GetLength(1);
        var cov = new double[k, d, d];
        for (int c = 0; c < k; c++) for (int i = 0; i < d; i++) cov[c, i, i] = variances[c, i];
        return new GaussianMixture(weights, means, cov);
    }

    /// <summary>Components sharing one isotropic variance.</summary>
    public static GaussianMixture Isotropic(double[] weights, double[,] means, double variance)
    {
        ArgumentNullException.ThrowIfNull(means);
        var v = new double[means.GetLength(0), means.GetLength(1)];
        for (int c = 0; c < v.GetLength(0); c++) for (int i = 0; i < v.GetLength(1); i++) v[c, i] = variance;
        return Diagonal(weights, means, v);
    }

    /// <summary>
    /// The 2-D Swiss roll of Course.Data (s ~ U[1.5π, 4.5π], x = (s cos s, s sin s) / 5 + noise·z) as a mixture:
    /// one isotropic component of variance noise² at the midpoint of each of <paramref name="components"/>
    /// equal steps in s. Neighbouring means lie at most 2.83·3π / (5·K) apart along the arm (0.011 for K = 1000,
    /// against a noise of 0.2), so the mixture is the Swiss roll's density to within that discretisation, and
    /// <see cref="ExactDenoiser"/> gives the Bayes-optimal denoiser: the floor of L_simple for that data.
    /// </summary>
    public static GaussianMixture SwissRoll(int components = 1000, double noise = 0.2)
    {
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "a mixture needs at least one component");
        if (!(noise > 0) || !double.IsFinite(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "the Swiss roll mixture needs a noise > 0");
        var means = new double[components, 2];
        for (int c = 0; c < components; c++)
        {
            double s = 1.5 * Math.PI + 3 * Math.PI * (c + 0.5) / components;
            means[c, 0] = s * Math.Cos(s) / 5;
            means[c, 1] = s * Math.Sin(s) / 5;
        }
        return Isotropic(Enumerable.Repeat(1.0, components).ToArray(), means, noise * noise);
    }

    public int Components => _weights.Length;
    public int Dimension => _means.GetLength(1);
    public double[] Weights => (double[])_weights.Clone();
    public double[,] Means => (double[,])_means.Clone();
    public double[,,] Covariances => (double[,,])_covariances.Clone();

    /// <summary>The mixture's mean sum_k w_k mu_k.</summary>
    public double[] Mean()
    {
        var m = new double[Dimension];
        for (int c = 0; c < Components; c++) for (int i = 0; i < Dimension; i++) m[i] += _weights[c] * _means[c, i];
        return m;
    }

    /// <summary>The mixture's covariance sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T (law of total covariance).</summary>
    public double[,] Covariance()
    {
        var m = Mean();
        int d = Dimension;
        var cov = new double[d, d];
        for (int c = 0; c < Components; c++)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    cov[i, j] += _weights[c] * (_covariances[c, i, j] + _means[c, i] * _means[c, j]);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) cov[i, j] -= m[i] * m[j];
        return cov;
    }

    /// <summary>The law of sqrt(alpha-bar) x_0 + sqrt(1 - alpha-bar) eps for x_0 from this mixture (Ho et al. eq. 4 applied to each component).</summary>
    public GaussianMixture Noised(double alphaBar)
    {
        if (!(alphaBar > 0 && alphaBar <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaBar), alphaBar, "alpha-bar must lie in (0, 1]");
        return Transformed(Math.Sqrt(alphaBar), 1 - alphaBar);
    }

    /// <summary>The law of x_0 + sigma z (Song &amp; Ermon 2019): covariances Sigma_k + sigma^2 I.</summary>
    public GaussianMixture NoisedVarianceExploding(double sigma)
    {
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be finite and non-negative");
        return Transformed(1, sigma * sigma);
    }

    GaussianMixture Transformed(double scale, double addedVariance)
    {
        int k = Components, d = Dimension;
        var means = new double[k, d];
        var cov = new double[k, d, d];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < d; i++)
            {
                means[c, i] = scale * _means[c, i];
                for (int j = 0; j < d; j++) cov[c, i, j] = scale * scale * _covariances[c, i, j] + (i == j ? addedVariance : 0);
            }
        return new GaussianMixture(_weights, means, cov);
    }

    /// <summary>n samples, [n, D] (float64 unless told otherwise): a component by its weight, then mu_k + U_k sqrt(lambda_k) z.</summary>
    public Tensor Sample(long n, Generator? generator = null, Device? device = null, ScalarType dtype = ScalarType.Float64)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "the number of samples cannot be negative");
        using var scope = NewDisposeScope();
        var drawDevice = generator?.device ?? CPU;
        var cumulative = new double[Components];
        double run = 0;
        for (int c = 0; c < Components; c++) { run += _weights[c]; cumulative[c] = run; }
        cumulative[^1] = double.PositiveInfinity;
        var u = rand(new[] { n, 1L }, float64, drawDevice, generator: generator);
        var component = (u >= tensor(cumulative, dtype: float64, device: drawDevice).unsqueeze(0)).sum(1); // int64 count of thresholds passed
        var z = randn(new[] { n, (long)Dimension }, float64, drawDevice, generator: generator);
        var (means, vectors, values) = Tables(drawDevice);
        var scaled = z * values.index_select(0, component).sqrt();
        var rotated = vectors.index_select(0, component).matmul(scaled.unsqueeze(-1)).squeeze(-1);
        var x = means.index_select(0, component) + rotated;
        return x.to(dtype, device ?? drawDevice).MoveToOuterDisposeScope();
    }

    /// <summary>log p(x) for x [N, D], as [N] in x's dtype (computed in float64).</summary>
    public Tensor LogProb(Tensor x) => Evaluate(x, null, null, wantScore: false).LogProb;

    /// <summary>The score grad_x log p(x) for x [N, D]: -sum_k r_k(x) Sigma_k^{-1} (x - mu_k), r_k the responsibilities.</summary>
    public Tensor Score(Tensor x) => Evaluate(x, null, null, wantScore: true).Score!;

    /// <summary>
    /// Score of the variance-preserving marginal at a per-sample alpha-bar [N] (the same as
    /// <c>Noised(alphaBar).Score(x)</c> row by row, but one call for a batch of noise levels).
    /// </summary>
    public Tensor NoisedScore(Tensor x, Tensor alphaBar)
    {
        using var scope = NewDisposeScope();
        var ab = alphaBar.to(float64, x.device);
        return Evaluate(x, ab.sqrt(), 1.0 - ab, wantScore: true).Score!.MoveToOuterDisposeScope();
    }

    /// <summary>Score of the variance-exploding marginal at a per-sample sigma [N].</summary>
    public Tensor NoisedScoreVarianceExploding(Tensor x, Tensor sigma)
    {
        using var scope = NewDisposeScope();
        var s = sigma.to(float64, x.device);
        return Evaluate(x, null, s.square(), wantScore: true).Score!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The exact score function of the noised marginals for a schedule, as score(x_t, t) with int64 timesteps t [N]
    /// indexing <paramref name="schedule"/> (give the training schedule, whose indices are the model's timesteps).
    /// </summary>
    public Func<Tensor, Tensor, Tensor> ExactScore(NoiseSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return (x, t) =>
        {
            using var scope = NewDisposeScope();
            var ab = Coefficients.Extract(schedule.AlphasCumprod, t, x).reshape(x.shape[0]);
            return NoisedScore(x, ab).MoveToOuterDisposeScope();
        };
    }

    /// <summary>The exact score of the variance-exploding marginals, as score(x, sigma) with sigma [N] (for annealed Langevin).</summary>
    public Func<Tensor, Tensor, Tensor> ExactScoreVarianceExploding() => NoisedScoreVarianceExploding;

    /// <summary>
    /// The exact (Bayes-optimal) denoiser for data from this mixture: eps*(x_t, t) = -sqrt(1 - alpha-bar_t) grad log p_t(x_t)
    /// (Tweedie's formula; the minimiser of L_simple), or x_0* = (x_t + (1 - alpha-bar_t) grad log p_t(x_t)) / sqrt(alpha-bar_t),
    /// or v* from both. Timesteps index <paramref name="schedule"/> (the training schedule). Class labels are ignored.
    /// </summary>
    public Denoiser ExactDenoiser(NoiseSchedule schedule, ModelOutput kind = ModelOutput.Epsilon)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var score = ExactScore(schedule);
        return (x, t, _) =>
        {
            using var scope = NewDisposeScope();
            var s = score(x, t);
            var eps = ScoreFunctions.EpsilonFromScore(schedule, s, t);
            Tensor result = kind switch
            {
                ModelOutput.Epsilon => eps,
                ModelOutput.X0 => schedule.PredictStartFromNoise(x, t, eps),
                ModelOutput.V => schedule.PredictV(schedule.PredictStartFromNoise(x, t, eps), t, eps),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown model output kind"),
            };
            return result.MoveToOuterDisposeScope();
        };
    }

    (Tensor Means, Tensor Vectors, Tensor Values) Tables(Device device)
    {
        int k = Components, d = Dimension;
        var means = tensor(Flatten(_means), new long[] { k, d }, float64, device);
        var vectors = tensor(Flatten(_eigenvectors), new long[] { k, d, d }, float64, device);
        var values = tensor(Flatten(_eigenvalues), new long[] { k, d }, float64, device);
        return (means, vectors, values);
    }

    static double[] Flatten(Array a)
    {
        var flat = new double[a.Length];
        int i = 0;
        foreach (double v in a) flat[i++] = v;
        return flat;
    }

    /// <summary>
    /// log-density and score of the mixture whose component k is N(scale mu_k, scale^2 Sigma_k + added I), per sample
    /// (scale, added: [N] or null for 1 and 0). In the eigenbasis of Sigma_k the covariance is diagonal:
    /// scale^2 lambda_k + added.
    /// </summary>
    (Tensor LogProb, Tensor? Score) Evaluate(Tensor x, Tensor? scale, Tensor? added, bool wantScore)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.ndim != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"points must have shape [N, {Dimension}], got [{string.Join(", ", x.shape)}]", nameof(x));
        using var scope = NewDisposeScope();
        var device = x.device;
        var (means, vectors, values) = Tables(device);
        var xd = x.to(float64);
        long n = x.shape[0];
        var s = scale?.reshape(n, 1, 1);
        var centres = s is null ? means.unsqueeze(0) : means.unsqueeze(0) * s;           // [N or 1, K, D]
        var diff = xd.unsqueeze(1) - centres;                                           // [N, K, D]
        var y = diff.transpose(0, 1).matmul(vectors).transpose(0, 1);                   // [N, K, D]: U_k^T (x - m_k)
        var variances = values.unsqueeze(0);                                            // [1, K, D]
        if (s is not null) variances = variances * s.square();
        if (added is not null) variances = variances + added.reshape(n, 1, 1);
        var whitened = y / variances;                                                   // Sigma_eff^{-1} (x - m_k) in the eigenbasis
        var mahalanobis = (y * whitened).sum(2);                                        // [N, K]
        var logDet = variances.log().sum(2);                                            // [N or 1, K]
        var logWeights = tensor(_weights, dtype: float64, device: device).log().unsqueeze(0);
        var logJoint = logWeights - 0.5 * (mahalanobis + logDet + Dimension * Math.Log(2 * Math.PI));
        var logProb = logJoint.logsumexp(1).to(x.dtype).MoveToOuterDisposeScope();
        if (!wantScore) return (logProb, null);
        var responsibilities = logJoint.softmax(1).unsqueeze(2);                        // [N, K, 1]
        var back = whitened.transpose(0, 1).matmul(vectors.transpose(1, 2)).transpose(0, 1); // U_k (.)
        var score = (-(responsibilities * back).sum(1)).to(x.dtype).MoveToOuterDisposeScope();
        return (logProb, score);
    }
}

using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>How the last reverse step p_theta(x_0 | x_1) scores the data.</summary>
public enum DecoderLikelihood
{
    /// <summary>A Gaussian density on continuous data (2D points): -log N(x_0; mu_theta(x_1, 1), sigma_1^2 I). A density, so it can be negative.</summary>
    Continuous,
    /// <summary>Ho et al. eq. 13: 8-bit image bins in [-1, 1], a probability, so the term is non-negative.</summary>
    Discretized,
}

/// <summary>
/// The terms of the variational bound (Ho et al. eq. 5):
/// L = L_T + sum_{t=2..T} L_{t-1} + L_0, with L_T = KL(q(x_T|x_0) || N(0, I)),
/// L_{t-1} = KL(q(x_{t-1}|x_t, x_0) || p_theta(x_{t-1}|x_t)) and L_0 = -log p_theta(x_0|x_1).
/// Every term is in nats per sample (summed over the data dimensions); divide by D ln 2 for bits per dimension.
/// </summary>
public static class VariationalBound
{
    /// <summary>
    /// The term at schedule index <paramref name="index"/>, per sample [B]: index 0 is L_0 (the decoder),
    /// index i in 1..T-1 is L_i = KL(q(x_i | x_{i+1}, x_0) || p_theta(x_i | x_{i+1})), evaluated at a fresh x_{i+1} ~ q(x_{i+1} | x_0)
    /// (paper timesteps; the schedule index of x_{i+1} is i).
    /// </summary>
    public static Tensor Term(this NoiseSchedule schedule, Denoiser model, ModelOutput kind, Tensor x0, long index,
        ReverseVariance variance = ReverseVariance.FixedSmall, DecoderLikelihood decoder = DecoderLikelihood.Continuous,
        Tensor? classLabels = null, Tensor? noise = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x0);
        if (index < 0 || index >= schedule.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"the term index must lie in 0..{schedule.Length - 1} (L_T is PriorTerm)");
        using var scope = NewDisposeScope();
        var t = Coefficients.Timestep(index, x0.shape[0], x0.device);
        var xT = schedule.QSample(x0, t, noise, generator);
        var modelT = Coefficients.Timestep(schedule.Timesteps[index], x0.shape[0], x0.device);
        var output = model(xT, modelT, classLabels);
        using var p = schedule.PMeanVariance(output, kind, xT, t, variance);
        Tensor perElement;
        if (index == 0)
        {
            var ll = decoder == DecoderLikelihood.Continuous
                ? GaussianMath.GaussianLogLikelihood(x0, p.Mean, p.LogVariance)
                : GaussianMath.DiscretizedGaussianLogLikelihood(x0, p.Mean, p.LogVariance);
            perElement = -ll;
        }
        else
        {
            var (mean, _, logVariance) = schedule.QPosteriorMeanVariance(x0, xT, t);
            perElement = GaussianMath.NormalKL(mean, logVariance, p.Mean, p.LogVariance);
        }
        return SumPerSample(perElement).MoveToOuterDisposeScope();
    }

    /// <summary>L_T = KL(q(x_T | x_0) || N(0, I)) per sample [B]; it has no parameters, so it is the same for every model.</summary>
    public static Tensor PriorTerm(this NoiseSchedule schedule, Tensor x0)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var scope = NewDisposeScope();
        var t = Coefficients.Timestep(schedule.Length - 1, x0.shape[0], x0.device);
        var (mean, var) = schedule.QMeanVariance(x0, t);
        var kl = GaussianMath.NormalKL(mean, var.log(), zeros_like(mean), zeros_like(mean));
        return SumPerSample(kl).MoveToOuterDisposeScope();
    }

    /// <summary>All terms, [B, T + 1]: column i is L_i (column 0 the decoder, column T the prior). Summing a row gives the bound on -log p(x_0).</summary>
    public static Tensor AllTerms(this NoiseSchedule schedule, Denoiser model, ModelOutput kind, Tensor x0,
        ReverseVariance variance = ReverseVariance.FixedSmall, DecoderLikelihood decoder = DecoderLikelihood.Continuous,
        Tensor? classLabels = null, Generator? generator = null)
    {
        var columns = new List<Tensor>(schedule.Length + 1);
        try
        {
            for (long i = 0; i < schedule.Length; i++)
                columns.Add(schedule.Term(model, kind, x0, i, variance, decoder, classLabels, null, generator));
            columns.Add(schedule.PriorTerm(x0));
            return stack(columns, 1);
        }
        finally { foreach (var c in columns) c.Dispose(); }
    }

    /// <summary>
    /// For an epsilon model with fixed variance sigma_t^2, L_{t-1} = lambda_t ||eps - eps_theta(x_t, t)||^2 with
    /// lambda_t = beta_t^2 / (2 sigma_t^2 alpha_t (1 - alpha-bar_t)) (Ho et al. eq. 12); L_simple (eq. 14) sets lambda_t = 1.
    /// Entry 0 uses the model's (clipped) variance at t = 1, but L_0 itself is the decoder term, not this.
    /// </summary>
    public static double[] EpsilonLossWeights(this NoiseSchedule schedule, ReverseVariance variance = ReverseVariance.FixedSmall)
    {
        var (_, logVariance) = schedule.ModelVariance(variance);
        var weights = new double[schedule.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double b = schedule.Betas[i];
            weights[i] = b * b / (2 * Math.Exp(logVariance[i]) * schedule.Alphas[i] * (1 - schedule.AlphasCumprod[i]));
        }
        return weights;
    }

    internal static Tensor SumPerSample(Tensor perElement)
    {
        if (perElement.ndim <= 1) return perElement.alias();
        var dims = Enumerable.Range(1, (int)perElement.ndim - 1).Select(d => (long)d).ToArray();
        return perElement.sum(dims);
    }
}

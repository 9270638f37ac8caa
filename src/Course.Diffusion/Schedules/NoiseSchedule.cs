namespace Course.Diffusion.Schedules;

/// <summary>
/// A variance schedule beta_1..beta_T and every term derived from it (Ho et al. 2020, "Denoising
/// Diffusion Probabilistic Models"), computed once in float64. Arrays are indexed from 0: index
/// <c>i</c> holds the paper's timestep <c>t = i + 1</c>, so <c>AlphasCumprod[T - 1]</c> is
/// alpha-bar_T. <see cref="Timesteps"/> maps an index to the timestep a model was trained with
/// (the identity, unless the schedule was respaced).
/// </summary>
public sealed class NoiseSchedule
{
    /// <summary>beta_t: the variance added by step t of the forward process.</summary>
    public double[] Betas { get; }
    /// <summary>alpha_t = 1 - beta_t.</summary>
    public double[] Alphas { get; }
    /// <summary>alpha-bar_t = prod_{s &lt;= t} alpha_s (Ho et al. eq. 4).</summary>
    public double[] AlphasCumprod { get; }
    /// <summary>alpha-bar_{t-1}, with alpha-bar_0 = 1.</summary>
    public double[] AlphasCumprodPrev { get; }
    public double[] SqrtAlphasCumprod { get; }
    public double[] SqrtOneMinusAlphasCumprod { get; }
    public double[] LogOneMinusAlphasCumprod { get; }
    /// <summary>1 / sqrt(alpha-bar_t).</summary>
    public double[] SqrtRecipAlphasCumprod { get; }
    /// <summary>sqrt(1 / alpha-bar_t - 1).</summary>
    public double[] SqrtRecipm1AlphasCumprod { get; }
    /// <summary>beta-tilde_t = (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t) beta_t (eq. 7); 0 at t = 1.</summary>
    public double[] PosteriorVariance { get; }
    /// <summary>log beta-tilde_t with the t = 1 entry (log 0) replaced by the t = 2 entry, so it stays finite.</summary>
    public double[] PosteriorLogVarianceClipped { get; }
    /// <summary>Coefficient of x_0 in the posterior mean mu-tilde_t (eq. 7): sqrt(alpha-bar_{t-1}) beta_t / (1 - alpha-bar_t).</summary>
    public double[] PosteriorMeanCoef1 { get; }
    /// <summary>Coefficient of x_t in mu-tilde_t (eq. 7): sqrt(alpha_t) (1 - alpha-bar_{t-1}) / (1 - alpha-bar_t).</summary>
    public double[] PosteriorMeanCoef2 { get; }
    /// <summary>Signal-to-noise ratio alpha-bar_t / (1 - alpha-bar_t) (Kingma et al. 2021).</summary>
    public double[] SignalToNoiseRatio { get; }
    /// <summary>For each index, the timestep to give the model (respaced schedules keep the original ones).</summary>
    public long[] Timesteps { get; }
    /// <summary>Human-readable description ("linear(1000, 0.0001..0.02)", ...).</summary>
    public string Name { get; }

    /// <summary>T, the number of steps.</summary>
    public int Length => Betas.Length;

    /// <summary>A schedule from explicit betas, each in (0, 1].</summary>
    public NoiseSchedule(double[] betas, long[]? timesteps = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Length == 0) throw new ArgumentException("a noise schedule needs at least one step", nameof(betas));
        for (int i = 0; i < betas.Length; i++)
            if (!(betas[i] > 0 && betas[i] <= 1))
                throw new ArgumentException(LearnerMessages.BetaOutside(i, betas[i]), nameof(betas));
        if (timesteps != null && timesteps.Length != betas.Length)
            throw new ArgumentException($"{timesteps.Length} timesteps for {betas.Length} betas", nameof(timesteps));
        int n = betas.Length;
        Betas = (double[])betas.Clone();
        Timesteps = timesteps != null ? (long[])timesteps.Clone() : Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        Name = name ?? $"custom({n})";
        Alphas = new double[n]; AlphasCumprod = new double[n]; AlphasCumprodPrev = new double[n];
        SqrtAlphasCumprod = new double[n]; SqrtOneMinusAlphasCumprod = new double[n]; LogOneMinusAlphasCumprod = new double[n];
        SqrtRecipAlphasCumprod = new double[n]; SqrtRecipm1AlphasCumprod = new double[n];
        PosteriorVariance = new double[n]; PosteriorLogVarianceClipped = new double[n];
        PosteriorMeanCoef1 = new double[n]; PosteriorMeanCoef2 = new double[n]; SignalToNoiseRatio = new double[n];
        double cumprod = 1;
        for (int i = 0; i < n; i++)
        {
            Alphas[i] = 1 - Betas[i];
            AlphasCumprodPrev[i] = cumprod;
            cumprod *= Alphas[i];
            AlphasCumprod[i] = cumprod;
            SqrtAlphasCumprod[i] = Math.Sqrt(cumprod);
            SqrtOneMinusAlphasCumprod[i] = Math.Sqrt(1 - cumprod);
            LogOneMinusAlphasCumprod[i] = Math.Log(1 - cumprod);
            SqrtRecipAlphasCumprod[i] = Math.Sqrt(1 / cumprod);
            SqrtRecipm1AlphasCumprod[i] = Math.Sqrt(1 / cumprod - 1);
            PosteriorVariance[i] = Betas[i] * (1 - AlphasCumprodPrev[i]) / (1 - cumprod);
            PosteriorMeanCoef1[i] = Betas[i] * Math.Sqrt(AlphasCumprodPrev[i]) / (1 - cumprod);
            PosteriorMeanCoef2[i] = (1 - AlphasCumprodPrev[i]) * Math.Sqrt(Alphas[i]) / (1 - cumprod);
            SignalToNoiseRatio[i] = cumprod / (1 - cumprod);
        }
        for (int i = 0; i < n; i++)
            PosteriorLogVarianceClipped[i] = Math.Log(i == 0 && n > 1 ? PosteriorVariance[1] : PosteriorVariance[i]);
        if (n == 1) PosteriorLogVarianceClipped[0] = Math.Log(Betas[0]);
    }

    /// <summary>Ho et al. 2020: betas evenly spaced from 1e-4 to 0.02 over T = 1000 steps.</summary>
    public static NoiseSchedule Linear(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        CheckSteps(steps);
        var betas = new double[steps];
        for (int i = 0; i < steps; i++) betas[i] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * i / (steps - 1);
        return new NoiseSchedule(betas, name: $"linear({steps}, {betaStart}..{betaEnd})");
    }

    /// <summary>Nichol &amp; Dhariwal 2021 eq. 17: alpha-bar_t = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2),
    /// beta_t = 1 - alpha-bar_t / alpha-bar_{t-1} clipped at <paramref name="maxBeta"/>.</summary>
    public static NoiseSchedule Cosine(int steps = 1000, double s = 0.008, double maxBeta = 0.999)
    {
        CheckSteps(steps);
        if (s < 0) throw new ArgumentException($"the cosine offset s must be non-negative, got {s}", nameof(s));
        double F(double t) { var c = Math.Cos((t / steps + s) / (1 + s) * Math.PI / 2); return c * c; }
        var betas = new double[steps];
        for (int i = 0; i < steps; i++) betas[i] = Math.Min(1 - F(i + 1) / F(i), maxBeta);
        return new NoiseSchedule(betas, name: $"cosine({steps}, s={s})");
    }

    /// <summary>Betas whose square roots are evenly spaced (Ho et al.'s code, "quad").</summary>
    public static NoiseSchedule Quadratic(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        CheckSteps(steps);
        double a = Math.Sqrt(betaStart), b = Math.Sqrt(betaEnd);
        var betas = new double[steps];
        for (int i = 0; i < steps; i++) { var r = steps == 1 ? a : a + (b - a) * i / (steps - 1); betas[i] = r * r; }
        return new NoiseSchedule(betas, name: $"quadratic({steps}, {betaStart}..{betaEnd})");
    }

    /// <summary>Betas along a sigmoid over [-6, 6], scaled to [betaStart, betaEnd] (Ho et al.'s code).</summary>
    public static NoiseSchedule Sigmoid(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        CheckSteps(steps);
        var betas = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            var x = steps == 1 ? 0 : -6 + 12.0 * i / (steps - 1);
            betas[i] = 1 / (1 + Math.Exp(-x)) * (betaEnd - betaStart) + betaStart;
        }
        return new NoiseSchedule(betas, name: $"sigmoid({steps}, {betaStart}..{betaEnd})");
    }

    /// <summary>
    /// Keeps only the given indices (ascending, into this schedule) and recomputes the betas so the
    /// kept alpha-bars are unchanged: beta'_k = 1 - alpha-bar_{kept k} / alpha-bar_{kept k-1}
    /// (Nichol &amp; Dhariwal 2021, section 4). The model still sees the original timesteps.
    /// </summary>
    public NoiseSchedule Respace(IReadOnlyList<int> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (keep.Count == 0) throw new ArgumentException("respacing needs at least one timestep to keep", nameof(keep));
        var betas = new double[keep.Count];
        var timesteps = new long[keep.Count];
        double last = 1;
        for (int k = 0; k < keep.Count; k++)
        {
            int i = keep[k];
            if (i < 0 || i >= Length) throw new ArgumentOutOfRangeException(nameof(keep), $"index {i} is outside 0..{Length - 1}");
            if (k > 0 && i <= keep[k - 1]) throw new ArgumentException("indices to keep must be strictly increasing", nameof(keep));
            betas[k] = 1 - AlphasCumprod[i] / last;
            last = AlphasCumprod[i];
            timesteps[k] = Timesteps[i];
        }
        return new NoiseSchedule(betas, timesteps, $"{Name} respaced to {keep.Count}");
    }

    /// <summary>Respaces to <paramref name="steps"/> evenly spaced indices, always keeping the first and last.</summary>
    public NoiseSchedule Respace(int steps) => Respace(EvenlySpacedIndices(Length, steps));

    /// <summary><paramref name="count"/> indices from 0 to length - 1, evenly spaced and rounded (improved-diffusion's spacing).</summary>
    public static int[] EvenlySpacedIndices(int length, int count)
    {
        if (count < 1 || count > length)
            throw new ArgumentOutOfRangeException(nameof(count), LearnerMessages.CannotKeepSteps(count, length));
        if (count == 1) return new[] { length - 1 };
        double stride = (length - 1) / (double)(count - 1);
        return Enumerable.Range(0, count).Select(i => (int)Math.Round(i * stride)).ToArray();
    }

    static void CheckSteps(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), LearnerMessages.ScheduleNeedsSteps(steps));
    }

    public override string ToString() => Name;
}

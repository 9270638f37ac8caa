namespace Course.Diffusion.Scaling;

/// <summary>How <see cref="PowerLawBootstrap"/> makes its replicate data sets.</summary>
public enum BootstrapMethod
{
    /// <summary>Keep every x; add to each fitted log L a log residual drawn with replacement
    /// (rescaled by √(n / (n − p)) for the p fitted parameters). Suits few points that each stand for a
    /// different size, as in a scaling study (Efron &amp; Tibshirani 1993, §9.3).</summary>
    Residuals,
    /// <summary>Draw n (x, y) pairs with replacement and refit; resamples with too few distinct x are
    /// drawn again. Assumes nothing about the errors, but needs many points.</summary>
    Cases,
}

/// <summary>
/// The uncertainty of a power-law fit by the bootstrap: the fit repeated on many replicate data sets,
/// so that any quantity computed from a law (α, E, a prediction at a size never trained) gets a
/// spread and an interval from the replicates' spread.
/// </summary>
public sealed class PowerLawBootstrap
{
    readonly double[] _residuals;

    PowerLawBootstrap(PowerLaw estimate, IReadOnlyList<PowerLaw> replicates, BootstrapMethod method, bool pure, double[] residuals)
    {
        _residuals = residuals;
        Estimate = estimate;
        Replicates = replicates;
        Method = method;
        Pure = pure;
    }

    /// <summary>The fit to the data themselves.</summary>
    public PowerLaw Estimate { get; }

    /// <summary>The fits to the replicate data sets.</summary>
    public IReadOnlyList<PowerLaw> Replicates { get; }

    public BootstrapMethod Method { get; }

    /// <summary>Whether E was held at 0 (<see cref="PowerLawFitter.FitPure"/>).</summary>
    public bool Pure { get; }

    /// <summary>Fits L = E + A·x^(−α) (or, with <paramref name="pure"/>, A·x^(−α)) to the data and to
    /// <paramref name="resamples"/> replicates drawn with a generator seeded by <paramref name="seed"/>.</summary>
    public static PowerLawBootstrap Run(IReadOnlyList<double> x, IReadOnlyList<double> y, int resamples = 1000,
        int seed = 0, BootstrapMethod method = BootstrapMethod.Residuals, bool pure = false)
    {
        int parameters = pure ? 2 : 3;
        PowerLawFitter.Check(x, y, parameters);
        if (resamples < 2) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "the bootstrap needs at least 2 resamples");
        var xs = x.ToArray();
        var ys = y.ToArray();
        int n = xs.Length;
        if (method == BootstrapMethod.Residuals && n <= parameters)
            throw new ArgumentException($"a residual bootstrap needs more points ({n}) than fitted parameters ({parameters}): with none to spare the residuals are all 0");
        PowerLaw Fit(double[] px, double[] py) => pure ? PowerLawFitter.FitPureChecked(px, py) : PowerLawFitter.FitChecked(px, py);
        var estimate = Fit(xs, ys);
        double inflate = Math.Sqrt((double)n / Math.Max(1, n - parameters));
        var residuals = ys.Select((v, i) => inflate * Math.Log(v / estimate.Predict(xs[i]))).ToArray();
        var random = new Random(seed);
        var replicates = new PowerLaw[resamples];
        var bx = new double[n];
        var by = new double[n];
        if (method == BootstrapMethod.Residuals)
        {
            var fitted = xs.Select(estimate.Predict).ToArray();
            for (int r = 0; r < resamples; r++)
            {
                for (int i = 0; i < n; i++) by[i] = fitted[i] * Math.Exp(residuals[random.Next(n)]);
                replicates[r] = Fit(xs, by);
            }
        }
        else
        {
            int distinct = xs.Distinct().Count();
            if (distinct < parameters + 1)
                throw new ArgumentException($"a case bootstrap needs at least {parameters + 1} distinct x for {parameters} parameters; got {distinct}");
            for (int r = 0; r < resamples; r++)
            {
                do
                {
                    for (int i = 0; i < n; i++) { int k = random.Next(n); bx[i] = xs[k]; by[i] = ys[k]; }
                } while (bx.Distinct().Count() < parameters);
                replicates[r] = Fit(bx, by);
            }
        }
        return new PowerLawBootstrap(estimate, replicates, method, pure, residuals);
    }

    /// <summary>
    /// Where a new measurement at <paramref name="x"/> should fall: each replicate's prediction times the
    /// exponential of a log residual drawn at random, so the interval holds both the uncertainty of the law and
    /// the scatter of single points about it (a bootstrap prediction interval, Davison &amp; Hinkley 1997, §6.3.3).
    /// </summary>
    public (double Low, double High) PredictionInterval(double x, double level = 0.9, int seed = 0)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "the level lies between 0 and 1");
        var random = new Random(seed);
        var v = Replicates.Select(r => r.Predict(x) * Math.Exp(_residuals[random.Next(_residuals.Length)])).OrderBy(a => a).ToArray();
        return (Quantile(v, (1 - level) / 2), Quantile(v, (1 + level) / 2));
    }

    /// <summary>The root mean square of the fit's log residuals (rescaled for the fitted parameters): the
    /// typical relative scatter of a point about the law.</summary>
    public double ResidualScatter => Math.Sqrt(_residuals.Average(r => r * r));

    /// <summary>The standard deviation of a quantity over the replicates (infinite values left out).</summary>
    public double StandardError(Func<PowerLaw, double> quantity)
    {
        var v = Values(quantity);
        double mean = v.Average();
        return Math.Sqrt(v.Sum(a => (a - mean) * (a - mean)) / (v.Length - 1));
    }

    /// <summary>The percentile interval holding the central <paramref name="level"/> of the replicates'
    /// values of a quantity (infinite values, such as a size past the floor, count at their end).</summary>
    public (double Low, double High) Interval(Func<PowerLaw, double> quantity, double level = 0.9)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "the level lies between 0 and 1");
        ArgumentNullException.ThrowIfNull(quantity);
        var v = Replicates.Select(quantity).Where(a => !double.IsNaN(a)).OrderBy(a => a).ToArray();
        if (v.Length < 2) throw new InvalidOperationException("fewer than 2 replicates give a value");
        return (Quantile(v, (1 - level) / 2), Quantile(v, (1 + level) / 2));
    }

    double[] Values(Func<PowerLaw, double> quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        var v = Replicates.Select(quantity).Where(double.IsFinite).ToArray();
        if (v.Length < 2) throw new InvalidOperationException("fewer than 2 replicates give a finite value");
        return v;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(sorted.Length - 1, below + 1);
        double low = sorted[below], high = sorted[above];
        if (double.IsInfinity(low) || double.IsInfinity(high)) return position - below < 0.5 ? low : high;
        return low + (position - below) * (high - low);
    }
}

using System.Globalization;

namespace Course.Diffusion.Scaling;

/// <summary>
/// A saturating power law L(x) = E + A·x^(−α) (Kaplan et al. 2020; Hoffmann et al. 2022, eq. 2, one
/// variable at a time): the loss falls as a power of the parameter count (or compute, or data) towards
/// a floor E that no size reaches. E = 0 is the pure power law, a straight line on log-log axes.
/// </summary>
public sealed record PowerLaw(double E, double A, double Alpha)
{
    /// <summary>L(x) = E + A·x^(−α).</summary>
    public double Predict(double x)
    {
        if (!(x > 0)) throw new ArgumentOutOfRangeException(nameof(x), x, "a power law is defined for x > 0");
        return E + A * Math.Exp(-Alpha * Math.Log(x));
    }

    /// <summary>The x at which the law reaches <paramref name="loss"/>: (A / (L − E))^(1/α);
    /// +∞ when the loss is at or below the floor E (no size reaches it).</summary>
    public double Inverse(double loss)
    {
        if (!double.IsFinite(loss)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "the loss must be finite");
        if (loss <= E || A <= 0 || Alpha <= 0) return double.PositiveInfinity;
        return Math.Exp(Math.Log(A / (loss - E)) / Alpha);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"L(x) = {E:G4} + {A:G4}·x^(−{Alpha:G4})");
}

/// <summary>
/// Fits <see cref="PowerLaw"/>s by relative least squares: it minimises Σ ((y_i − L(x_i)) / y_i)², which
/// to second order is the squared error of log L, so every point counts by its relative error whatever
/// its size. For each α the best E ≥ 0 and A ≥ 0 are a weighted linear least-squares problem, so
/// the fit searches α alone (a grid over [<see cref="MinAlpha"/>, <see cref="MaxAlpha"/>], then golden
/// sections): no starting values to guess and no local minimum in E or A.
/// </summary>
public static class PowerLawFitter
{
    public const double MinAlpha = 1e-3;
    public const double MaxAlpha = 4.0;
    const int GridPoints = 80;

    /// <summary>L(x) = E + A·x^(−α) through the points, with E ≥ 0 and A ≥ 0 (at least 3 distinct x).</summary>
    /// <exception cref="ArgumentException">fewer than 3 points or distinct x, lengths that differ, or a value
    /// that is not finite and positive.</exception>
    public static PowerLaw Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y, 3);
        return FitChecked(x.ToArray(), y.ToArray());
    }

    /// <summary>The pure power law L = A·x^(−α) (E = 0): a straight line through (log x, log L), by ordinary
    /// least squares (at least 2 distinct x).</summary>
    public static PowerLaw FitPure(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y, 2);
        return FitPureChecked(x.ToArray(), y.ToArray());
    }

    internal static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y, int minimum)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}");
        for (int i = 0; i < x.Count; i++)
        {
            if (!(x[i] > 0) || !double.IsFinite(x[i])) throw new ArgumentException($"x[{i}] = {x[i]}: a power law needs finite x > 0", nameof(x));
            if (!(y[i] > 0) || !double.IsFinite(y[i])) throw new ArgumentException($"y[{i}] = {y[i]}: the fit needs finite losses > 0", nameof(y));
        }
        int distinct = x.Distinct().Count();
        if (distinct < minimum)
            throw new ArgumentException($"this fit has {minimum} free parameters and needs at least {minimum} distinct x, got {distinct}", nameof(x));
    }

    internal static PowerLaw FitPureChecked(double[] x, double[] y)
    {
        int n = x.Length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += Math.Log(x[i]); my += Math.Log(y[i]); }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = Math.Log(x[i]) - mx;
            sxy += dx * (Math.Log(y[i]) - my);
            sxx += dx * dx;
        }
        double slope = sxy / sxx;
        return new PowerLaw(0, Math.Exp(my - slope * mx), -slope);
    }

    internal static PowerLaw FitChecked(double[] x, double[] y)
    {
        // x in units of its geometric mean keeps x^(−α) near 1 whatever the scale (10^2 parameters or 10^12 FLOPs).
        int n = x.Length;
        double logScale = x.Average(Math.Log);
        var u = x.Select(v => Math.Log(v) - logScale).ToArray();
        var w = y.Select(v => 1 / (v * v)).ToArray();

        double best = double.PositiveInfinity, bestAlpha = MinAlpha;
        double step = Math.Log(MaxAlpha / MinAlpha) / (GridPoints - 1);
        for (int k = 0; k < GridPoints; k++)
        {
            double alpha = MinAlpha * Math.Exp(k * step);
            double r = Solve(alpha, u, y, w).Residual;
            if (r < best) { best = r; bestAlpha = alpha; }
        }
        // Golden sections in log α on the grid cell either side of the best grid point.
        double lo = Math.Log(Math.Max(MinAlpha, bestAlpha * Math.Exp(-step)));
        double hi = Math.Log(Math.Min(MaxAlpha, bestAlpha * Math.Exp(step)));
        const double g = 0.6180339887498949;
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        double fa = Solve(Math.Exp(a), u, y, w).Residual, fb = Solve(Math.Exp(b), u, y, w).Residual;
        for (int i = 0; i < 60; i++)
        {
            if (fa < fb) { hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = Solve(Math.Exp(a), u, y, w).Residual; }
            else { lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = Solve(Math.Exp(b), u, y, w).Residual; }
        }
        double alphaHat = Math.Exp(0.5 * (lo + hi));
        var (e, scaledA, _) = Solve(alphaHat, u, y, w);
        return new PowerLaw(e, scaledA * Math.Exp(alphaHat * logScale), alphaHat);
    }

    /// <summary>For a fixed α: the weighted least-squares E ≥ 0, A ≥ 0 of y = E + A·exp(−α u), and its residual.</summary>
    static (double E, double A, double Residual) Solve(double alpha, double[] u, double[] y, double[] w)
    {
        int n = u.Length;
        double sw = 0, sz = 0, szz = 0, sy = 0, szy = 0;
        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = Math.Exp(-alpha * u[i]);
            sw += w[i]; sz += w[i] * z[i]; szz += w[i] * z[i] * z[i]; sy += w[i] * y[i]; szy += w[i] * z[i] * y[i];
        }
        double det = sw * szz - sz * sz;
        double e = det > 0 ? (szz * sy - sz * szy) / det : double.NaN;
        double a = det > 0 ? (sw * szy - sz * sy) / det : double.NaN;
        if (!(e >= 0 && a >= 0))
        {
            // The unconstrained optimum leaves the feasible set: the best lies on an edge, E = 0 or A = 0.
            double aOnly = Math.Max(0, szy / szz);
            double eOnly = sy / sw;
            double rA = Residual(0, aOnly, z, y, w), rE = Residual(eOnly, 0, z, y, w);
            return rA <= rE ? (0, aOnly, rA) : (eOnly, 0, rE);
        }
        return (e, a, Residual(e, a, z, y, w));
    }

    static double Residual(double e, double a, double[] z, double[] y, double[] w)
    {
        double r = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double d = y[i] - e - a * z[i];
            r += w[i] * d * d;
        }
        return r;
    }
}

namespace Course.Diffusion.Scaling;

/// <summary>
/// The held-out loss of one model measured along its training, against the training FLOPs spent so far.
/// Between measurements the curve is interpolated linearly in (log C, log L), the axes on which
/// learning curves are nearly straight; outside the measured range it has no value.
/// </summary>
public sealed class LearningCurve
{
    readonly double[] _compute;
    readonly double[] _loss;

    /// <param name="parameters">The model's parameter count N.</param>
    /// <param name="compute">Training FLOPs at each measurement, increasing.</param>
    /// <param name="loss">The held-out loss at each, positive.</param>
    public LearningCurve(double parameters, IReadOnlyList<double> compute, IReadOnlyList<double> loss)
    {
        if (!(parameters > 0)) throw new ArgumentOutOfRangeException(nameof(parameters), parameters, "a model has a positive number of parameters");
        PowerLawFitter.Check(compute, loss, 1);
        for (int i = 1; i < compute.Count; i++)
            if (!(compute[i] > compute[i - 1]))
                throw new ArgumentException($"compute must increase along a learning curve; compute[{i}] = {compute[i]} after {compute[i - 1]}", nameof(compute));
        Parameters = parameters;
        _compute = compute.ToArray();
        _loss = loss.ToArray();
    }

    public double Parameters { get; }
    public IReadOnlyList<double> Compute => _compute;
    public IReadOnlyList<double> Loss => _loss;
    public double MinCompute => _compute[0];
    public double MaxCompute => _compute[^1];

    /// <summary>The loss at <paramref name="compute"/> FLOPs (log-log interpolation); NaN outside the measured range.</summary>
    public double At(double compute)
    {
        if (!(compute >= MinCompute && compute <= MaxCompute)) return double.NaN;
        int i = Array.BinarySearch(_compute, compute);
        if (i >= 0) return _loss[i];
        int above = ~i, below = above - 1;
        double f = (Math.Log(compute) - Math.Log(_compute[below])) / (Math.Log(_compute[above]) - Math.Log(_compute[below]));
        return Math.Exp(Math.Log(_loss[below]) + f * (Math.Log(_loss[above]) - Math.Log(_loss[below])));
    }

    /// <summary>
    /// The compute-efficient frontier (Kaplan et al. 2020, §6: L(C_min)): at each budget, the lowest loss any
    /// of the curves reaches with that many FLOPs, and whose curve it is. Budgets no curve covers are left out.
    /// </summary>
    public static IReadOnlyList<(double Compute, double Loss, double Parameters)> Frontier(
        IReadOnlyList<LearningCurve> curves, IReadOnlyList<double> budgets)
    {
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentNullException.ThrowIfNull(budgets);
        var result = new List<(double, double, double)>();
        foreach (var c in budgets)
        {
            var best = curves.Select(curve => (Loss: curve.At(c), curve.Parameters)).Where(p => !double.IsNaN(p.Loss))
                .OrderBy(p => p.Loss).FirstOrDefault();
            if (best.Parameters > 0) result.Add((c, best.Loss, best.Parameters));
        }
        return result;
    }

    /// <summary>At one budget: (N, loss) of every curve that covers it, for an IsoFLOP curve.</summary>
    public static IReadOnlyList<(double Parameters, double Loss)> IsoFlopSlice(IReadOnlyList<LearningCurve> curves, double budget)
    {
        ArgumentNullException.ThrowIfNull(curves);
        return curves.Select(c => (c.Parameters, Loss: c.At(budget))).Where(p => !double.IsNaN(p.Loss)).OrderBy(p => p.Parameters).ToList();
    }

    /// <summary>n budgets evenly spaced in log C from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static double[] LogSpaced(double from, double to, int n)
    {
        if (!(from > 0 && to > from) || n < 2) throw new ArgumentException($"need 0 < from < to and n ≥ 2, got {from}, {to}, {n}");
        return Enumerable.Range(0, n).Select(i => from * Math.Pow(to / from, i / (n - 1.0))).ToArray();
    }
}

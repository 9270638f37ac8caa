namespace Course.Diffusion.Scaling;

/// <summary>The best model size at one compute budget: where the IsoFLOP curve bottoms out.</summary>
/// <param name="Parameters">The size N at the minimum.</param>
/// <param name="Loss">The loss there.</param>
/// <param name="Interior">True when the minimum is the vertex of the fitted parabola inside the measured sizes;
/// false when the curve has no minimum inside them, and the minimum is the best measured point (an edge: the
/// true optimum may lie beyond it).</param>
public readonly record struct IsoFlopMinimum(double Parameters, double Loss, bool Interior);

/// <summary>
/// IsoFLOP analysis (Hoffmann et al. 2022, §3.2, "approach 2"): at a fixed budget of training FLOPs, a small
/// model sees much data and a large one little; the loss against log N is a valley, and a parabola in log N
/// through the points around the lowest one locates its bottom, the compute-optimal size for that budget.
/// </summary>
public static class IsoFlop
{
    /// <summary>
    /// The bottom of the valley: the parabola in log N through the lowest measured point and its two
    /// neighbours, and its vertex. Only the three points around the minimum are used, because far from its
    /// bottom an IsoFLOP curve is not a parabola (a model with too few steps is far worse, not symmetrically
    /// worse), and a parabola through all points would put the vertex, and its loss, where no point lies.
    /// When the lowest point is the smallest or the largest size, the valley's bottom is not inside the
    /// measured sizes and that point is returned with <see cref="IsoFlopMinimum.Interior"/> false.
    /// </summary>
    public static IsoFlopMinimum Minimum(IReadOnlyList<double> parameters, IReadOnlyList<double> losses)
    {
        PowerLawFitter.Check(parameters, losses, 3);
        if (parameters.Distinct().Count() != parameters.Count)
            throw new ArgumentException("an IsoFLOP curve has one loss per size; sizes repeat", nameof(parameters));
        var order = Enumerable.Range(0, parameters.Count).OrderBy(i => parameters[i]).ToArray();
        var u = order.Select(i => Math.Log10(parameters[i])).ToArray();
        var l = order.Select(i => losses[i]).ToArray();
        int best = Array.IndexOf(l, l.Min());
        if (best == 0 || best == l.Length - 1) return new IsoFlopMinimum(parameters[order[best]], l[best], false);
        double centre = u[best];
        var m = new double[3, 3];
        var r = new double[3];
        for (int k = 0; k < 3; k++)
        {
            double v = u[best - 1 + k] - centre;
            m[k, 0] = 1; m[k, 1] = v; m[k, 2] = v * v;
            r[k] = l[best - 1 + k];
        }
        var c = Solve3(m, r);
        // The middle point is the lowest, so the parabola opens upwards and its vertex lies between the neighbours.
        double vertex = -c[1] / (2 * c[2]);
        return new IsoFlopMinimum(Math.Pow(10, vertex + centre), c[0] + c[1] * vertex + c[2] * vertex * vertex, true);
    }

    static double[] Solve3(double[,] m, double[] r)
    {
        double Det(double[,] a) =>
            a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
            + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        double det = Det(m);
        var x = new double[3];
        for (int k = 0; k < 3; k++)
        {
            var a = (double[,])m.Clone();
            for (int i = 0; i < 3; i++) a[i, k] = r[i];
            x[k] = Det(a) / det;
        }
        return x;
    }
}

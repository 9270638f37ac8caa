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
/// through the measured points locates its bottom, the compute-optimal size for that budget.
/// </summary>
public static class IsoFlop
{
    /// <summary>The least-squares parabola in log N through the points (at least 3 distinct sizes), and its vertex.</summary>
    public static IsoFlopMinimum Minimum(IReadOnlyList<double> parameters, IReadOnlyList<double> losses)
    {
        PowerLawFitter.Check(parameters, losses, 3);
        int n = parameters.Count;
        var u = parameters.Select(p => Math.Log10(p)).ToArray();
        double centre = u.Average();
        // normal equations of y = c0 + c1 v + c2 v², v = u − centre
        var m = new double[3, 3];
        var r = new double[3];
        for (int i = 0; i < n; i++)
        {
            double v = u[i] - centre;
            double[] f = { 1, v, v * v };
            for (int a = 0; a < 3; a++)
            {
                r[a] += f[a] * losses[i];
                for (int b = 0; b < 3; b++) m[a, b] += f[a] * f[b];
            }
        }
        var c = Solve3(m, r);
        int best = Enumerable.Range(0, n).MinBy(i => losses[i]);
        if (!(c[2] > 0)) return new IsoFlopMinimum(parameters[best], losses[best], false);
        double vertex = -c[1] / (2 * c[2]);
        if (vertex + centre < u.Min() || vertex + centre > u.Max()) return new IsoFlopMinimum(parameters[best], losses[best], false);
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

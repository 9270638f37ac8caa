using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>
/// Sliced Wasserstein distance between two point sets (Rabin et al. 2011; Bonneel et al. 2015):
/// SW_p(X, Y) = (E_theta W_p(&lt;X, theta&gt;, &lt;Y, theta&gt;)^p)^(1/p), theta uniform on the unit sphere,
/// estimated with random directions from a seeded generator. Each 1-D distance is exact: the integral
/// over u in [0, 1] of |F_X^{-1}(u) - F_Y^{-1}(u)|^p for the two empirical quantile functions, so the
/// sample sizes may differ. For a pure shift Y = X + c, W_p along theta is |&lt;c, theta&gt;|; in 2D
/// SW_1 = 2 |c| / pi.
/// </summary>
public static class SlicedWasserstein
{
    public static double Distance(Tensor x, Tensor y, int projections = 1000, double p = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.ndim != 2 || y.ndim != 2 || x.shape[1] != y.shape[1])
            throw new ArgumentException($"point sets must be [N, D] and [M, D] with the same D, got [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}]");
        if (x.shape[0] == 0 || y.shape[0] == 0) throw new ArgumentException("point sets must not be empty");
        if (projections < 1) throw new ArgumentOutOfRangeException(nameof(projections), projections, "at least one projection is needed");
        if (!(p >= 1) || !double.IsFinite(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be a finite number >= 1");
        double[] px, py;
        using (NewDisposeScope())
        {
            var directions = randn(new[] { x.shape[1], (long)projections }, float64, generator?.device ?? CPU, generator: generator);
            directions = directions / directions.norm(0, keepdim: true);
            var xs = x.detach().to(float64, CPU).matmul(directions.cpu()).sort(0).Values; // [N, L], each column sorted
            var ys = y.detach().to(float64, CPU).matmul(directions.cpu()).sort(0).Values;
            px = xs.t().contiguous().data<double>().ToArray();
            py = ys.t().contiguous().data<double>().ToArray();
        }
        int n = (int)x.shape[0], m = (int)y.shape[0];
        double total = 0;
        for (int l = 0; l < projections; l++)
            total += OneDimensional(px.AsSpan(l * n, n), py.AsSpan(l * m, m), p);
        return Math.Pow(total / projections, 1 / p);
    }

    /// <summary>
    /// W_p^p between two sorted samples: the quantile functions are step functions, constant between the
    /// merged breakpoints i/n and j/m, so the integral is a finite sum.
    /// </summary>
    public static double OneDimensional(ReadOnlySpan<double> sortedX, ReadOnlySpan<double> sortedY, double p)
    {
        int n = sortedX.Length, m = sortedY.Length;
        if (n == m)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.Pow(Math.Abs(sortedX[i] - sortedY[i]), p);
            return s / n;
        }
        double sum = 0, u = 0;
        int a = 0, b = 0;
        while (a < n && b < m)
        {
            // next breakpoint: (a + 1) / n or (b + 1) / m, compared exactly as (a + 1) m vs (b + 1) n
            long left = (long)(a + 1) * m, right = (long)(b + 1) * n;
            double next = left <= right ? (a + 1.0) / n : (b + 1.0) / m;
            sum += (next - u) * Math.Pow(Math.Abs(sortedX[a] - sortedY[b]), p);
            u = next;
            if (left <= right) a++;
            if (right <= left) b++;
        }
        return sum;
    }
}

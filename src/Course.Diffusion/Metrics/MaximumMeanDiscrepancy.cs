using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>
/// Maximum mean discrepancy with the RBF kernel k(a, b) = exp(-||a - b||^2 / (2 h^2)) (Gretton et al. 2012):
/// MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y). Zero exactly when the two laws agree.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>
    /// The unbiased estimate of MMD^2 (eq. 3 of Gretton et al.: diagonal terms left out; it can be slightly negative),
    /// or the biased V-statistic. Bandwidth h: given, or the median heuristic (the median distance between
    /// all pooled points, Gretton et al. section 8).
    /// </summary>
    public static double Squared(Tensor x, Tensor y, double? bandwidth = null, bool unbiased = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.ndim != 2 || y.ndim != 2 || x.shape[1] != y.shape[1])
            throw new ArgumentException($"point sets must be [N, D] and [M, D] with the same D, got [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}]");
        long n = x.shape[0], m = y.shape[0];
        if (n < 2 || m < 2) throw new ArgumentException("each point set needs at least two points");
        if (bandwidth is double h && (!(h > 0) || !double.IsFinite(h))) throw new ArgumentOutOfRangeException(nameof(bandwidth), h, "the bandwidth must be positive and finite");
        using var scope = NewDisposeScope();
        var a = x.detach().to(float64);
        var b = y.detach().to(float64, a.device);
        double width = bandwidth ?? MedianDistance(cat(new[] { a, b }, 0));
        double gamma = 1 / (2 * width * width);
        var kxx = (-gamma * SquaredDistances(a, a)).exp();
        var kyy = (-gamma * SquaredDistances(b, b)).exp();
        var kxy = (-gamma * SquaredDistances(a, b)).exp();
        double sxx = kxx.sum().ToDouble(), syy = kyy.sum().ToDouble(), sxy = kxy.sum().ToDouble();
        if (unbiased)
            return (sxx - n) / (n * (n - 1.0)) + (syy - m) / (m * (m - 1.0)) - 2 * sxy / ((double)n * m); // k(a, a) = 1 on the diagonals
        return sxx / ((double)n * n) + syy / ((double)m * m) - 2 * sxy / ((double)n * m);
    }

    /// <summary>The median of the distances between distinct points of z (the median heuristic for the RBF bandwidth).</summary>
    public static double MedianDistance(Tensor z)
    {
        using var scope = NewDisposeScope();
        var d = SquaredDistances(z, z).clamp_min(0).sqrt().cpu().data<double>().ToArray();
        long n = z.shape[0];
        var off = new List<double>((int)(n * (n - 1) / 2));
        for (long i = 0; i < n; i++) for (long j = i + 1; j < n; j++) off.Add(d[i * n + j]);
        off.Sort();
        if (off.Count == 0) throw new ArgumentException("the median distance needs at least two points");
        double median = off.Count % 2 == 1 ? off[off.Count / 2] : 0.5 * (off[off.Count / 2 - 1] + off[off.Count / 2]);
        if (!(median > 0)) throw new ArgumentException("all points coincide: the median heuristic gives no bandwidth; pass one");
        return median;
    }

    /// <summary>||a_i - b_j||^2 for all pairs, [N, M].</summary>
    static Tensor SquaredDistances(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var aa = a.square().sum(1, keepdim: true);
        var bb = b.square().sum(1, keepdim: true).t();
        var result = (aa + bb - 2 * a.matmul(b.t())).clamp_min(0);
        return result.MoveToOuterDisposeScope();
    }
}

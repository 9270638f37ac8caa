using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>How many modes of a mixture a sample covers, and how many of its points are near any mode.</summary>
/// <param name="ModesCovered">Modes that hold at least the required number of nearby samples.</param>
/// <param name="Modes">How many modes there are.</param>
/// <param name="CountPerMode">For each mode, the samples within the radius of it (and nearest to it).</param>
/// <param name="NearFraction">The fraction of all samples within the radius of some mode ("high-quality" samples).</param>
public sealed record ModeCoverageResult(int ModesCovered, int Modes, long[] CountPerMode, double NearFraction)
{
    public override string ToString() =>
        LearnerMessages.ModeCoverage(ModesCovered, Modes, NearFraction, string.Join(", ", CountPerMode));
}

/// <summary>
/// Mode coverage, the count used for GANs on mixtures of well-separated Gaussians (e.g. the 2-D ring of
/// Metz et al. 2017): each sample is assigned to its nearest mode centre and counts for it only if it lies within
/// <c>radius</c> of that centre (three standard deviations of a component is the usual choice); a mode is
/// covered when it holds at least <c>minimumShare</c> of the n/K samples a perfect model would give it. A model
/// that collapses onto a few modes scores low here even when each of its samples looks perfect.
/// </summary>
public static class ModeCoverage
{
    /// <param name="samples">[n, D] points.</param>
    /// <param name="centres">[K, D] mode centres.</param>
    /// <param name="radius">How close to its centre a sample must be to count.</param>
    /// <param name="minimumShare">The fraction of the fair share n/K a mode needs (default 0.1: 10 % of its expected samples).</param>
    public static ModeCoverageResult Measure(Tensor samples, Tensor centres, double radius, double minimumShare = 0.1)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(centres);
        if (samples.ndim != 2 || centres.ndim != 2 || samples.shape[1] != centres.shape[1])
            throw new ArgumentException($"samples and centres must be [n, D] and [K, D] with the same D, got [{string.Join(", ", samples.shape)}] and [{string.Join(", ", centres.shape)}]");
        if (samples.shape[0] < 1 || centres.shape[0] < 1) throw new ArgumentException("need at least one sample and one centre");
        if (!(radius > 0) || !double.IsFinite(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "the radius must be positive and finite");
        if (!(minimumShare > 0) || !double.IsFinite(minimumShare)) throw new ArgumentOutOfRangeException(nameof(minimumShare), minimumShare, "the minimum share must be positive and finite");
        long n = samples.shape[0];
        int k = (int)centres.shape[0];
        long[] nearest;
        double[] distance;
        using (NewDisposeScope())
        {
            var x = samples.detach().to(float64, CPU);
            var c = centres.detach().to(float64, CPU);
            var squared = (x.unsqueeze(1) - c.unsqueeze(0)).square().sum(2);      // [n, K]
            var (closest, index) = squared.min(1);
            nearest = index.data<long>().ToArray();
            distance = closest.sqrt().data<double>().ToArray();
        }
        var counts = new long[k];
        long near = 0;
        for (long i = 0; i < n; i++)
        {
            if (!(distance[i] <= radius)) continue;     // a NaN sample is near nothing
            counts[nearest[i]]++;
            near++;
        }
        double required = minimumShare * n / k;
        return new ModeCoverageResult(counts.Count(count => count >= required), k, counts, (double)near / n);
    }
}

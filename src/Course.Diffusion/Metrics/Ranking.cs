using System.Globalization;

namespace Course.Diffusion.Metrics;

/// <summary>Which of several measured candidates is best, and whether the measurement can tell.</summary>
/// <param name="Metric">what was measured, for the sentence ("FID").</param>
/// <param name="Best">the best candidate's name.</param>
/// <param name="BestValue">its value.</param>
/// <param name="RunnerUp">the second best's name.</param>
/// <param name="RunnerUpValue">its value.</param>
/// <param name="Noise">how much the metric moves between repeated measurements of the same thing (given by the caller:
/// the range of several floors, a spread over seeds, a bootstrap interval's width).</param>
/// <param name="NoiseSource">what <paramref name="Noise"/> is, for the sentence.</param>
/// <param name="Resolved">true when the gap between the best and the runner-up is larger than the noise.</param>
public sealed record RankingResult(string Metric, string Best, double BestValue, string RunnerUp, double RunnerUpValue,
    double Noise, string NoiseSource, bool Resolved)
{
    /// <summary>|best − runner-up|.</summary>
    public double Gap => Math.Abs(BestValue - RunnerUpValue);

    /// <summary>One sentence: the winner only where the gap beats the noise, otherwise that this run cannot tell.</summary>
    public string Describe(string format = "0.000")
    {
        string V(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        return Resolved
            ? LearnerMessages.RankingResolved(Metric, Best, V(BestValue), RunnerUp, V(RunnerUpValue), V(Gap), NoiseSource, V(Noise))
            : LearnerMessages.RankingUnresolved(Metric, Best, V(BestValue), RunnerUp, V(RunnerUpValue), V(Gap), NoiseSource, V(Noise));
    }
}

/// <summary>
/// States a winner only where the measurement can resolve it: the best of several candidates against the runner-up,
/// with the gap compared to how much the metric moves between repeated measurements. Used wherever a lesson ranks
/// samplers, models or settings.
/// </summary>
public static class Ranking
{
    /// <summary>Ranks <paramref name="candidates"/> by value (lowest first when <paramref name="lowerIsBetter"/>) and
    /// compares the gap between the first two with <paramref name="noise"/>.</summary>
    public static RankingResult Best(string metric, IEnumerable<(string Name, double Value)> candidates, bool lowerIsBetter,
        double noise, string noiseSource)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentException.ThrowIfNullOrWhiteSpace(noiseSource);
        var list = candidates.ToList();
        if (list.Count < 2) throw new ArgumentException(LearnerMessages.RankingNeedsTwo(list.Count), nameof(candidates));
        var bad = list.FirstOrDefault(c => !double.IsFinite(c.Value));
        if (bad.Name is not null) throw new ArgumentException(LearnerMessages.RankingNotFinite(metric, bad.Name, bad.Value), nameof(candidates));
        if (!double.IsFinite(noise) || noise < 0) throw new ArgumentOutOfRangeException(nameof(noise), noise, "the noise must be a finite value ≥ 0");
        var ranked = (lowerIsBetter ? list.OrderBy(c => c.Value) : list.OrderByDescending(c => c.Value)).ToList();
        var (best, second) = (ranked[0], ranked[1]);
        return new RankingResult(metric, best.Name, best.Value, second.Name, second.Value, noise, noiseSource,
            Math.Abs(best.Value - second.Value) > noise);
    }

    /// <summary>Ranks candidates each measured several times (several seeds or draws): by the mean of each one's
    /// repeats, with the noise taken from the repeats themselves, the larger range (<see cref="Spread"/>) of the two
    /// leaders' measurements. A winner is named only where the gap between their means is larger than that range, so
    /// a run whose repeats overlap says it cannot tell. Each candidate needs at least two repeats.</summary>
    public static RankingResult BestOfRepeated(string metric, IEnumerable<(string Name, IReadOnlyList<double> Repeats)> candidates,
        bool lowerIsBetter, string? noiseSource = null)
    {
        noiseSource ??= LearnerMessages.RepeatedRunsRange;
        ArgumentNullException.ThrowIfNull(candidates);
        var list = candidates.ToList();
        foreach (var (name, repeats) in list)
        {
            ArgumentNullException.ThrowIfNull(repeats, nameof(candidates));
            if (repeats.Count < 2)
                throw new ArgumentException(LearnerMessages.RankingNeedsRepeats(metric, name, repeats.Count), nameof(candidates));
        }
        var means = list.Select(c => (c.Name, Value: c.Repeats.Average())).ToList();
        var provisional = Best(metric, means, lowerIsBetter, 0, noiseSource);
        double noise = list.Where(c => c.Name == provisional.Best || c.Name == provisional.RunnerUp)
            .Max(c => Spread(c.Repeats));
        return provisional with { Noise = noise, Resolved = provisional.Gap > noise };
    }

    /// <summary>The image-metric verdicts the lessons print: FID (lower is better), precision and recall (higher), each
    /// against the range of the real-image floors at the same n (<c>ImageEvaluator.Floors</c>).</summary>
    public static IReadOnlyList<RankingResult> OfImageQuality(IEnumerable<(string Name, ImageQualityScores Scores)> rows,
        IReadOnlyList<ImageQualityScores> floors)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(floors);
        var list = rows.ToList();
        var metrics = new (string Name, Func<ImageQualityScores, double> Value, bool LowerIsBetter)[]
        {
            ("FID", s => s.Fid.Value, true),
            (LearnerMessages.Precision, s => s.PrecisionRecall.Precision, false),
            (LearnerMessages.Recall, s => s.PrecisionRecall.Recall, false),
        };
        return metrics.Select(m => Best(m.Name, list.Select(r => (r.Name, m.Value(r.Scores))), m.LowerIsBetter,
            Spread(floors.Select(m.Value)), LearnerMessages.FloorsRange(floors.Count))).ToList();
    }

    /// <summary>The range (highest − lowest) of repeated measurements: the noise of one measurement, as
    /// <see cref="Best"/> takes it. At least two values.</summary>
    public static double Spread(IEnumerable<double> repeated)
    {
        ArgumentNullException.ThrowIfNull(repeated);
        var v = repeated.ToArray();
        if (v.Length < 2) throw new ArgumentException($"a spread needs at least two repeated measurements, got {v.Length}", nameof(repeated));
        if (v.Any(x => !double.IsFinite(x))) throw new ArgumentException("the repeated measurements must be finite", nameof(repeated));
        return v.Max() - v.Min();
    }
}

using System.Globalization;
using System.Text;

namespace Course.Diffusion.Metrics;

/// <summary>
/// <see cref="ToyScores"/> of models trained several times (several seeds) on the same 2-D data, put together: one
/// table line per data set and model with the mean and the range over the runs, and rankings that name a winner only
/// where the gap between the two best means is larger than the range of their runs (<see cref="Ranking.BestOfRepeated"/>).
/// Lesson 08 compares a VAE, a GAN and DDPM this way.
/// </summary>
public static class RepeatedToyScores
{
    /// <summary>One aligned line per (data set, model), in the order they first appear: runs, SW₁ mean and range,
    /// SW₁ in units of the floor (mean), MMD² mean and range, log p(x) mean, modes covered (lowest–highest), share
    /// within the mode radius (mean) and the mean wall time of a run; "–" where a number does not apply or a single
    /// run has no range, no time for the data's own row.</summary>
    public static string Table(IEnumerable<ToyScores> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{"data",-11} {"model",-10} {"runs",4} {"SW₁ mean (range)",-24} {"× floor",7} ")
            .Append(c, $"{"MMD² mean (range)",-27} {"log p(x)",8} {"modes",6} {"within 3σ",9} {"time",6}");
        foreach (var group in Groups(rows))
        {
            var runs = group.ToList();
            var first = runs[0];
            string Range(Func<ToyScores, double> value, string format) => runs.Count < 2 ? "" :
                $"({runs.Min(value).ToString(format, c)}–{runs.Max(value).ToString(format, c)})";
            string sw = $"{runs.Average(r => r.Sw).ToString("0.0000", c)} {Range(r => r.Sw, "0.0000")}";
            string mmd = $"{runs.Average(r => r.Mmd).ToString("+0.00000;-0.00000", c)} {Range(r => r.Mmd, "+0.00000;-0.00000")}";
            string logP = runs.All(r => r.LogLikelihood is not null)
                ? runs.Average(r => r.LogLikelihood!.Value).ToString("0.000", c) : "–";
            string modes = runs.All(r => r.Modes is not null)
                ? Span(runs.Min(r => r.Modes!.ModesCovered), runs.Max(r => r.Modes!.ModesCovered)) + $"/{first.Modes!.Modes}" : "–";
            string near = runs.All(r => r.Modes is not null) ? runs.Average(r => r.Modes!.NearFraction).ToString("P1", c) : "–";
            string time = first.Model == "data" ? "" : $"{runs.Average(r => r.Seconds).ToString("0", c)} s";
            text.AppendLine().Append(c, $"{first.Data,-11} {first.Model,-10} {runs.Count,4} {sw,-24} ")
                .Append(c, $"{(runs.Average(r => r.Sw / r.Floor)).ToString("0.0", c),7} {mmd,-27} {logP,8} {modes,6} {near,9} {time,6}");
        }
        return text.ToString();
    }

    /// <summary>Ranks the models of <paramref name="data"/> (not the data's own row) by <paramref name="value"/>, each
    /// with its runs as repeats (at least two each): <see cref="Ranking.BestOfRepeated"/>.</summary>
    public static RankingResult Rank(IEnumerable<ToyScores> rows, string data, string metric, Func<ToyScores, double> value,
        bool lowerIsBetter)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrWhiteSpace(data);
        ArgumentNullException.ThrowIfNull(value);
        var candidates = Groups(rows.Where(r => r.Data == data && r.Model != "data"))
            .Select(g => (g.Key.Model, (IReadOnlyList<double>)g.Select(value).ToArray())).ToList();
        if (candidates.Count < 2) throw new ArgumentException($"{data} has {candidates.Count} model(s) to rank; a ranking needs two", nameof(rows));
        int runs = candidates.Min(c => c.Item2.Count);
        return Ranking.BestOfRepeated(metric, candidates, lowerIsBetter, LearnerMessages.LargerRangeOfTheTwo(runs));
    }

    static IEnumerable<IGrouping<(string Data, string Model), ToyScores>> Groups(IEnumerable<ToyScores> rows) =>
        rows.GroupBy(r => (r.Data, r.Model));      // GroupBy keeps the order of first appearance

    static string Span(int low, int high) => low == high ? $"{low}" : $"{low}–{high}";
}

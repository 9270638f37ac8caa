using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Course.Diffusion.TrainLive;

/// <summary>One measured point of a time-to-quality curve: a recipe trained for some minutes from random
/// weights, its samples scored by the <c>evaluate</c> command (bench/train_live_curves.py writes them).</summary>
public sealed record LiveTrainingPoint
{
    /// <summary>"course" (lesson 10's recipe) or "reference" (the plain PyTorch recipe).</summary>
    [JsonPropertyName("recipe")] public string Recipe { get; init; } = "";
    [JsonPropertyName("minutes")] public double Minutes { get; init; }
    /// <summary>The training seed (both recipes take one); -1 in an average over seeds (<see cref="LiveTrainingResults.Best"/>).</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; }
    /// <summary>How many runs (seeds) this point averages; 1 for a stored run.</summary>
    [JsonIgnore] public int Runs { get; init; } = 1;
    [JsonPropertyName("steps")] public long Steps { get; init; }
    [JsonPropertyName("guidance")] public double Guidance { get; init; }
    [JsonPropertyName("n")] public int N { get; init; }
    [JsonPropertyName("fid")] public double Fid { get; init; }
    [JsonPropertyName("kid")] public double Kid { get; init; }
    [JsonPropertyName("precision")] public double Precision { get; init; }
    [JsonPropertyName("recall")] public double Recall { get; init; }
    [JsonPropertyName("accuracy")] public double Accuracy { get; init; }
    /// <summary>Seconds to draw the N samples (null where the run did not time them).</summary>
    [JsonPropertyName("sample_s")] public double? SampleSeconds { get; init; }
    /// <summary>The 1-minute load average when the run started and ended.</summary>
    [JsonPropertyName("load")] public double[] Load { get; init; } = Array.Empty<double>();
}

/// <summary>Stored measurements of lesson 10's recipe against the reference (bench/train_live_results.json).</summary>
public sealed record LiveTrainingResults
{
    [JsonPropertyName("measured")] public string Measured { get; init; } = "";
    [JsonPropertyName("machine")] public string Machine { get; init; } = "";
    [JsonPropertyName("floor_fid")] public double FloorFid { get; init; }
    [JsonPropertyName("floor_accuracy")] public double FloorAccuracy { get; init; }
    [JsonPropertyName("rows")] public IReadOnlyList<LiveTrainingPoint> Rows { get; init; } = Array.Empty<LiveTrainingPoint>();

    public static LiveTrainingResults Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException(LearnerMessages.NoStoredMeasurements(Path.GetFullPath(path)), path);
        return JsonSerializer.Deserialize<LiveTrainingResults>(File.ReadAllText(path))
            ?? throw new InvalidDataException(LearnerMessages.HoldsNoMeasurements(path));
    }

    /// <summary>Each recipe at each budget: the mean over its seeds at each guidance scale, and of those the scale
    /// with the lowest mean FID (the reference is judged at the better of its scales, as the issue asks).</summary>
    public IReadOnlyList<LiveTrainingPoint> Best() => Rows.GroupBy(r => (r.Recipe, r.Minutes, r.Guidance))
        .Select(Mean).GroupBy(r => (r.Recipe, r.Minutes)).Select(g => g.MinBy(r => r.Fid)!)
        .OrderBy(r => r.Minutes).ThenBy(r => r.Recipe).ToList();

    static LiveTrainingPoint Mean(IEnumerable<LiveTrainingPoint> runs)
    {
        var all = runs.ToList();
        var timed = all.Where(r => r.SampleSeconds is not null).ToList();
        return all[0] with
        {
            Seed = -1, Runs = all.Count, Steps = (long)Math.Round(all.Average(r => r.Steps)),
            Fid = all.Average(r => r.Fid), Kid = all.Average(r => r.Kid), Precision = all.Average(r => r.Precision),
            Recall = all.Average(r => r.Recall), Accuracy = all.Average(r => r.Accuracy),
            SampleSeconds = timed.Count > 0 ? timed.Average(r => r.SampleSeconds!.Value) : null,
            Load = new[] { all.Min(r => r.Load.DefaultIfEmpty(0).Min()), all.Max(r => r.Load.DefaultIfEmpty(0).Max()) },
        };
    }

    /// <summary>A table: minutes, then for each recipe steps, guidance, FID, KID, precision, recall, accuracy.</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(LearnerMessages.LiveResultsHeadline(Measured, Machine, Rows.FirstOrDefault()?.N ?? 0, FloorFid, FloorAccuracy));
        sb.AppendLine(LearnerMessages.LiveResultsHeader);
        foreach (var r in Best())
            sb.AppendLine(LearnerMessages.LiveResultsRow(r.Minutes, r.Recipe, r.Runs, r.Steps, r.Guidance, r.Fid, r.Kid, r.Precision,
                r.Recall, r.Accuracy, string.Join("-", r.Load.Select(l => l.ToString("0.0", c)))));
        sb.Append(LearnerMessages.LiveResultsFootnote);
        return sb.ToString().TrimEnd();
    }
}

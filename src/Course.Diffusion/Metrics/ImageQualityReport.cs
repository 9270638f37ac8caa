using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Course.Diffusion.Metrics;

/// <summary>
/// Samples' scores beside the floor: the same metrics for real images, disjoint from the reference, at the same n. A
/// sample set cannot be expected to beat its floor; the gap to it is what the model still lacks. Prints as text for
/// people and as one JSON object for programs (keys <c>n</c>, <c>fid</c>, <c>kid</c>, <c>kid_std</c>, <c>precision</c>,
/// <c>recall</c>, <c>accuracy</c>, and the same under <c>floor</c>).
/// </summary>
public sealed record ImageQualityReport(ImageQualityScores Samples, ImageQualityScores Floor, string Features, string Reference, string FloorSource)
{
    /// <summary>A few aligned lines: each metric, its floor, and the sizes behind them.</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var s = Samples;
        var f = Floor;
        var text = new StringBuilder();
        text.AppendLine(LearnerMessages.Features(Features));
        text.AppendLine(LearnerMessages.Reference(Reference, s.ReferenceCount));
        text.AppendLine(LearnerMessages.FloorSource(FloorSource, f.Count));
        text.AppendLine(c, $"{"",-20}{LearnerMessages.Right(LearnerMessages.Samples, 20)}{LearnerMessages.Right(LearnerMessages.Floor, 20)}");
        text.AppendLine(c, $"{"n",-20}{s.Count,20:N0}{f.Count,20:N0}");
        text.AppendLine(c, $"{"FID",-20}{s.Fid.Value,20:0.000}{f.Fid.Value,20:0.000}");
        text.AppendLine(c, $"{"KID",-20}{$"{s.Kid.Mean:0.000} ± {s.Kid.StandardDeviation:0.000}",20}" +
            $"{$"{f.Kid.Mean:0.000} ± {f.Kid.StandardDeviation:0.000}",20}");
        text.AppendLine(c, $"{LearnerMessages.Left($"{LearnerMessages.Precision} (k = {s.PrecisionRecall.K})", 20)}{s.PrecisionRecall.Precision,20:0.000}{f.PrecisionRecall.Precision,20:0.000}");
        text.AppendLine(c, $"{LearnerMessages.Left($"{LearnerMessages.Recall} (k = {s.PrecisionRecall.K})", 20)}{s.PrecisionRecall.Recall,20:0.000}{f.PrecisionRecall.Recall,20:0.000}");
        if (s.Accuracy is { } a)
            text.AppendLine(c, $"{LearnerMessages.Left(LearnerMessages.AccuracyByLabel, 20)}{a.Accuracy,20:0.000}{(f.Accuracy is { } fa ? fa.Accuracy.ToString("0.000", c) : "-"),20}");
        else text.AppendLine(c, $"{LearnerMessages.Left(LearnerMessages.AccuracyByLabel, 20)}{LearnerMessages.Right(LearnerMessages.NoLabels, 20)}");
        text.Append(LearnerMessages.KidSubsets(s.Kid.Subsets, s.Kid.SubsetSize, s.Kid.ReferenceSubsetSize, f.Kid.Subsets, f.Kid.SubsetSize));
        return text.ToString();
    }

    public override string ToString() => ToText();

    /// <summary>One aligned line per named set of scores and a last line for the floor: n, FID, KID ± std,
    /// precision, recall and (where measured) accuracy by label.</summary>
    public static string Table(IEnumerable<(string Name, ImageQualityScores Scores)> rows, ImageQualityScores floor, string? floorName = null)
    {
        floorName ??= LearnerMessages.RealFloor;
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(floor);
        var c = CultureInfo.InvariantCulture;
        var all = rows.Append((floorName, floor)).ToList();
        int width = Math.Max(12, all.Max(r => LearnerMessages.Columns(r.Item1)) + 2);
        var text = new StringBuilder();
        text.AppendLine(c, $"{"".PadRight(width)}{"n",7}{"FID",10}{"KID",20}{LearnerMessages.Right(LearnerMessages.Precision, 11)}" +
            $"{LearnerMessages.Right(LearnerMessages.Recall, 9)}{LearnerMessages.Right(LearnerMessages.Accuracy, 10)}");
        foreach (var (name, s) in all)
            text.AppendLine(c, $"{LearnerMessages.Left(name, width)}{s.Count,7}{s.Fid.Value,10:0.00}" +
                $"{$"{s.Kid.Mean:0.000} ± {s.Kid.StandardDeviation:0.000}",20}" +
                $"{s.PrecisionRecall.Precision,11:0.000}{s.PrecisionRecall.Recall,9:0.000}" +
                $"{(s.Accuracy is { } a ? a.Accuracy.ToString("0.000", c) : "-"),10}");
        return text.ToString().TrimEnd();
    }

    /// <summary>One line of JSON.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            WriteScores(json, Samples);
            json.WriteString("features", Features);
            json.WriteString("reference", Reference);
            json.WritePropertyName("floor");
            json.WriteStartObject();
            WriteScores(json, Floor);
            json.WriteString("source", FloorSource);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static void WriteScores(Utf8JsonWriter json, ImageQualityScores s)
    {
        json.WriteNumber("n", s.Count);
        json.WriteNumber("reference_n", s.ReferenceCount);
        Number(json, "fid", s.Fid.Value);
        Number(json, "kid", s.Kid.Mean);
        Number(json, "kid_std", s.Kid.StandardDeviation);
        json.WriteNumber("kid_subsets", s.Kid.Subsets);
        json.WriteNumber("kid_subset_size", s.Kid.SubsetSize);
        Number(json, "precision", s.PrecisionRecall.Precision);
        Number(json, "recall", s.PrecisionRecall.Recall);
        json.WriteNumber("k", s.PrecisionRecall.K);
        if (s.Accuracy is { } a)
        {
            Number(json, "accuracy", a.Accuracy);
            json.WritePropertyName("accuracy_per_class");
            json.WriteStartArray();
            foreach (var v in a.PerClass) if (double.IsNaN(v)) json.WriteNullValue(); else json.WriteNumberValue(v);
            json.WriteEndArray();
        }
        else json.WriteNull("accuracy");
    }

    static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}

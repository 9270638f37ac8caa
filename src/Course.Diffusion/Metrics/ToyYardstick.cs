using System.Text;
using Course.Diffusion.Score;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>One model's samples of a 2-D data set, measured by a <see cref="ToyYardstick"/>.</summary>
/// <param name="Model">the model's name ("data" for a second draw of the data itself).</param>
/// <param name="Data">the data set's name.</param>
/// <param name="Sw">SW₁ to the yardstick's reference points.</param>
/// <param name="Floor">the noise floor of SW₁ at this n (the median over the floor's draws).</param>
/// <param name="Mmd">the unbiased MMD² to the reference points (it can be slightly negative).</param>
/// <param name="LogLikelihood">the samples' mean log-density under the exact density, where it is known.</param>
/// <param name="Modes">how many of the density's modes the samples cover, where it has modes.</param>
/// <param name="Seconds">wall time to train and sample the model.</param>
/// <param name="CpuSeconds">CPU time (all threads) over the same stretch.</param>
public sealed record ToyScores(string Model, string Data, double Sw, double Floor, double Mmd, double? LogLikelihood,
    ModeCoverageResult? Modes, double Seconds, double CpuSeconds = 0)
{
    /// <summary>One aligned line per row under a header: data, model, SW₁, SW₁ in units of the floor, MMD²,
    /// log p(x), modes covered, share within the mode radius ("within 3σ") and time; "–" where a number does
    /// not apply, no time for the data's own row.</summary>
    public static string Table(IEnumerable<ToyScores> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.Append(LearnerMessages.ToyTableHeader);
        foreach (var s in rows)
        {
            string logP = s.LogLikelihood is double ll ? ll.ToString("0.000") : "–";
            string modes = s.Modes is { } m ? $"{m.ModesCovered}/{m.Modes}" : "–";
            string near = s.Modes is { } m2 ? m2.NearFraction.ToString("P1") : "–";
            string time = s.Model == "data" ? "" : $"{s.Seconds:0} s";
            text.AppendLine().Append($"{LearnerMessages.Left(s.Data, 11)} {LearnerMessages.Left(s.Model, 10)} {s.Sw,8:0.0000} {s.Sw / s.Floor,8:0.0} ")
                .Append($"{s.Mmd,9:+0.00000;-0.00000} {logP,9} {modes,6} {near,10} {time,7}");
        }
        return text.ToString();
    }
}

/// <summary>
/// The yardsticks of one 2-D data set, the same for every model: <see cref="Reference"/>, n points of the data;
/// SW₁ to them beside its noise floor (SW₁ between independent draws of the data, which scatters, so the median of
/// several draws with their range); MMD² with a Gaussian kernel; and, where the density is known exactly, the
/// samples' mean log-likelihood under it and the modes they cover. Seeds are fixed: the reference is drawn with
/// seed 100, the floor's draws with seeds 101, 102, …, and every SW₁ projects on the same directions (seed 6), so
/// a model's SW₁ and the floor are measured alike.
/// </summary>
public sealed class ToyYardstick
{
    readonly Func<long, Generator, Tensor> _draw;
    readonly GaussianMixture? _density;
    readonly Tensor? _modeCentres;
    readonly double _modeRadius;
    readonly int _projections;
    readonly double _bandwidth;

    /// <param name="data">the data set's name, for the rows.</param>
    /// <param name="draw">draws count points [count, 2] of the data with a generator.</param>
    /// <param name="n">points in the reference, and in each of the floor's draws.</param>
    /// <param name="density">the exact density, for log p(x) (null where it is not known).</param>
    /// <param name="modeCentres">[K, 2] centres of the density's modes, for mode coverage (null: no modes).</param>
    /// <param name="modeRadius">how near a centre a sample must lie to count for its mode.</param>
    /// <param name="floorDraws">independent draws of the data behind the floor (odd, so the median is one of them).</param>
    /// <param name="projections">random directions of each SW₁.</param>
    /// <param name="mmdBandwidth">the Gaussian kernel's width h of MMD².</param>
    public ToyYardstick(string data, Func<long, Generator, Tensor> draw, long n, GaussianMixture? density = null,
        Tensor? modeCentres = null, double modeRadius = 0, int floorDraws = 9, int projections = 500, double mmdBandwidth = 0.25)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(data);
        ArgumentNullException.ThrowIfNull(draw);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        if (floorDraws < 1 || floorDraws % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(floorDraws), floorDraws, "the floor needs an odd number of draws (its median is one of them)");
        if (modeCentres is not null && (!(modeRadius > 0) || !double.IsFinite(modeRadius)))
            throw new ArgumentOutOfRangeException(nameof(modeRadius), modeRadius, "mode coverage needs a positive, finite radius");
        Data = data;
        _draw = draw;
        _density = density;
        _modeCentres = modeCentres;
        _modeRadius = modeRadius;
        _projections = projections;
        _bandwidth = mmdBandwidth;
        Reference = draw(n, new Generator(100)).detach().to(float32);
        if (Reference.ndim != 2 || Reference.shape[0] != n)
            throw new ArgumentException($"draw must give [{n}, D] points, gave [{string.Join(", ", Reference.shape)}]", nameof(draw));
        var floors = new double[floorDraws];
        for (int k = 0; k < floorDraws; k++)
        {
            using var scope = NewDisposeScope();
            floors[k] = SlicedWasserstein.Distance(draw(n, new Generator((ulong)(101 + k))), Reference, _projections,
                generator: new Generator(6));
        }
        Array.Sort(floors);
        FloorDraws = floors;
    }

    /// <summary>The data set's name.</summary>
    public string Data { get; }

    /// <summary>The n points every sample is compared with.</summary>
    public Tensor Reference { get; }

    /// <summary>SW₁ of each of the floor's draws to <see cref="Reference"/>, lowest first.</summary>
    public IReadOnlyList<double> FloorDraws { get; }

    /// <summary>The median of <see cref="FloorDraws"/>: the SW₁ that n points of the data itself score.</summary>
    public double NoiseFloor => FloorDraws[FloorDraws.Count / 2];

    /// <summary>Modes covered by <paramref name="samples"/>; null when the yardstick has no mode centres.</summary>
    public ModeCoverageResult? ModeCoverage(Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return _modeCentres is null ? null : Metrics.ModeCoverage.Measure(samples, _modeCentres, _modeRadius);
    }

    /// <summary>Every yardstick on <paramref name="samples"/> [m, 2].</summary>
    public ToyScores Measure(string model, Tensor samples, double seconds = 0, double cpuSeconds = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(samples);
        using var scope = NewDisposeScope();
        var x = samples.detach().to(float32);
        double sw = SlicedWasserstein.Distance(x, Reference, _projections, generator: new Generator(6));
        double mmd = MaximumMeanDiscrepancy.Squared(x, Reference, bandwidth: _bandwidth);
        double? logLikelihood = _density is null ? null : MixtureLikelihood.MeanLogLikelihood(_density, x);
        return new ToyScores(model, Data, sw, NoiseFloor, mmd, logLikelihood, ModeCoverage(x), seconds, cpuSeconds);
    }

    /// <summary>A second draw of the data beside the floor: its SW₁, the floor's median and range, its MMD², and
    /// where known its log-likelihood, modes covered and share near a mode.</summary>
    public string DescribeSecondDraw(ToyScores secondDraw)
    {
        ArgumentNullException.ThrowIfNull(secondDraw);
        var s = secondDraw;
        var text = LearnerMessages.SecondDraw(s.Data, s.Sw, FloorDraws.Count, NoiseFloor, FloorDraws[0], FloorDraws[^1], s.Mmd);
        if (s.Modes is { } m)
            text += LearnerMessages.SecondDrawModes(s.LogLikelihood, m.ModesCovered, m.Modes, m.NearFraction);
        return text;
    }
}

using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Scaling;

/// <summary>A held-out loss with the standard error of its estimate over the examples.</summary>
public readonly record struct HeldOutResult(double Loss, double StandardError, int Count)
{
    public override string ToString() => FormattableString.Invariant($"{Loss:0.00000} ± {StandardError:0.00000} (n = {Count})");
}

/// <summary>
/// L_simple (Ho et al. 2020, eq. 14) on a fixed held-out set, with fixed timesteps and fixed noise, so
/// that every model is measured on exactly the same (x_0, t, ε) triples. Two things make it a low-variance
/// yardstick for a scaling study:
/// <list type="bullet">
/// <item>the timesteps are stratified, not drawn: example i gets t_i = ⌊(i + ½)·T / M⌋, so each stretch of
/// the schedule is represented in proportion, and the large variation of the loss with t adds nothing to
/// the error of the mean (lesson 04: that variation is most of the training curve's noise);</item>
/// <item>the noise is drawn once from a seeded generator, so the difference between two models is measured
/// on common random numbers (<see cref="Compare"/>): what is common to both cancels.</item>
/// </list>
/// The standard error treats neighbouring strata in pairs (the collapsed-strata estimator, Cochran 1977,
/// §5A.12): the variance of the mean is estimated by Σ over pairs (y_a − y_b)² / M², slightly conservative.
/// </summary>
public sealed class HeldOutLoss : IDisposable
{
    readonly Tensor _xT;
    readonly Tensor _t;
    readonly Tensor _noise;
    bool _disposed;

    /// <param name="schedule">The training schedule (its length T sets the timesteps).</param>
    /// <param name="x0">Held-out clean data [M, ...], M ≥ 2, floating point; copied.</param>
    /// <param name="seed">Seeds the noise ε.</param>
    public HeldOutLoss(NoiseSchedule schedule, Tensor x0, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(x0);
        if (x0.dim() < 2 || x0.shape[0] < 2)
            throw new ArgumentException($"the held-out set needs shape [M, ...] with M ≥ 2 examples, got [{string.Join(", ", x0.shape)}]", nameof(x0));
        if (x0.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"held-out data must be float32 or float64, got {x0.dtype}", nameof(x0));
        Schedule = schedule;
        Count = checked((int)x0.shape[0]);
        var t = new long[Count];
        for (int i = 0; i < Count; i++) t[i] = (long)Math.Floor((i + 0.5) * schedule.Length / Count);
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed));
        _t = tensor(t, device: x0.device).MoveToOuterDisposeScope();
        _noise = randn(x0.shape, ScalarType.Float32, generator: generator).to(x0.dtype, x0.device).MoveToOuterDisposeScope();
        _xT = schedule.QSample(x0.detach(), _t, _noise).MoveToOuterDisposeScope();
    }

    public NoiseSchedule Schedule { get; }

    /// <summary>Examples M in the held-out set.</summary>
    public int Count { get; }

    /// <summary>The schedule index of each example (a copy).</summary>
    public long[] Timesteps => _t.cpu().data<long>().ToArray();

    /// <summary>The mean of ‖ε − model(x_t, t)‖² / d over the set, and its standard error.</summary>
    public HeldOutResult Evaluate(Denoiser model, int chunkSize = 8192) => Summarise(PerExample(model, chunkSize));

    /// <summary>How much higher model a's loss is than model b's, measured on the same triples, with the
    /// standard error of that difference (far smaller than either loss's own when the models agree on
    /// which examples are hard).</summary>
    public HeldOutResult Compare(Denoiser a, Denoiser b, int chunkSize = 8192)
    {
        var la = PerExample(a, chunkSize);
        var lb = PerExample(b, chunkSize);
        return Summarise(la.Select((v, i) => v - lb[i]).ToArray());
    }

    /// <summary>How much higher model a's loss is than a reference measured before on this set (its
    /// <see cref="PerExample"/> values, e.g. the Bayes-optimal denoiser's), with the paired standard error.</summary>
    public HeldOutResult Compare(Denoiser a, IReadOnlyList<double> referencePerExample, int chunkSize = 8192)
    {
        ArgumentNullException.ThrowIfNull(referencePerExample);
        if (referencePerExample.Count != Count)
            throw new ArgumentException($"the reference has {referencePerExample.Count} values, the set {Count} examples", nameof(referencePerExample));
        var la = PerExample(a, chunkSize);
        return Summarise(la.Select((v, i) => v - referencePerExample[i]).ToArray());
    }

    /// <summary>The mean and standard error of per-example losses from <see cref="PerExample"/>.</summary>
    public static HeldOutResult Summarise(IReadOnlyList<double> perExample)
    {
        ArgumentNullException.ThrowIfNull(perExample);
        if (perExample.Count < 2) throw new ArgumentException("a standard error needs at least 2 examples", nameof(perExample));
        return Summarise(perExample.ToArray());
    }

    /// <summary>Each example's ‖ε − model(x_t, t)‖² / d (mean over the data dimensions), in set order.</summary>
    public double[] PerExample(Denoiser model, int chunkSize = 8192)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(model);
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunks need at least one example");
        var result = new double[Count];
        using var noGrad = no_grad();
        for (int start = 0; start < Count; start += chunkSize)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(Count, start + (long)chunkSize);
            var slice = TensorIndex.Slice(start, end);
            var xT = _xT[slice];
            var t = _t[slice];
            var noise = _noise[slice];
            var modelT = Schedule.ModelTimesteps(t);
            var prediction = model(xT, modelT, null);
            ForwardProcess.CheckSameShape(prediction, noise, "the model's output", "the noise");
            var perExample = (prediction - noise).square().reshape(end - start, -1).mean(new long[] { 1 });
            var values = perExample.to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                    throw new InvalidOperationException($"the model's loss on held-out example {start + i} (t = {t[i].ToInt64()}) is {values[i]}");
                result[start + i] = values[i];
            }
        }
        return result;
    }

    /// <summary>The mean and its collapsed-strata standard error (pairs of neighbouring strata; the last
    /// three form one group when M is odd).</summary>
    internal static HeldOutResult Summarise(double[] values)
    {
        int m = values.Length;
        double mean = values.Average();
        double variance = 0;
        for (int start = 0; start < m; start += 2)
        {
            int size = m - start == 3 ? 3 : 2;
            double groupMean = 0;
            for (int k = 0; k < size; k++) groupMean += values[start + k] / size;
            double spread = 0;
            for (int k = 0; k < size; k++) spread += (values[start + k] - groupMean) * (values[start + k] - groupMean);
            variance += size / (size - 1.0) * spread;
            if (size == 3) break;
        }
        return new HeldOutResult(mean, Math.Sqrt(variance) / m, m);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _xT.Dispose();
        _t.Dispose();
        _noise.Dispose();
    }
}

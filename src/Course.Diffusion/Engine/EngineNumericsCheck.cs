using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion;

/// <summary>
/// Checks, where the learner runs, that the engine computes what the course's networks need: every
/// operation of the UNet, the VAE and the GAN (conv2d at the strides, kernels and channel counts
/// the models use, conv_transpose2d, linear, bmm, softmax, SiLU, GroupNorm, nearest upsampling),
/// forward and every gradient, in float32 against <see cref="ReferenceOperations"/> in double.
/// Native kernels are chosen by CPU: TorchSharp's libtorch 2.10 gives a wrong conv2d input gradient
/// on AMD Zen 5 (repro/torchsharp-conv2d-input-grad). On a mismatch
/// <see cref="EnsureRightNumbers"/> switches to a configuration that is right and says so in one
/// line, or refuses: the course never trains in silence on wrong numbers.
/// </summary>
public static class EngineNumericsCheck
{
    /// <summary>Largest error allowed, relative to the largest value of the result: float32 sums of
    /// a few hundred products are good to about 1e-6; TF32 convolutions on a GPU to about 1e-3.</summary>
    public static double ToleranceFor(Device device) => device.type == DeviceType.CPU ? 1e-4 : 1e-2;

    static readonly object s_gate = new();
    static readonly Dictionary<string, NumericsReport> s_verified = new();

    /// <summary>
    /// Runs the check once per process and device (later calls return the first report at once).
    /// Where a result is wrong, it tries the engine's other configurations (today: libtorch without
    /// oneDNN), keeps the first under which every result is right, and prints one line saying what
    /// was wrong and what it changed; where none is right it throws
    /// <see cref="EngineNumericsException"/> with that line.
    /// </summary>
    public static NumericsReport EnsureRightNumbers(Device? device = null) => Ensure(device, announce: true);

    /// <summary>Runs the check as <see cref="EnsureRightNumbers"/> does and returns its one line (lesson 00
    /// shows it beside the engine line) instead of printing it.</summary>
    public static string Describe(Device? device = null) => Ensure(device, announce: false).Summary;

    static NumericsReport Ensure(Device? device, bool announce)
    {
        // What every trainer runs first, so training gets them too (the thread defaults only where
        // libtorch has not loaded yet, e.g. a test assembly that runs this check before anything else).
        EngineThreads.ApplyCourseDefaults();
        LargeTensorMemory.KeepForReuse();
        var on = device ?? CPU;
        lock (s_gate)
        {
            if (s_verified.TryGetValue(on.ToString(), out var known)) return known;
            var report = CheckAndRepair(() => Verify(on), NumericsRemedies.Available());
            if (announce && report.Remedy is not null) Console.WriteLine(report.Summary);
            s_verified[on.ToString()] = report;
            return report;
        }
    }

    /// <summary>
    /// The repair loop, apart from the engine so that tests can drive it: verify; while something is
    /// wrong, apply the next remedy and verify again. Returns the first report where all is right
    /// (naming the remedy that made it so), or throws with the first failure and every remedy tried.
    /// </summary>
    public static NumericsReport CheckAndRepair(Func<NumericsReport> verify, IReadOnlyList<NumericsRemedy> remedies)
    {
        var first = verify();
        if (first.Passed) return first;
        var tried = new List<string>();
        foreach (var remedy in remedies)
        {
            if (!remedy.Apply()) continue;
            tried.Add(remedy.Description);
            var after = verify();
            if (after.Passed) return after with { Remedy = remedy.Description, FailureBeforeRemedy = first.FirstFailure };
        }
        throw new EngineNumericsException(first, tried);
    }

    /// <summary>
    /// Every check once, on <paramref name="device"/>, with no remedy. <paramref name="alterEngineResult"/>
    /// lets a test change what the engine returned for one result (its name, e.g. "conv2d 3x3 stride 1
    /// (32→32 channels, 14x14): d input"), to see a wrong result caught on a machine that gives right ones.
    /// </summary>
    public static NumericsReport Verify(Device? device = null, Func<string, float[], float[]>? alterEngineResult = null)
    {
        var on = device ?? CPU;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = new List<ResultCheck>();
        var tolerance = ToleranceFor(on);
        using (var scope = NewDisposeScope())
        using (enable_grad())
        {
            var random = new Random(20261206);
            foreach (var check in NumericsChecks.All)
                foreach (var (name, engine, reference) in check(on, random))
                {
                    var got = alterEngineResult?.Invoke(name, engine) ?? engine;
                    results.Add(ResultCheck.Compare(name, got, reference, tolerance));
                }
        }
        return new NumericsReport(results, on.ToString(), clock.Elapsed);
    }
}

/// <summary>One result of one operation held against the double-precision loop.</summary>
public sealed record ResultCheck(string Name, double MaxError, double LargestValue, double Tolerance)
{
    /// <summary>Right when the largest error is within the tolerance relative to the largest value.</summary>
    public bool Passed => MaxError <= Tolerance * Math.Max(LargestValue, 1e-3) && !double.IsNaN(MaxError);

    public static ResultCheck Compare(string name, float[] engine, double[] reference, double tolerance)
    {
        if (engine.Length != reference.Length) return new(name, double.PositiveInfinity, 0, tolerance);
        double error = 0, largest = 0;
        for (var i = 0; i < engine.Length; i++)
        {
            var difference = Math.Abs(engine[i] - reference[i]);
            error = double.IsNaN(difference) || difference > error ? difference : error;
            if (double.IsNaN(error)) break;
            largest = Math.Max(largest, Math.Abs(reference[i]));
        }
        return new(name, error, largest, tolerance);
    }

    public override string ToString() => LearnerMessages.ResultOff(Name, MaxError, LargestValue);
}

/// <summary>What <see cref="EngineNumericsCheck"/> found: each result, the device, the time it took,
/// and, where a remedy was needed, what was wrong before it and what it changed.</summary>
public sealed record NumericsReport(IReadOnlyList<ResultCheck> Results, string Device, TimeSpan Elapsed)
{
    public bool Passed => Results.All(r => r.Passed);
    public ResultCheck? FirstFailure => Results.FirstOrDefault(r => !r.Passed);
    public string? Remedy { get; init; }
    public ResultCheck? FailureBeforeRemedy { get; init; }

    /// <summary>Largest error over all results, relative to each result's largest value.</summary>
    public double WorstRelativeError => Results.Max(r => r.MaxError / Math.Max(r.LargestValue, 1e-3));

    /// <summary>One line for the learner: what was checked, with what result, on what.</summary>
    public string Summary
    {
        get
        {
            if (!Passed) return LearnerMessages.EngineCheckFailed(FirstFailure!.ToString(), Where);
            return LearnerMessages.EngineCheckPassed(Results.Count, WorstRelativeError, Elapsed, Where, FailureBeforeRemedy?.ToString(), Remedy);
        }
    }

    string Where => $"{CourseEngine.Name}, libtorch {__version__}, {Device}, {CpuDescription.Current}";
}

/// <summary>Thrown where no configuration of the engine computes the models' operations right.</summary>
public sealed class EngineNumericsException : Exception
{
    public EngineNumericsException(NumericsReport report, IReadOnlyList<string> remediesTried)
        : base(LearnerMessages.EngineNumericsWrong(report.Summary, remediesTried))
    {
        Report = report;
    }

    public NumericsReport Report { get; }
}

/// <summary>A change of engine configuration to try when a result is wrong.</summary>
/// <param name="Description">What it changes, for the learner's line.</param>
/// <param name="Apply">Makes the change; false where it cannot be made here.</param>
public sealed record NumericsRemedy(string Description, Func<bool> Apply);

/// <summary>The CPU a result was measured on, in a few words (model name and family, from Linux's
/// /proc/cpuinfo; the processor identifier elsewhere).</summary>
public static class CpuDescription
{
    public static string Current { get; } = Describe();

    static string Describe()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                string Field(string key) => File.ReadLines("/proc/cpuinfo")
                    .FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
                return $"{Field("model name")} (cpu family {Field("cpu family")})";
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER")
            ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}

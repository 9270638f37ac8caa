using System.Runtime.InteropServices;

namespace Course.Diffusion;

/// <summary>
/// The course's thread defaults on TorchSharp, the same as Course.Torch's on its own engine
/// (src/Course.Torch/Native.cs, docs/engines.md "Threads"): one libtorch thread unless
/// <c>COURSE_TORCH_THREADS=n</c> asks for more, and OpenMP workers that sleep rather than spin while
/// they wait for work. Without them, TorchSharp keeps libtorch's defaults, one thread per core with
/// spinning GNU OpenMP workers, and TorchSharp's libtorch 2.10 hands every float matrix product to
/// MKL, which splits even the 8x256x34 products of lesson 09's smallest MLP over those threads: on a
/// 2-core machine with anything else running, each product then waits for a worker that is not
/// scheduled, and lesson 09's training took ten times as long as on Course.Torch (bench/README.md,
/// "Lesson 09's step"). libtorch and OpenMP read these settings once, when libtorch loads, so they go
/// into the C library's environment (which .NET's Environment.SetEnvironmentVariable does not change
/// on Linux) before the first call into the engine: every lesson's first cell
/// (<see cref="CourseEngine.EnsureLoadable()"/>) and the engine check every trainer runs first.
/// Where libtorch has already loaded nothing is changed; a user's own <c>OMP_NUM_THREADS</c> (or
/// <c>MKL_NUM_THREADS</c>) and <c>OMP_WAIT_POLICY</c> are kept; <c>set_num_threads(n)</c> works as before.
/// (libtorch 2.10 takes a count from the environment only up to the number of cores: 3 gave 2 on 2 cores.)
/// </summary>
public static class EngineThreads
{
    /// <summary>The variable that sets the course's libtorch threads on both engines.</summary>
    public const string CourseVariable = "COURSE_TORCH_THREADS";

    static readonly Lazy<bool> s_applied = new(Apply);

    /// <summary>Puts the course's defaults in place where it still can (once per process): true where this
    /// call set them; false on Course.Torch (its engine sets them itself) and where libtorch (or an OpenMP
    /// runtime) has already loaded.</summary>
    public static bool ApplyCourseDefaults() => s_applied.Value;

    /// <summary>The libtorch threads the course asks for: <c>COURSE_TORCH_THREADS</c> where it is a positive
    /// whole number, else one.</summary>
    public static int CourseDefault(string? courseVariable) =>
        int.TryParse(courseVariable, out var n) && n > 0 ? n : 1;

    static bool Apply()
    {
        if (!CourseEngine.IsTorchSharp || LibTorchAlreadyLoaded()) return false;
        var courseThreads = Environment.GetEnvironmentVariable(CourseVariable);
        // COURSE_TORCH_THREADS wins; otherwise a user's own OpenMP or MKL thread count is kept.
        if (courseThreads is not null
            || (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null && Environment.GetEnvironmentVariable("MKL_NUM_THREADS") is null))
            Set("OMP_NUM_THREADS", CourseDefault(courseThreads).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) Set("OMP_WAIT_POLICY", "PASSIVE");
        return true;
    }

    static void Set(string name, string value)
    {
        if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(name, value);   // the process's own block there
        else setenv(name, value, 1);
    }

    /// <summary>True where libtorch or an OpenMP runtime is already mapped into this process (Linux's
    /// /proc/self/maps); false where it cannot be told.</summary>
    static bool LibTorchAlreadyLoaded()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line =>
                line.Contains("/libtorch_cpu", StringComparison.Ordinal) || line.Contains("/libgomp", StringComparison.Ordinal)
                || line.Contains("/libomp", StringComparison.Ordinal) || line.Contains("/libiomp", StringComparison.Ordinal));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)] static extern int setenv(string name, string value, int overwrite);
}

using System.Runtime.InteropServices;

namespace Course.Diffusion;

/// <summary>
/// Makes libtorch's OpenMP worker threads sleep, not spin, while they wait for work, on TorchSharp
/// as Course.Torch does on its own engine (src/Course.Torch/Native.cs). TorchSharp's libtorch 2.10
/// hands every float matrix product to MKL, and MKL splits even the 8x256x34 products of lesson 09's
/// smallest MLP over libtorch's threads (one per core); GNU OpenMP's workers then spin for about
/// 300,000 rounds after each product (its default when OMP_WAIT_POLICY is unset). On a 2-core machine
/// with anything else running, that spinning and the wait for a worker that is not scheduled made
/// lesson 09's training step about ten times slower than on Course.Torch (bench/README.md,
/// "Lesson 09's step"). OpenMP reads the variable once, when libtorch loads it, so it is put into the
/// C library's environment (which .NET's Environment.SetEnvironmentVariable does not change on
/// Linux) before the first call into the engine. A user's own OMP_WAIT_POLICY is kept.
/// </summary>
public static class OpenMpWorkers
{
    static readonly Lazy<bool> s_applied = new(Apply);

    /// <summary>Asks for sleeping workers where it still can (once per process): true where this call
    /// set OMP_WAIT_POLICY=PASSIVE; false on Course.Torch (its engine sets it itself), where the user set
    /// the variable, or where OpenMP is already loaded and has read its environment.</summary>
    public static bool PreferSleeping() => s_applied.Value;

    static bool Apply()
    {
        if (!CourseEngine.IsTorchSharp || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return false;
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "PASSIVE");   // the process's own block there
            return true;
        }
        if (OpenMpAlreadyLoaded()) return false;
        return setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
    }

    /// <summary>True where libtorch or an OpenMP runtime is already mapped into this process (Linux's
    /// /proc/self/maps); false where it cannot be told.</summary>
    static bool OpenMpAlreadyLoaded()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line =>
                line.Contains("/libgomp", StringComparison.Ordinal) || line.Contains("/libomp", StringComparison.Ordinal)
                || line.Contains("/libiomp", StringComparison.Ordinal) || line.Contains("/libtorch_cpu", StringComparison.Ordinal));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)] static extern int setenv(string name, string value, int overwrite);
}

using System.Runtime.InteropServices;

namespace Course.Diffusion;

/// <summary>
/// Keeps the memory of freed large tensors in the process for the next ones, on Linux (glibc). By default
/// glibc serves a block above its mmap threshold (128 kB, rising to at most 32 MB as blocks are freed) with
/// fresh pages from the kernel and hands them back when freed, and gives back the top of the heap above its
/// trim threshold; so a network whose activations are tens of megabytes (the lessons' UNet at a batch of 160,
/// the metrics' classifier at 500) pays the kernel to map and zero new memory at every layer of every step.
/// Measured on the course's 2-core machine (bench/README.md): lesson 06 in quick mode 3 min 19 s before, 1 min 52 s
/// after (system time 109 s before, 55 s after); a 4,000-image classifier pass in PyTorch 1.13 6.9 s before, 1.6 s after. This sets the
/// two thresholds (mallopt's M_MMAP_THRESHOLD to 256 MB and M_TRIM_THRESHOLD to 1 GB, what the environment
/// variables MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set before a process starts): the price is that
/// up to about 1 GB of freed memory stays with the process. Windows and macOS allocators are left alone.
/// </summary>
public static class LargeTensorMemory
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    public const long MmapThresholdBytes = 256L << 20, TrimThresholdBytes = 1L << 30;

    static readonly Lazy<bool> s_applied = new(Apply);

    /// <summary>Sets glibc's thresholds once per process (later calls return at once); true where they are set.</summary>
    public static bool KeepForReuse() => s_applied.Value;

    static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        // A user who chose the thresholds in the environment keeps them.
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null) return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)) return false;   // musl and others: not glibc
        try
        {
            if (!NativeLibrary.TryGetExport(libc, "mallopt", out var mallopt)) return false;
            unsafe
            {
                var set = (delegate* unmanaged<int, int, int>)mallopt;
                return set(M_MMAP_THRESHOLD, (int)MmapThresholdBytes) == 1 & set(M_TRIM_THRESHOLD, (int)TrimThresholdBytes) == 1;
            }
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }
}

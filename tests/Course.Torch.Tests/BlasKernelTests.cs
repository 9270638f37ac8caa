using System.Runtime.InteropServices;

namespace Course.Torch.Tests;

/// <summary>
/// Which BLAS kernels the engine's matrix products run on. Course.Torch links the system's libtorch,
/// whose products go through OpenBLAS; Debian 12's OpenBLAS 0.3.21 does not know CPUs newer than it
/// and falls back to its SSE3 "Prescott" kernels (2.3x slower DDPM sampling here), so on a CPU with
/// Skylake-X's AVX-512 subset the engine names OpenBLAS's AVX-512 kernels before libtorch loads.
/// TorchSharp's libtorch brings its own BLAS and loads no OpenBLAS at all.
/// </summary>
public class BlasKernelTests
{
    static readonly string[] SkylakeXFlags = { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" };

    static bool CpuHasSkylakeXFeatures()
    {
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        var set = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return SkylakeXFlags.All(set.Contains);
    }

    static string[] LoadedOpenBlas() => File.ReadLines("/proc/self/maps")
        .Select(l => l.IndexOf('/') is var at and >= 0 ? l[at..].Trim() : "")
        .Where(p => p.Contains("openblas", StringComparison.OrdinalIgnoreCase))
        .Distinct().ToArray();

    [Fact]
    public unsafe void MatrixProductsRunOnTheCpusBestOpenBlasKernels()
    {
        using var product = torch.randn(64, 64).matmul(torch.randn(64, 64));   // libtorch (and its BLAS) loaded and used
#if COURSE_ENGINE_TORCHSHARP
        Assert.Empty(LoadedOpenBlas());
#else
        var library = LoadedOpenBlas().FirstOrDefault();
        Assert.True(library is not null, "libtorch's products should go through OpenBLAS on Course.Torch (Debian's libtorch-dev links it)");
        Assert.True(NativeLibrary.TryLoad(library!, out var handle));
        Assert.True(NativeLibrary.TryGetExport(handle, "openblas_get_corename", out var corename));
        var core = Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)corename)())!;
        if (CpuHasSkylakeXFeatures())
            Assert.True(core.Equals("SkylakeX", StringComparison.OrdinalIgnoreCase) || core.Contains("Rapids", StringComparison.OrdinalIgnoreCase)
                        || core.Contains("Cooperlake", StringComparison.OrdinalIgnoreCase),
                        $"OpenBLAS runs its '{core}' kernels on a CPU with {string.Join(", ", SkylakeXFlags)}");
        else
            Assert.False(string.IsNullOrEmpty(core));   // other CPUs: OpenBLAS's own choice, left alone
#endif
    }
}

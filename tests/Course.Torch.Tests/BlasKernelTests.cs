using System.Runtime.InteropServices;

namespace Course.Torch.Tests;

/// <summary>
/// Which BLAS kernels the engine's matrix products run on. Course.Torch links the system's libtorch,
/// whose products go through OpenBLAS. OpenBLAS picks its kernel set from the CPU when it loads;
/// Debian 12's 0.3.21 falls back to its SSE3 "Prescott" kernels on some CPUs newer than itself, so
/// the engine names SkylakeX where OpenBLAS's own pick is below it, and must never pick a set below
/// OpenBLAS's own choice, nor override a user's OPENBLAS_CORETYPE. What OpenBLAS picks by itself is
/// asked here independently, through Python's ctypes. TorchSharp's libtorch brings its own BLAS.
/// </summary>
public class BlasKernelTests
{
    /// <summary>OpenBLAS's x86-64 kernel sets by instruction-set generation: SSE, AVX, AVX2, then AVX-512.</summary>
    static readonly Dictionary<string, int> Generation = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Prescott"] = 1, ["Core2"] = 1, ["Penryn"] = 1, ["Dunnington"] = 1, ["Nehalem"] = 1, ["Atom"] = 1,
        ["Opteron"] = 1, ["Opteron_SSE3"] = 1, ["Barcelona"] = 1, ["Bobcat"] = 1, ["Nano"] = 1,
        ["Sandybridge"] = 2, ["Bulldozer"] = 2, ["Piledriver"] = 2, ["Steamroller"] = 2, ["Excavator"] = 2,
        ["Haswell"] = 3, ["Zen"] = 3,
        ["SkylakeX"] = 4, ["Cooperlake"] = 5, ["SapphireRapids"] = 6,
    };

    static string[] LoadedOpenBlas() => File.ReadLines("/proc/self/maps")
        .Select(l => l.IndexOf('/') is var at and >= 0 ? l[at..].Trim() : "")
        .Where(p => p.Contains("openblas", StringComparison.OrdinalIgnoreCase))
        .Distinct().ToArray();

    static bool CpuHasSkylakeXFeatures()
    {
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        var set = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(set.Contains);
    }

    /// <summary>The kernel set a fresh OpenBLAS picks in another process, under OPENBLAS_CORETYPE =
    /// <paramref name="coretype"/> (null: unset).</summary>
    static string OpenBlasChoiceInAFreshProcess(string? coretype) => Python.Run("""
import ctypes, os, sys
if sys.argv[1] == '-': os.environ.pop('OPENBLAS_CORETYPE', None)
else: os.environ['OPENBLAS_CORETYPE'] = sys.argv[1]
blas = ctypes.CDLL('libopenblas.so.0')
blas.openblas_get_corename.restype = ctypes.c_char_p
print(blas.openblas_get_corename().decode())
""", coretype ?? "-").Trim();

    [Fact]
    public unsafe void MatrixProductsRunOnKernelsNoWorseThanOpenBlasOwnChoiceAndKeepTheUsersChoice()
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

        // .NET's copy of the environment, taken at start: the user's setting, never the engine's
        // (the engine sets its choice in the C library's environment, which that copy does not follow).
        var users = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
        if (users is not null)
        {
            Assert.Equal(OpenBlasChoiceInAFreshProcess(users), core);   // the user's choice, as OpenBLAS reads it
            return;
        }
        var own = OpenBlasChoiceInAFreshProcess(null);
        Assert.True(Generation.ContainsKey(own) || string.Equals(own, core, StringComparison.OrdinalIgnoreCase),
                    $"OpenBLAS picks '{own}' by itself, a set this test does not know, and the engine changed it to '{core}'");
        if (!Generation.ContainsKey(own)) return;
        Assert.True(Generation.TryGetValue(core, out var engineGeneration), $"OpenBLAS runs unknown kernels '{core}'");
        Assert.True(engineGeneration >= Generation[own], $"the engine runs OpenBLAS's '{core}' kernels, below its own choice '{own}'");
        if (CpuHasSkylakeXFeatures())
            Assert.True(engineGeneration >= Generation["SkylakeX"],
                        $"OpenBLAS runs its '{core}' kernels (its own choice: '{own}') on a CPU with Skylake-X's AVX-512 subset");
#endif
    }
}

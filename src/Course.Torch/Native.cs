using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSharp;

/// <summary>
/// Loads the native shim. Kept apart from <see cref="Native"/>, whose static constructor calls into the
/// shim: had the module initializer lived there, running it would first run that constructor and load
/// libtorch (and with it libgomp and OpenBLAS) before the settings below were in the environment;
/// measured: OpenBLAS chose its SSE3 kernels and OMP_WAIT_POLICY was never seen.
/// </summary>
internal static class NativeLoading
{
    internal const string Lib = "CourseTorchNative";

#pragma warning disable CA2255 // the resolver must be in place before the first P/Invoke, whoever makes it
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver()
    {
        // Settings libgomp and OpenBLAS read once, when libtorch loads: before anything in this assembly runs.
        PreferSleepingOpenMpThreads();
        UseOpenBlasAvx512KernelsWhereOpenBlasFallsShort();
        // The shim lives next to the engine assembly (Course.Torch builds as TorchSharp.dll), both in test output folders and when a notebook
        // references the DLL by path, so look there first.
        NativeLibrary.SetDllImportResolver(typeof(NativeLoading).Assembly, (name, assembly, path) =>
        {
            if (name != Lib) return IntPtr.Zero;
            var dir = Path.GetDirectoryName(assembly.Location);
            if (!string.IsNullOrEmpty(dir))
            {
                var candidate = Path.Combine(dir, "lib" + Lib + ".so");
                if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
            }
            return NativeLibrary.TryLoad("lib" + Lib + ".so", assembly, path, out var handle) ? handle : IntPtr.Zero;
        });
    }

    /// <summary>
    /// OpenMP worker threads spin while they wait for work by default. On a machine whose cores are
    /// busy with other processes that spinning starved libtorch 10-20 fold in our measurements (2
    /// threads on 2 shared cores), so unless the user chose otherwise the workers sleep. OpenMP reads
    /// the variable once, when libtorch loads, so it goes into the process environment (libc's, which
    /// .NET's Environment.SetEnvironmentVariable does not change) before the shim is loaded.
    /// </summary>
    static void PreferSleepingOpenMpThreads()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    /// <summary>
    /// OpenBLAS picks its kernels from the CPU model when it loads. Debian 12's OpenBLAS 0.3.21 does not
    /// know some CPUs newer than itself (Sapphire Rapids, measured) and falls back to its oldest x86-64
    /// kernels ("Prescott", SSE3): the lesson-04 MLP step took 3.8 ms instead of 2.6 ms, DDPM sampling
    /// 4.8 s instead of 2.1 s (bench/README.md). Other new CPUs it places well by their features (an
    /// AMD Zen 5: "Cooperlake", measured). So the course first asks OpenBLAS, in a child process
    /// (course-blas-probe, next to the shim), what it picks by itself, and names the SkylakeX kernels
    /// only where that pick is a known kernel set below them on a CPU that has their AVX-512 subset:
    /// never a set below OpenBLAS's own choice. A user's OPENBLAS_CORETYPE is always kept. Like
    /// OMP_WAIT_POLICY it is read once, when libtorch (and with it OpenBLAS) loads.
    /// </summary>
    static void UseOpenBlasAvx512KernelsWhereOpenBlasFallsShort()
    {
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is not null || !CpuHasSkylakeXFeatures()) return;
        var ownChoice = OpenBlasOwnChoice();
        if (ownChoice is not null && KernelSetsBelowSkylakeX.Contains(ownChoice))
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    }

    /// <summary>OpenBLAS's x86-64 kernel sets older than SkylakeX (SSE to AVX2), by the names
    /// openblas_get_corename gives; a name not listed (SkylakeX, Cooperlake, SapphireRapids, or one
    /// newer than this list) is left as OpenBLAS chose it.</summary>
    static readonly HashSet<string> KernelSetsBelowSkylakeX = new(StringComparer.OrdinalIgnoreCase)
    {
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Sandybridge", "Haswell", "Zen",
        "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Bulldozer", "Piledriver", "Steamroller",
        "Excavator", "Nano", "Katmai", "Coppermine", "Northwood",
    };

    /// <summary>The kernel set OpenBLAS picks by itself, from course-blas-probe; null where it cannot be asked.</summary>
    static string? OpenBlasOwnChoice()
    {
        var dir = Path.GetDirectoryName(typeof(NativeLoading).Assembly.Location);
        var probe = string.IsNullOrEmpty(dir) ? null : Path.Combine(dir, "course-blas-probe");
        if (probe is null || !File.Exists(probe)) return null;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(probe, new[] { "libopenblas.so.0", "libblas.so.3" })
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var process = System.Diagnostics.Process.Start(start);
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim();
            if (!process.WaitForExit(10_000)) { process.Kill(); return null; }
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
        catch (IOException) { return null; }
    }

    /// <summary>The AVX-512 subset (F, CD, BW, DQ, VL) of Skylake-X, from /proc/cpuinfo's flags.</summary>
    static bool CpuHasSkylakeXFeatures()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return false;
        try
        {
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (flags is null) return false;
            var set = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(set.Contains);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [DllImport("libc", CharSet = CharSet.Ansi)] static extern int setenv(string name, string value, int overwrite);
}

/// <summary>The C ABI of the native shim (native/shim.cpp). Every call that can fail returns 0 on
/// success; <see cref="Check"/> turns a failure into an <see cref="ExternalException"/> with libtorch's message, as TorchSharp does.</summary>
internal static unsafe class Native
{
    const string Lib = NativeLoading.Lib;

    static Native()
    {
        // Thread defaults, measured on the course's 2-core machines (bench/README.md): one libtorch
        // thread, with OpenBLAS free to use every core for the matrix products. That is PyTorch's
        // own default there and the fastest setting for the small models most lessons train
        // (MLP step 1.4 ms, against 1.8 ms with OpenBLAS at one thread); it also degrades gracefully
        // when the machine is busy. Image models gain from more libtorch threads on a quiet machine
        // (UNet step 0.39 s at 2 threads, 0.62 s at 1), so COURSE_TORCH_THREADS=n or
        // torch.set_num_threads(n) raise it; OpenBLAS then keeps to one thread, because both pools
        // busy at once oversubscribe the cores (the MLP step took 156 ms).
        var env = Environment.GetEnvironmentVariable("COURSE_TORCH_THREADS");
        SetThreads(int.TryParse(env, out var n) && n > 0 ? n : 1);
    }

    /// <summary>libtorch's threads, and OpenBLAS's to match (all cores when libtorch uses one,
    /// else one), unless OPENBLAS_NUM_THREADS fixed them.</summary>
    internal static void SetThreads(int threads)
    {
        Check(ct_set_num_threads(threads));
        if (Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") is null)
            ct_set_blas_threads(threads > 1 ? 1 : Environment.ProcessorCount);
    }

    internal static void Check(int rc)
    {
        if (rc != 0) throw new ExternalException(Marshal.PtrToStringUTF8(ct_last_error()) ?? "unknown error");
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TensorInfo
    {
        public long ndim, numel;
        public int dtype, device_type, device_index, requires_grad, is_leaf, defined;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Arg
    {
        public int kind, reserved;
        public long i;
        public double d;
        public void* p;
        public long n;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Ret
    {
        public int kind, reserved;
        public long i;
        public double d;
        public IntPtr p;
    }

    [DllImport(Lib)] internal static extern IntPtr ct_last_error();
    [DllImport(Lib)] internal static extern IntPtr ct_torch_version();
    [DllImport(Lib)] internal static extern int ct_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int ct_get_num_threads();
    [DllImport(Lib)] internal static extern int ct_set_blas_threads(int n);
    [DllImport(Lib)] internal static extern int ct_cuda_device_count();

    [DllImport(Lib)] internal static extern void ct_tensor_free(IntPtr t);
    [DllImport(Lib)] internal static extern int ct_tensor_alias(IntPtr t, out IntPtr result);
    [DllImport(Lib)] internal static extern int ct_tensor_info(IntPtr t, out TensorInfo info);
    [DllImport(Lib)] internal static extern int ct_tensor_sizes(IntPtr t, long* sizes, int capacity);
    [DllImport(Lib)] internal static extern int ct_tensor_from_data(void* data, long nbytes, int dtype, long* shape, int ndim, out IntPtr result);
    [DllImport(Lib)] internal static extern int ct_tensor_copy_to(IntPtr t, void* data, long nbytes);

    [DllImport(Lib)] internal static extern int ct_grad_enabled();
    [DllImport(Lib)] internal static extern void ct_set_grad_enabled(int enabled);
    [DllImport(Lib)] internal static extern int ct_tensor_set_requires_grad(IntPtr t, int requires);
    [DllImport(Lib)] internal static extern int ct_tensor_backward(IntPtr t, IntPtr grad, int retainGraph);
    [DllImport(Lib)] internal static extern int ct_tensor_grad(IntPtr t, out IntPtr grad);
    [DllImport(Lib)] internal static extern int ct_tensor_set_grad(IntPtr t, IntPtr grad);

    [DllImport(Lib)] internal static extern int ct_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int ct_generator_new(int deviceType, int deviceIndex, ulong seed, out IntPtr gen);
    [DllImport(Lib)] internal static extern int ct_generator_default(out IntPtr gen);
    [DllImport(Lib)] internal static extern void ct_generator_free(IntPtr gen);
    [DllImport(Lib)] internal static extern int ct_generator_seed(IntPtr gen, ulong seed);
    [DllImport(Lib)] internal static extern int ct_generator_initial_seed(IntPtr gen, out ulong seed);
    [DllImport(Lib)] internal static extern int ct_generator_get_state(IntPtr gen, out IntPtr state);
    [DllImport(Lib)] internal static extern int ct_generator_set_state(IntPtr gen, IntPtr state);

    [DllImport(Lib)] internal static extern void ct_free(IntPtr p);
    [DllImport(Lib)] internal static extern int ct_adam_foreach(IntPtr* parameters, IntPtr* grads, IntPtr* expAvgs, IntPtr* expAvgSqs, int n,
        double* negStepSize, double* bias2Sqrt, double lr, double beta1, double beta2, double eps, double decoupledWeightDecay);
    [DllImport(Lib, CharSet = CharSet.Ansi)] internal static extern int ct_op_find(string name, string overload, out IntPtr op);
    [DllImport(Lib)] internal static extern int ct_op_call(IntPtr op, Arg* args, int nargs, Ret* rets, int capacity, out int nrets);
}



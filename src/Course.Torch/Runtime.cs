using System.Runtime.InteropServices;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>The libtorch version the shim was built against, e.g. "1.13.1".</summary>
    public static string __version__ => Marshal.PtrToStringUTF8(Native.ct_torch_version()) ?? "";

    /// <summary>Sets the threads libtorch uses inside one operation. OpenBLAS follows: every core when
    /// libtorch has one thread, one thread otherwise, unless OPENBLAS_NUM_THREADS says (docs/engines.md, "Threads").</summary>
    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "need at least one thread");
        Native.SetThreads(threads);
    }

    public static int get_num_threads() => Native.ct_get_num_threads();

    public static class cuda
    {
        public static bool is_available() => device_count() > 0;
        static int s_count = -1;
        public static int device_count() => s_count >= 0 ? s_count : s_count = Native.ct_cuda_device_count();
    }

    /// <summary>Seeds the default generators (CPU and every CUDA device).</summary>
    public static void manual_seed(long seed) => Native.Check(Native.ct_manual_seed(unchecked((ulong)seed)));

    public static bool is_grad_enabled() => Native.ct_grad_enabled() != 0;

    /// <summary>Turns gradient recording off until disposed: <c>using (torch.no_grad()) { ... }</c></summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Turns gradient recording on until disposed.</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);

    sealed class GradModeScope : IDisposable
    {
        readonly bool _previous;
        bool _disposed;
        public GradModeScope(bool enabled)
        {
            _previous = is_grad_enabled();
            Native.ct_set_grad_enabled(enabled ? 1 : 0);
        }
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Native.ct_set_grad_enabled(_previous ? 1 : 0);
        }
    }

    /// <summary>A random number generator with its own state, for reproducible streams.</summary>
    public sealed class Generator : IDisposable
    {
        IntPtr _handle;

        public Generator(ulong seed = 0, Device? device = null)
        {
            var d = device ?? CPU;
            Native.Check(Native.ct_generator_new((int)d.type, d.index < 0 ? 0 : d.index, seed, out _handle));
            this.device = d;
        }

        public Device device { get; }

        internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

        public Generator manual_seed(long seed)
        {
            Native.Check(Native.ct_generator_seed(Handle, unchecked((ulong)seed)));
            return this;
        }

        public long initial_seed()
        {
            Native.Check(Native.ct_generator_initial_seed(Handle, out var s));
            return unchecked((long)s);
        }

        /// <summary>The full generator state as a uint8 tensor (for checkpoints).</summary>
        public Tensor get_state()
        {
            Native.Check(Native.ct_generator_get_state(Handle, out var h));
            return new Tensor(h);
        }

        public void set_state(Tensor state) => Native.Check(Native.ct_generator_set_state(Handle, state.Handle));

        public void Dispose()
        {
            var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
            if (h != IntPtr.Zero) Native.ct_generator_free(h);
            GC.SuppressFinalize(this);
        }

        ~Generator() => Dispose();
    }

    /// <summary>The default CPU generator's state (for checkpoints).</summary>
    public static Tensor get_rng_state()
    {
        Native.Check(Native.ct_generator_default(out var g));
        try
        {
            Native.Check(Native.ct_generator_get_state(g, out var h));
            return new Tensor(h);
        }
        finally { Native.ct_generator_free(g); }
    }

    public static void set_rng_state(Tensor state)
    {
        Native.Check(Native.ct_generator_default(out var g));
        try { Native.Check(Native.ct_generator_set_state(g, state.Handle)); }
        finally { Native.ct_generator_free(g); }
    }
}

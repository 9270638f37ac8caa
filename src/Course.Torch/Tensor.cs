using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>
    /// A tensor: a handle to a libtorch tensor. Operations return new tensors; methods ending in
    /// <c>_</c> change this one in place. Dispose it (or let a <see cref="DisposeScope"/> do so) to
    /// free its native memory at once; the finalizer is only a safety net.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        IntPtr _handle;
        internal DisposeScope? Scope;

        internal Tensor(IntPtr handle, bool joinDisposeScope = true)
        {
            if (handle == IntPtr.Zero) throw new System.Runtime.InteropServices.ExternalException("libtorch returned an undefined tensor");
            _handle = handle;
            memory.Created();
            if (!joinDisposeScope) return;
            Scope = DisposeScope.Current;
            Scope?.Register(this);
        }

        /// <summary>Points this object at another native tensor, freeing the old one (used to move
        /// parameters between devices without changing their identity).</summary>
        internal void ReplaceHandle(Tensor source)
        {
            var fresh = source.DetachFromDisposeScope();
            var h = Interlocked.Exchange(ref fresh._handle, IntPtr.Zero);
            GC.SuppressFinalize(fresh);
            var old = Interlocked.Exchange(ref _handle, h);
            if (old != IntPtr.Zero) Native.ct_tensor_free(old);
            memory.Freed();
        }

        ~Tensor() => Free();

        internal IntPtr Handle =>
            _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Tensor), "this tensor has been disposed (directly or by its dispose scope); use MoveToOuterDisposeScope() to keep a tensor beyond its scope");

        public bool IsInvalid => _handle == IntPtr.Zero;

        public void Dispose()
        {
            Scope?.Forget(this);
            Scope = null;
            Free();
            GC.SuppressFinalize(this);
        }

        void Free()
        {
            var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
            if (h == IntPtr.Zero) return;
            Native.ct_tensor_free(h);
            memory.Freed();
        }

        /// <summary>Keeps this tensor alive past the current dispose scope (it joins the enclosing one).</summary>
        public Tensor MoveToOuterDisposeScope() => Scope?.MoveToOuter(this) ?? this;

        /// <summary>Takes this tensor out of every dispose scope: the caller must dispose it.</summary>
        public Tensor DetachFromDisposeScope() => Scope?.Detach(this) ?? this;

        Native.TensorInfo Info
        {
            get
            {
                Native.Check(Native.ct_tensor_info(Handle, out var info));
                return info;
            }
        }

        public unsafe long[] shape
        {
            get
            {
                var n = (int)Info.ndim;
                var sizes = new long[n];
                fixed (long* p = sizes) Native.Check(Native.ct_tensor_sizes(Handle, p, n));
                return sizes;
            }
        }

        public long size(int dim)
        {
            var s = shape;
            var d = dim < 0 ? dim + s.Length : dim;
            if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor with {s.Length} dimensions");
            return s[d];
        }

        public long dim() => Info.ndim;
        public long ndim => Info.ndim;
        public long numel() => Info.numel;
        public ScalarType dtype => (ScalarType)Info.dtype;
        public Device device { get { var i = Info; return new Device((DeviceType)i.device_type, i.device_index); } }
        public DeviceType device_type => (DeviceType)Info.device_type;
        public bool is_leaf => Info.is_leaf != 0;
        public bool is_cuda => device_type == DeviceType.CUDA;

        public bool requires_grad
        {
            get => Info.requires_grad != 0;
            set => Native.Check(Native.ct_tensor_set_requires_grad(Handle, value ? 1 : 0));
        }

        public Tensor requires_grad_(bool requires = true) { requires_grad = requires; return this; }

        /// <summary>The accumulated gradient, or null. Each read returns a new handle to the same storage.</summary>
        public Tensor? grad
        {
            get
            {
                Native.Check(Native.ct_tensor_grad(Handle, out var g));
                return g == IntPtr.Zero ? null : new Tensor(g);
            }
            set => Native.Check(Native.ct_tensor_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
        }

        public void backward(Tensor? gradient = null, bool retain_graph = false)
        {
            if (gradient is null && numel() != 1)
                throw new InvalidOperationException($"backward() without a gradient needs a scalar (one-element) tensor, but this one has shape [{string.Join(", ", shape)}]");
            Native.Check(Native.ct_tensor_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ? 1 : 0));
        }

        /// <summary>A new handle to the same tensor (same storage, same autograd identity).</summary>
        public Tensor alias()
        {
            Native.Check(Native.ct_tensor_alias(Handle, out var h));
            return new Tensor(h);
        }

        /// <summary>The elements, in row-major order (from any device), as TorchSharp's accessor:
        /// <c>t.data&lt;float&gt;().ToArray()</c>. Here the accessor holds a copy and is read-only.</summary>
        public Utils.TensorAccessor<T> data<T>() where T : unmanaged => new(ToArray<T>(), shape);

        /// <summary>The raw bytes of the elements, row-major and in the machine's byte order (TorchSharp's
        /// <c>bytes</c>). Reading copies them out (from any device); writing copies them in.</summary>
        public unsafe Span<byte> bytes
        {
            get
            {
                var result = new byte[checked(numel() * dtype.ElementSize())];
                fixed (byte* p = result) Native.Check(Native.ct_tensor_copy_to(Handle, p, result.Length));
                return result;
            }
            set
            {
                var expected = checked(numel() * dtype.ElementSize());
                if (value.Length != expected)
                    throw new ArgumentException($"bytes: this {dtype.Name()} tensor of shape [{string.Join(", ", shape)}] holds {expected} bytes, not {value.Length}");
                IntPtr handle;
                var dims = shape;
                fixed (byte* p = value)
                fixed (long* d = dims)
                    Native.Check(Native.ct_tensor_from_data(p, value.Length, (int)dtype, d, dims.Length, out handle));
                using var source = new Tensor(handle, joinDisposeScope: false);
                using (no_grad()) copy_(source);
            }
        }

        /// <summary>Copies all elements, in row-major order, to a new .NET array (from any device).</summary>
        internal unsafe T[] ToArray<T>() where T : unmanaged
        {
            var want = ScalarTypeOf<T>();
            if (dtype != want)
                throw new ArgumentException($"data<{typeof(T).Name}>() needs a {want.Name()} tensor, but this one is {dtype.Name()}; convert first with .to({want.Name()})");
            var result = new T[numel()];
            fixed (T* p = result) Native.Check(Native.ct_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
            return result;
        }

        /// <summary>The value of a one-element tensor whose dtype is exactly <typeparamref name="T"/>.</summary>
        /// <remarks>Strict, as TorchSharp's item&lt;T&gt;() is (it throws "Double is not compatible with
        /// Float32"): course code that passes here then runs on TorchSharp too. To convert, use
        /// <see cref="TensorExtensionMethods.ToDouble"/> and its siblings.</remarks>
        public T item<T>() where T : unmanaged
        {
            if (numel() != 1) throw new InvalidOperationException($"item() needs a one-element tensor, but this one has shape [{string.Join(", ", shape)}]");
            var want = ScalarTypeOf<T>();
            if (dtype != want)
                throw new ArgumentException($"item<{typeof(T).Name}>() needs a {want.Name()} tensor, but this one is {dtype.Name()} (TorchSharp is as strict); ToDouble(), ToSingle(), ToInt64() or ToBoolean() convert any dtype");
            return ToArray<T>()[0];
        }

        /// <summary>The value of a one-element tensor of any dtype, converted (what TorchSharp's ToDouble() and siblings do).</summary>
        internal T ConvertedItem<T>() where T : unmanaged
        {
            if (numel() != 1) throw new InvalidOperationException($"a scalar value needs a one-element tensor, but this one has shape [{string.Join(", ", shape)}]");
            var want = ScalarTypeOf<T>();
            if (dtype == want) return ToArray<T>()[0];
            using var converted = to(want);
            return converted.ToArray<T>()[0];
        }

        /// <summary>All elements as float64, row-major (converts on the way).</summary>
        internal double[] ToDoubles()
        {
            if (dtype == ScalarType.Float64) return ToArray<double>();
            using var d = to(ScalarType.Float64);
            return d.ToArray<double>();
        }

        public override string ToString() => ToString(maxElements: 1000);

        /// <summary>Shape, dtype and device, then the values (abbreviated like PyTorch past maxElements).</summary>
        public string ToString(int maxElements)
        {
            if (IsInvalid) return "tensor (disposed)";
            var s = shape;
            var header = $"tensor [{string.Join(", ", s)}], {dtype.Name()}, {device}" + (requires_grad ? ", requires_grad" : "");
            if (dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64) return header;
            var n = numel();
            double[] values;
            if (n > 1_000_000) return header;
            using (var noGrad = no_grad()) values = ToDoubles();
            var sb = new StringBuilder(header).Append('\n');
            bool integral = !dtype.IsFloatingPoint();
            Format(sb, values, s, 0, 0, n > maxElements, integral, dtype == ScalarType.Bool, 0);
            return sb.ToString();
        }

        static void Format(StringBuilder sb, double[] v, long[] shape, int dimIndex, long offset, bool summarize,
            bool integral, bool boolean, int indent)
        {
            string Num(double x) => boolean ? (x != 0 ? "true" : "false")
                : integral ? ((long)x).ToString(CultureInfo.InvariantCulture)
                : x.ToString(Math.Abs(x) >= 1e4 || (Math.Abs(x) < 1e-3 && x != 0) ? "0.0000e+0" : "0.0000", CultureInfo.InvariantCulture);
            if (shape.Length == 0) { sb.Append(Num(v[0])); return; }
            long n = shape[dimIndex];
            long stride = 1;
            for (int d = dimIndex + 1; d < shape.Length; d++) stride *= shape[d];
            const int edge = 3;
            sb.Append('[');
            for (long i = 0; i < n; i++)
            {
                if (summarize && n > 2 * edge && i == edge) { sb.Append("..., "); i = n - edge; }
                if (dimIndex == shape.Length - 1) sb.Append(Num(v[offset + i]));
                else
                {
                    if (i > 0) sb.Append('\n').Append(' ', indent + 1);
                    Format(sb, v, shape, dimIndex + 1, offset + i * stride, summarize, integral, boolean, indent + 1);
                }
                if (i < n - 1) sb.Append(dimIndex == shape.Length - 1 ? ", " : ",");
            }
            sb.Append(']');
        }
    }
}

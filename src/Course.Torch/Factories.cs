namespace TorchSharp;

public static partial class torch
{
    static readonly Op s_randn = new("aten::randn.generator"), s_rand = new("aten::rand.generator"),
        s_randint = new("aten::randint.low_generator"), s_zeros = new("aten::zeros"), s_ones = new("aten::ones"),
        s_full = new("aten::full"), s_arange = new("aten::arange.start_step"), s_linspace = new("aten::linspace"),
        s_eye = new("aten::eye"), s_empty = new("aten::empty.memory_format"), s_randperm = new("aten::randperm.generator"),
        s_randn_like = new("aten::randn_like"), s_rand_like = new("aten::rand_like"), s_zeros_like = new("aten::zeros_like"),
        s_ones_like = new("aten::ones_like"), s_full_like = new("aten::full_like"), s_normal = new("aten::normal_");

    static long[] CheckSize(long[] size)
    {
        foreach (var s in size)
            if (s < 0) throw new ArgumentException($"sizes must be non-negative, got [{string.Join(", ", size)}]", nameof(size));
        return size;
    }

    static Tensor Finish(Tensor t, bool requires_grad)
    {
        if (requires_grad) t.requires_grad = true;
        return t;
    }

    // Factory schemas end with: ScalarType? dtype, Layout? layout, Device? device, bool? pin_memory.
    public static Tensor randn(params long[] size) => randn(size, null);
    public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null) =>
        Finish(s_randn.Call(CheckSize(size), generator, dtype ?? float32, null, device), requires_grad);

    public static Tensor rand(params long[] size) => rand(size, null);
    public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null) =>
        Finish(s_rand.Call(CheckSize(size), generator, dtype ?? float32, null, device), requires_grad);

    /// <summary>Integers uniform in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"randint needs low < high, got [{low}, {high})");
        return s_randint.Call(low, high, CheckSize(size), generator, dtype ?? int64, null, device);
    }

    /// <summary>Integers uniform in [0, high).</summary>
    public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        randint(0, high, size, dtype, device, generator);

    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, Generator? generator = null) =>
        s_randperm.Call(n, generator, dtype ?? int64, null, device);

    public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, Generator? generator = null)
    {
        if (generator is null) return s_randn_like.Call(input, dtype, null, device);
        // randn_like has no generator argument: draw into a fresh tensor with the generator.
        var t = empty_like(input, dtype, device);
        return s_normal.CallInPlace(t, t, 0.0, 1.0, generator);
    }

    public static Tensor rand_like(Tensor input, ScalarType? dtype = null, Device? device = null) => s_rand_like.Call(input, dtype, null, device);
    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null) => s_zeros_like.Call(input, dtype, null, device);
    public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null) => s_ones_like.Call(input, dtype, null, device);
    public static Tensor full_like(Tensor input, double value, ScalarType? dtype = null, Device? device = null) => s_full_like.Call(input, value, dtype, null, device);
    public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null) =>
        empty(input.shape, dtype ?? input.dtype, device ?? input.device);

    public static Tensor zeros(params long[] size) => zeros(size, null);
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(s_zeros.Call(CheckSize(size), dtype ?? float32, null, device), requires_grad);

    public static Tensor ones(params long[] size) => ones(size, null);
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(s_ones.Call(CheckSize(size), dtype ?? float32, null, device), requires_grad);

    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null) =>
        s_empty.Call(CheckSize(size), dtype ?? float32, null, device);

    public static Tensor full(long[] size, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(s_full.Call(CheckSize(size), value, dtype ?? float32, null, device), requires_grad);

    /// <summary>Values from start (inclusive) to end (exclusive) in steps; int64 when all three are whole numbers and no dtype is given.</summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null)
    {
        if (step == 0) throw new ArgumentException("arange: step must be non-zero");
        if ((end - start) / step < 0) throw new ArgumentException($"arange: the step {step} never reaches {end} from {start}");
        bool whole = start == Math.Floor(start) && end == Math.Floor(end) && step == Math.Floor(step);
        return s_arange.Call(start, end, step, dtype ?? (whole ? int64 : float32), null, device);
    }

    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null)
    {
        if (steps < 0) throw new ArgumentException("linspace: steps must be non-negative");
        return s_linspace.Call(start, end, steps, dtype ?? float32, null, device);
    }

    public static Tensor eye(long n, ScalarType? dtype = null, Device? device = null) => s_eye.Call(n, dtype ?? float32, null, device);

    /// <summary>A tensor from a .NET array, with an optional shape (default: one dimension).</summary>
    public static unsafe Tensor tensor<T>(T[] values, long[]? shape = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        var dims = shape ?? new long[] { values.Length };
        long count = 1;
        foreach (var d in dims) { if (d < 0) throw new ArgumentException("negative size in shape", nameof(shape)); count *= d; }
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", dims)}] needs {count} values but the array has {values.Length}", nameof(shape));
        IntPtr h;
        fixed (T* p = values)
        fixed (long* s = dims)
            Native.Check(Native.ct_tensor_from_data(p, (long)values.Length * sizeof(T), (int)ScalarTypeOf<T>(), s, dims.Length, out h));
        var t = new Tensor(h);
        if ((dtype != null && dtype != t.dtype) || (device != null && device.type != DeviceType.CPU))
        {
            var moved = t.to(dtype ?? t.dtype, device ?? CPU);
            t.Dispose();
            t = moved;
        }
        return Finish(t, requires_grad);
    }

    public static Tensor tensor<T>(T[,] values, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) where T : unmanaged
    {
        var flat = new T[values.Length];
        int k = 0;
        foreach (var v in values) flat[k++] = v;
        return tensor(flat, new long[] { values.GetLength(0), values.GetLength(1) }, dtype, device, requires_grad);
    }

    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        tensor(new[] { value }, Array.Empty<long>(), dtype ?? float32, device, requires_grad);

    public static Tensor tensor(float value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        tensor(new[] { value }, Array.Empty<long>(), dtype, device, requires_grad);

    public static Tensor tensor(long value, ScalarType? dtype = null, Device? device = null) =>
        tensor(new[] { value }, Array.Empty<long>(), dtype, device);
}

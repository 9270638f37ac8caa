using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace TorchSharp;

/// <summary>
/// An ATen operator called by its schema name through libtorch's dispatcher, e.g.
/// <c>new Op("aten::add.Tensor")</c>. Arguments are positional, in schema order; trailing
/// arguments left out, and <see cref="Default"/>, take the schema's default; <c>null</c> is None.
/// Accepted argument values: Tensor, long/int, double/float, bool, long[]/int[], double[],
/// Tensor[], <see cref="OptionalTensors"/>, string, Device, Generator, ScalarType.
/// </summary>
internal sealed unsafe class Op
{
    /// <summary>Marks an argument that should take the schema's default value.</summary>
    public static readonly object Default = new();

    readonly string _name, _overload;
    IntPtr _handle;

    public Op(string qualifiedName)
    {
        var dot = qualifiedName.IndexOf('.');
        _name = dot < 0 ? qualifiedName : qualifiedName[..dot];
        _overload = dot < 0 ? "" : qualifiedName[(dot + 1)..];
    }

    IntPtr Handle
    {
        get
        {
            if (_handle == IntPtr.Zero)
            {
                Native.Check(Native.ct_op_find(_name, _overload, out var h));
                _handle = h;
            }
            return _handle;
        }
    }

    const int MaxArgs = 24, MaxRets = 8;

    /// <summary>Calls the operator and returns its single tensor result.</summary>
    public Tensor Call(params object?[] args)
    {
        var rets = stackalloc Native.Ret[MaxRets];
        int n = Invoke(args, rets);
        if (n != 1 || rets[0].kind != 2)
        {
            ReleaseAll(rets, n);
            throw new System.Runtime.InteropServices.ExternalException($"{_name}.{_overload} did not return exactly one tensor");
        }
        return new Tensor(rets[0].p);
    }

    /// <summary>Calls the operator and returns every tensor it returns (tuples and lists flattened).</summary>
    public Tensor[] CallMany(params object?[] args)
    {
        var rets = stackalloc Native.Ret[MaxRets];
        int n = Invoke(args, rets);
        var result = new List<Tensor>(n);
        for (int k = 0; k < n; k++)
        {
            if (rets[k].kind == 2) result.Add(new Tensor(rets[k].p));
            else if (rets[k].kind == 7)
            {
                var handles = (IntPtr*)rets[k].p;
                for (long j = 0; j < rets[k].i; j++) result.Add(new Tensor(handles[j]));
                Native.ct_free(rets[k].p);
            }
        }
        return result.ToArray();
    }

    /// <summary>Calls an in-place or out= operator: the result aliases an argument, so it is released
    /// and <paramref name="self"/> returned.</summary>
    public Tensor CallInPlace(Tensor self, params object?[] args)
    {
        var rets = stackalloc Native.Ret[MaxRets];
        int n = Invoke(args, rets);
        ReleaseAll(rets, n);
        return self;
    }

    /// <summary>Calls an operator that returns a number.</summary>
    public double CallScalar(params object?[] args)
    {
        var rets = stackalloc Native.Ret[MaxRets];
        int n = Invoke(args, rets);
        if (n == 1 && rets[0].kind is 3 or 5) return rets[0].i;
        if (n == 1 && rets[0].kind == 4) return rets[0].d;
        ReleaseAll(rets, n);
        throw new System.Runtime.InteropServices.ExternalException($"{_name}.{_overload} did not return a number");
    }

    static void ReleaseAll(Native.Ret* rets, int n)
    {
        for (int k = 0; k < n; k++)
        {
            if (rets[k].kind == 2) Native.ct_tensor_free(rets[k].p);
            else if (rets[k].kind == 7)
            {
                var handles = (IntPtr*)rets[k].p;
                for (long j = 0; j < rets[k].i; j++) Native.ct_tensor_free(handles[j]);
                Native.ct_free(rets[k].p);
            }
        }
    }

    int Invoke(object?[] args, Native.Ret* rets)
    {
        if (args.Length > MaxArgs) throw new ArgumentException($"too many arguments for {_name}");
        var native = stackalloc Native.Arg[args.Length];
        var pins = default(PinSet);
        try
        {
            for (int k = 0; k < args.Length; k++) native[k] = Convert(args[k], ref pins);
            Native.Check(Native.ct_op_call(Handle, native, args.Length, rets, MaxRets, out int n));
            return n;
        }
        finally
        {
            pins.Free();
            GC.KeepAlive(args);
        }
    }

    /// <summary>Pinned managed arrays that native code reads during one call.</summary>
    struct PinSet
    {
        List<GCHandle>? _handles;

        public void* Pin(object array)
        {
            var h = GCHandle.Alloc(array, GCHandleType.Pinned);
            (_handles ??= new()).Add(h);
            return (void*)h.AddrOfPinnedObject();
        }

        public void Free()
        {
            if (_handles == null) return;
            foreach (var h in _handles) h.Free();
        }
    }

    static Native.Arg Convert(object? value, ref PinSet pins)
    {
        var a = new Native.Arg();
        switch (value)
        {
            case null: a.kind = 1; break;
            case Tensor t: a.kind = 2; a.p = (void*)t.Handle; break;
            case long l: a.kind = 3; a.i = l; break;
            case int i: a.kind = 3; a.i = i; break;
            case ScalarType s: a.kind = 3; a.i = (long)s; break;
            case double d: a.kind = 4; a.d = d; break;
            case float f: a.kind = 4; a.d = f; break;
            case bool b: a.kind = 5; a.i = b ? 1 : 0; break;
            case long[] ls: a.kind = 6; a.n = ls.Length; a.p = ls.Length == 0 ? null : pins.Pin(ls); break;
            case int[] ints:
                {
                    var ls2 = Array.ConvertAll(ints, x => (long)x);
                    a.kind = 6; a.n = ls2.Length; a.p = ls2.Length == 0 ? null : pins.Pin(ls2);
                    break;
                }
            case double[] ds: a.kind = 12; a.n = ds.Length; a.p = ds.Length == 0 ? null : pins.Pin(ds); break;
            case Tensor[] ts:
                {
                    var handles = new IntPtr[ts.Length];
                    for (int k = 0; k < ts.Length; k++)
                        handles[k] = (ts[k] ?? throw new ArgumentNullException(nameof(value), "a tensor list holds null")).Handle;
                    a.kind = 7; a.n = ts.Length; a.p = ts.Length == 0 ? null : pins.Pin(handles);
                    break;
                }
            case OptionalTensors ots:
                {
                    var handles = new IntPtr[ots.Items.Length];
                    for (int k = 0; k < handles.Length; k++) handles[k] = ots.Items[k]?.Handle ?? IntPtr.Zero;
                    a.kind = 8; a.n = handles.Length; a.p = handles.Length == 0 ? null : pins.Pin(handles);
                    break;
                }
            case string s:
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(s + "\0");
                    a.kind = 9; a.p = pins.Pin(bytes);
                    break;
                }
            case Device dev when dev.type == DeviceType.CUDA && !cuda.is_available():
                throw new InvalidOperationException($"device '{dev}' was asked for, but CUDA is not available on this machine (torch.cuda.is_available() is false); use torch.CPU");
            case Device dev: a.kind = 10; a.i = (long)dev.type; a.n = dev.index; break;
            case Generator g: a.kind = 11; a.p = (void*)g.Handle; break;
            default:
                if (ReferenceEquals(value, Default)) { a.kind = 0; break; }
                throw new ArgumentException($"unsupported argument type {value.GetType().Name}");
        }
        return a;
    }
}

/// <summary>A list of tensors where some entries are None (the Tensor?[] of an ATen schema).</summary>
internal sealed class OptionalTensors
{
    public readonly Tensor?[] Items;
    public OptionalTensors(Tensor?[] items) => Items = items;
}

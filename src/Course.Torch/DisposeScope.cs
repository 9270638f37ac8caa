namespace TorchSharp;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope,
/// except those moved out with <see cref="torch.Tensor.MoveToOuterDisposeScope"/> or
/// <see cref="MoveToOuter(torch.Tensor)"/>. Native memory is invisible to the garbage collector,
/// so every loop that makes tensors should run inside one:
/// <code>using (torch.NewDisposeScope()) { ... }</code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? t_current;

    readonly DisposeScope? _outer;
    readonly HashSet<torch.Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    bool _disposed;

    internal DisposeScope()
    {
        _outer = t_current;
        t_current = this;
    }

    internal static DisposeScope? Current => t_current;

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal void Register(torch.Tensor t) => _tensors.Add(t);
    internal void Forget(torch.Tensor t) => _tensors.Remove(t);

    /// <summary>Moves a tensor to the enclosing scope (or out of all scopes) so it survives this one.</summary>
    public torch.Tensor MoveToOuter(torch.Tensor t)
    {
        if (_tensors.Remove(t)) { t.Scope = _outer; _outer?.Register(t); }
        return t;
    }

    /// <summary>Takes a tensor out of every scope: the caller now owns it.</summary>
    public torch.Tensor Detach(torch.Tensor t)
    {
        if (_tensors.Remove(t)) t.Scope = null;
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (t_current == this) t_current = _outer;
        else if (t_current != null)
            throw new InvalidOperationException("dispose scopes must be disposed in the reverse order of creation");
        foreach (var t in _tensors) { t.Scope = null; t.Dispose(); }
        _tensors.Clear();
    }
}

public static partial class torch
{
    /// <summary>Opens a dispose scope on this thread; see <see cref="DisposeScope"/>.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Diagnostics for native memory.</summary>
    public static class memory
    {
        static long s_live;
        internal static void Created() => Interlocked.Increment(ref s_live);
        internal static void Freed() => Interlocked.Decrement(ref s_live);

        /// <summary>Tensor handles alive right now (not yet disposed or finalized).</summary>
        public static long live_tensors => Interlocked.Read(ref s_live);

        /// <summary>Resident memory of this process, in bytes (Linux; 0 elsewhere).</summary>
        public static long resident_bytes()
        {
            try
            {
                var fields = File.ReadAllText("/proc/self/statm").Split(' ');
                return long.Parse(fields[1]) * Environment.SystemPageSize;
            }
            catch (IOException) { return 0; }
            catch (UnauthorizedAccessException) { return 0; }
        }
    }
}

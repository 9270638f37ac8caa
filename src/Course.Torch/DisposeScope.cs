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
    public int DisposablesCount => _tensors.Count;

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

    /// <summary>Counts the tensor handles alive, for <see cref="DisposeScopeManager.Statistics"/>.</summary>
    internal static class memory
    {
        static long s_live;
        internal static void Created() => Interlocked.Increment(ref s_live);
        internal static void Freed() => Interlocked.Decrement(ref s_live);
        internal static long live_tensors => Interlocked.Read(ref s_live);
    }
}

/// <summary>TorchSharp's entry to its dispose-scope statistics.</summary>
public sealed class DisposeScopeManager
{
    public static ThreadDisposeScopeStatistics Statistics { get; } = new();
}

/// <summary>
/// The one statistic of TorchSharp's the course reads: tensors alive. TorchSharp counts per thread;
/// this engine counts the whole process (a tensor freed by the finalizer thread counts too), which
/// is the same number for code that makes and frees its tensors on one thread.
/// </summary>
public sealed class ThreadDisposeScopeStatistics
{
    public long ThreadTotalLiveCount => torch.memory.live_tensors;
}

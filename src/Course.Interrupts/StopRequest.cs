namespace Course.Interrupts;

/// <summary>
/// Watches, for one long-running operation, whether it should stop at its next step boundary: its
/// cell was stopped (the kernel cancelled the cell, or SIGINT arrived: the Jupyter stop button, a
/// terminal's Ctrl-C) or the caller's own <see cref="CancellationToken"/> was cancelled.
/// <code>
/// using var stop = StopRequest.Watch(cancellationToken);
/// while (step &lt; total)
/// {
///     if (stop.IsRequested) throw stop.Stopped($"stopped at step {step} of {total}; ...");
///     ...
/// }
/// </code>
/// </summary>
public sealed class StopRequest : IDisposable
{
    readonly CancellationTokenSource _source;
    readonly CancellationToken _callersToken;

    StopRequest(CancellationToken cancellationToken)
    {
        _callersToken = cancellationToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, KernelCellCancellation.Current());
    }

    /// <summary>Starts watching; dispose when the operation ends.</summary>
    public static StopRequest Watch(CancellationToken cancellationToken = default)
    {
        InterruptSignal.Install();
        var stop = new StopRequest(cancellationToken);
        InterruptSignal.Add(stop);
        return stop;
    }

    /// <summary>Whether the operation should stop now (checked at each step boundary; cheap).</summary>
    public bool IsRequested => _source.IsCancellationRequested;

    /// <summary>Cancelled when a stop is requested (for asynchronous work such as downloads).</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The exception that ends the cell, carrying the one line of what stopped and what is kept
    /// (and the caller's token when that is what was cancelled, so callers can tell their stop apart).</summary>
    public OperationStoppedException Stopped(string whatStoppedAndWhatIsKept) =>
        new(whatStoppedAndWhatIsKept, _callersToken.IsCancellationRequested ? _callersToken : _source.Token);

    internal void Request()
    {
        try { _source.Cancel(); }
        catch (ObjectDisposedException) { }   // the operation ended as the signal came
    }

    public void Dispose()
    {
        InterruptSignal.Remove(this);
        _source.Dispose();
    }
}

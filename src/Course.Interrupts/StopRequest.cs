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
    /// <summary>How long an editor's stop waits for the operation to reach its step boundary before
    /// the kernel ends the cell (a step of the course's operations takes well under a second).</summary>
    static readonly TimeSpan s_stepBoundaryWait = TimeSpan.FromSeconds(10);

    readonly CancellationTokenSource _source;
    readonly CancellationToken _callersToken;
    readonly ManualResetEventSlim _ended = new();
    readonly CancellationTokenRegistration _onCellCancelled;
    string? _whatStoppedAndWhatIsKept;

    StopRequest(CancellationToken cancellationToken)
    {
        _callersToken = cancellationToken;
        var cell = KernelCellCancellation.Current();
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cell);
        // An editor's stop (Polyglot Notebooks: .NET Interactive's Cancel) cancels the cell's token and,
        // right after, ends the cell as "Command cancelled." and lets the next cell start, whatever the
        // code still does. Registered here, on the cell's thread (so the callback writes into this cell),
        // this runs inside that cancellation, before the cell is ended: it waits for the operation to
        // reach its step boundary, so nothing of it runs on beside the next cell, and says the one line.
        if (cell.CanBeCanceled) _onCellCancelled = cell.Register(ReportStopBeforeTheCellEnds);
    }

    void ReportStopBeforeTheCellEnds()
    {
        // A token runs its callbacks newest first: this one comes before the link to _source, so
        // request the stop here rather than wait for a link that runs only after this returns.
        Request();
        bool ended = _ended.Wait(s_stepBoundaryWait);
        Console.WriteLine(ended
            ? _whatStoppedAndWhatIsKept ?? "stopped"
            : $"stop requested; the running step has not ended after {s_stepBoundaryWait.TotalSeconds:F0} s and stops at its end");
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
    public OperationStoppedException Stopped(string whatStoppedAndWhatIsKept)
    {
        _whatStoppedAndWhatIsKept = whatStoppedAndWhatIsKept;
        _ended.Set();
        return new(whatStoppedAndWhatIsKept, _callersToken.IsCancellationRequested ? _callersToken : _source.Token);
    }

    internal void Request()
    {
        try { _source.Cancel(); }
        catch (ObjectDisposedException) { }   // the operation ended as the signal came
    }

    public void Dispose()
    {
        InterruptSignal.Remove(this);
        _ended.Set();   // ended without a stop (finished, or failed): a waiting editor's stop goes on
        _onCellCancelled.Dispose();
        _source.Dispose();
    }
}

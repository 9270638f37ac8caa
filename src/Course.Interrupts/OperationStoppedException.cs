namespace Course.Interrupts;

/// <summary>
/// A long-running course operation stopped because its cell was interrupted (or its
/// <see cref="CancellationToken"/> was cancelled). It ends the cell, as a stop should, and its
/// message is the one line a learner needs: what stopped, and what is kept. A stop the learner asked
/// for is not a fault, so the exception shows that line and no stack trace.
/// </summary>
public sealed class OperationStoppedException : OperationCanceledException
{
    public OperationStoppedException(string message, CancellationToken token)
        : base(message, token)
    {
    }

    /// <summary>Empty: the kernel would otherwise print the stack under the line.</summary>
    public override string StackTrace => "";

    public override string ToString() => Message;
}

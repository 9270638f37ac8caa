using static TorchSharp.torch;

namespace TorchSharp.Modules;

/// <summary>One parameter's optimizer state, as TorchSharp's: fields that are live views of the
/// optimizer's buffers (see <see cref="optim.Optimizer.state_dict"/>).</summary>
public abstract class OptimizerState
{
    /// <summary>Copies another state of the same kind into this one (values, onto this state's tensors).</summary>
    public abstract void LoadStateDict(OptimizerState source);

    /// <summary>The update count, for optimizers that keep one.</summary>
    internal virtual long StepCount { get => 0; set { } }

    private protected static void CopyInto(Tensor? target, Tensor? source, string name)
    {
        if (target is null || source is null)
        {
            if (target is null && source is null) return;
            throw new ArgumentException($"optimizer state '{name}' is missing on one side of the copy");
        }
        if (!target.shape.SequenceEqual(source.shape))
            throw new ArgumentException($"optimizer state '{name}' has shape [{string.Join(", ", source.shape)}], this optimizer's [{string.Join(", ", target.shape)}]");
        using (no_grad()) target.copy_(source);
    }
}

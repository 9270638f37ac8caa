using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Training;

/// <summary>
/// An exponential moving average of a model's weights (Polyak &amp; Juditsky 1992; Ho et al. 2020, §4
/// use decay 0.9999): after every optimizer step, <c>shadow ← decay · shadow + (1 − decay) · θ</c>.
/// Sampling from the averaged weights gives visibly cleaner samples than the last iterate, because
/// it averages out the noise of the final steps of SGD. Buffers are copied, not averaged.
/// </summary>
/// <remarks>
/// After k updates from a start s_0 towards constant weights θ the shadow is
/// <c>θ + decay^k (s_0 − θ)</c>. With <see cref="Warmup"/>, update n (counting from 1) uses
/// <c>min(decay, (1 + n) / (10 + n))</c>, so short runs are not dominated by the initial weights.
/// </remarks>
public sealed class Ema : IDisposable
{
    readonly (string name, Parameter source, Tensor shadow)[] _parameters;
    readonly (string name, Tensor source, Tensor shadow)[] _buffers;
    readonly nn.Module _model;
    bool _disposed;

    /// <summary>Starts the average at the model's current weights.</summary>
    public Ema(nn.Module model, double decay = 0.999, bool warmup = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the EMA decay must lie in [0, 1]");
        Decay = decay;
        Warmup = warmup;
        _model = model;
        using (no_grad())
        {
            _parameters = model.named_parameters().Select(p => (p.name, p.parameter, p.parameter.detach().clone().DetachFromDisposeScope())).ToArray();
            _buffers = model.named_buffers().Select(b => (b.name, b.buffer, b.buffer.detach().clone().DetachFromDisposeScope())).ToArray();
        }
    }

    public double Decay { get; }
    public bool Warmup { get; }

    /// <summary>How many times <see cref="Update"/> has run.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public double CurrentDecay => Warmup ? Math.Min(Decay, (1.0 + Updates + 1) / (10.0 + Updates + 1)) : Decay;

    /// <summary>shadow ← decay · shadow + (1 − decay) · θ, for the model this average was made from.</summary>
    public void Update()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        double decay = CurrentDecay;
        using (no_grad())
        {
            // lerp_: shadow + w (θ − shadow) with w = 1 − decay.
            foreach (var (_, source, shadow) in _parameters) shadow.lerp_(source, 1.0 - decay);
            foreach (var (_, source, shadow) in _buffers) shadow.copy_(source);
        }
        Updates++;
    }

    /// <summary>Copies the averaged weights into a model of the same architecture (for sampling).</summary>
    public void CopyTo(nn.Module model)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(model);
        model.load_state_dict(ShadowByName(), strict: true);
    }

    /// <summary>
    /// Puts the averaged weights into the model this average follows, in eval mode (no dropout), and
    /// restores the trained weights and the previous mode when the returned object is disposed:
    /// <c>using (ema.Swap()) { sample(...); }</c>
    /// </summary>
    public IDisposable Swap()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var saved = new List<Tensor>();
        bool wasTraining = _model.training;
        _model.eval();
        using (no_grad())
        {
            foreach (var (_, source, shadow) in _parameters) { saved.Add(source.detach().clone().DetachFromDisposeScope()); source.copy_(shadow); }
            foreach (var (_, source, shadow) in _buffers) { saved.Add(source.detach().clone().DetachFromDisposeScope()); source.copy_(shadow); }
        }
        return new Restore(this, saved, wasTraining);
    }

    sealed class Restore : IDisposable
    {
        readonly Ema _ema;
        readonly bool _wasTraining;
        List<Tensor>? _saved;
        public Restore(Ema ema, List<Tensor> saved, bool wasTraining) { _ema = ema; _saved = saved; _wasTraining = wasTraining; }
        public void Dispose()
        {
            var saved = Interlocked.Exchange(ref _saved, null);
            if (saved is null) return;
            int k = 0;
            using (no_grad())
            {
                foreach (var (_, source, _) in _ema._parameters) source.copy_(saved[k++]);
                foreach (var (_, source, _) in _ema._buffers) source.copy_(saved[k++]);
            }
            foreach (var t in saved) t.Dispose();
            _ema._model.train(_wasTraining);
        }
    }

    /// <summary>The averaged tensors by parameter/buffer name (handles to the EMA's own storage; do not dispose).</summary>
    public Dictionary<string, Tensor> ShadowByName()
    {
        var dict = new Dictionary<string, Tensor>();
        foreach (var (name, _, shadow) in _parameters) dict[name] = shadow;
        foreach (var (name, _, shadow) in _buffers) dict[name] = shadow;
        return dict;
    }

    /// <summary>Overwrites the averages (from a checkpoint) and the update count.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> shadows, long updates)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(shadows);
        var mine = ShadowByName();
        foreach (var name in mine.Keys)
            if (!shadows.ContainsKey(name)) throw new ArgumentException($"the EMA state lacks '{name}'", nameof(shadows));
        foreach (var name in shadows.Keys)
            if (!mine.ContainsKey(name)) throw new ArgumentException($"the EMA state has '{name}', which the model does not", nameof(shadows));
        foreach (var (name, target) in mine)
            if (!target.shape.SequenceEqual(shadows[name].shape))
                throw new ArgumentException($"EMA '{name}': the model has shape [{string.Join(", ", target.shape)}] but the state has [{string.Join(", ", shadows[name].shape)}]", nameof(shadows));
        using (no_grad())
            foreach (var (name, target) in mine) target.copy_(shadows[name]);
        Updates = updates;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, _, shadow) in _parameters) shadow.Dispose();
        foreach (var (_, _, shadow) in _buffers) shadow.Dispose();
    }
}

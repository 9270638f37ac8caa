using static TorchSharp.torch;

namespace TorchSharp.Modules;

/// <summary>
/// Stochastic gradient descent with optional momentum, as PyTorch 1.13's <c>torch.optim.SGD</c>
/// (its single-tensor loop, operation for operation, so trajectories agree bit for bit):
/// <code>
/// g = grad + weight_decay * p
/// b = g                                  (first step)
/// b = momentum * b + (1 - dampening) * g (later steps)
/// g = nesterov ? g + momentum * b : b
/// p = p - lr * g
/// </code>
/// (Sutskever et al. 2013, eq. 1-2, in PyTorch's form where lr multiplies the velocity.)
/// </summary>
public sealed class SGD : optim.Optimizer
{
    double _momentum, _dampening, _weightDecay;

    internal SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double dampening, double weight_decay, bool nesterov)
        : base(parameters, lr)
    {
        this.momentum = momentum;
        this.dampening = dampening;
        this.weight_decay = weight_decay;
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch)", nameof(nesterov));
        this.nesterov = nesterov;
    }

    public double momentum { get => _momentum; set => _momentum = CheckNonNegative(value, "momentum"); }
    public double dampening { get => _dampening; set => _dampening = CheckNonNegative(value, "dampening"); }
    public double weight_decay { get => _weightDecay; set => _weightDecay = CheckNonNegative(value, "weight decay"); }
    public bool nesterov { get; }

    protected override void InitializeState(Parameter parameter, ParameterState state)
    {
        if (momentum != 0 && !state.Buffers.ContainsKey("momentum_buffer")) state.Add("momentum_buffer", zeros_like(parameter));
    }

    protected override OptimizerState MakeView(ParameterState state) => new State(state);

    /// <summary>One parameter's SGD state (TorchSharp's field, over this optimizer's buffer).</summary>
    public sealed class State : OptimizerState
    {
        internal State(ParameterState state) => momentum_buffer = state.Buffers.GetValueOrDefault("momentum_buffer");

        public Tensor? momentum_buffer;

        public override void LoadStateDict(OptimizerState source)
        {
            if (source is not State other) throw new ArgumentException($"an SGD state cannot load a {source?.GetType().Name ?? "null"}", nameof(source));
            CopyInto(momentum_buffer, other.momentum_buffer, nameof(momentum_buffer));
        }
    }

    protected override void Update(Parameter parameter, Tensor grad, ParameterState state)
    {
        using var decayed = weight_decay != 0 ? grad.add(parameter, weight_decay) : null;
        var g = decayed ?? grad;
        if (momentum == 0)
        {
            parameter.add_(g, -LearningRate);
            return;
        }
        if (state.Buffers.TryGetValue("momentum_buffer", out var buffer))
            buffer.mul_(momentum).add_(g, 1 - dampening);
        else buffer = state.Add("momentum_buffer", g.clone());
        if (nesterov)
        {
            using var look = g.add(buffer, momentum);
            parameter.add_(look, -LearningRate);
        }
        else parameter.add_(buffer, -LearningRate);
    }
}

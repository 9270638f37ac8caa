using System.Globalization;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>
    /// Optimizers, shaped like PyTorch's <c>torch.optim</c>: <c>var opt = torch.optim.Adam(model.parameters(), lr: 1e-3);</c>
    /// then per batch <c>opt.zero_grad(); loss.backward(); opt.step();</c>.
    /// </summary>
    public static partial class optim
    {
        /// <summary>
        /// Stochastic gradient descent, optionally with momentum (Sutskever et al. 2013) and Nesterov
        /// momentum, exactly as PyTorch 1.13's <c>torch.optim.SGD</c> (single-tensor path).
        /// </summary>
        public static Modules.SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false) =>
            new(parameters, lr, momentum, dampening, weight_decay, nesterov);

        /// <summary>Adam (Kingma &amp; Ba 2015, Algorithm 1), with L2 weight decay added to the gradient, as PyTorch 1.13.</summary>
        public static Modules.Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);

        /// <summary>AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019, Algorithm 2), as PyTorch 1.13.</summary>
        public static Modules.AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad);

        /// <summary>
        /// The base of every optimizer: the parameters it updates, its hyperparameters (one parameter
        /// group, as most training code uses), and per-parameter state (moment buffers, step counts)
        /// that it owns and frees on <see cref="Dispose"/>.
        /// </summary>
        /// <remarks>As in PyTorch, make the optimizer after moving the model to its device: its buffers
        /// are created on each parameter's device at the first step (or at state_dict).</remarks>
        /// <summary>A parameter group's learning rate, as TorchSharp's.</summary>
        public interface ILearningRateController
        {
            double LearningRate { get; set; }
            double InitialLearningRate { get; set; }
        }

        public abstract class Optimizer : IDisposable
        {
            readonly Parameter[] _parameters;
            readonly ParameterState?[] _state;
            readonly OptimizerState?[] _views;
            readonly Group _group;
            double _learningRate;
            bool _disposed;

            /// <summary>What the optimizer keeps for one parameter.</summary>
            protected internal sealed class ParameterState
            {
                /// <summary>How many updates this parameter has had (PyTorch keeps it as a float tensor).</summary>
                public double Step;
                /// <summary>Named buffers (moments, momentum), owned by the optimizer, outside dispose scopes.</summary>
                public readonly Dictionary<string, Tensor> Buffers = new();

                /// <summary>Adds a buffer, taking it out of every dispose scope (the optimizer frees it).</summary>
                public Tensor Add(string name, Tensor buffer)
                {
                    Buffers[name] = buffer.DetachFromDisposeScope();
                    return buffer;
                }

                public void Free()
                {
                    foreach (var b in Buffers.Values) b.Dispose();
                    Buffers.Clear();
                }
            }

            protected Optimizer(IEnumerable<Parameter> parameters, double lr)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                _parameters = parameters.ToArray();
                if (_parameters.Length == 0) throw new ArgumentException("the optimizer got an empty parameter list", nameof(parameters));
                for (int i = 0; i < _parameters.Length; i++)
                {
                    if (_parameters[i] is null) throw new ArgumentException($"parameter {i} is null", nameof(parameters));
                    for (int j = 0; j < i; j++)
                        if (ReferenceEquals(_parameters[i], _parameters[j]))
                            throw new ArgumentException($"parameter {i} appears twice in the list (also at {j})", nameof(parameters));
                }
                _state = new ParameterState?[_parameters.Length];
                _views = new OptimizerState?[_parameters.Length];
                LearningRate = lr;
                _group = new Group(this, lr);
            }

            /// <summary>The parameters this optimizer updates, in order.</summary>
            public IEnumerable<Parameter> parameters() => _parameters;

            /// <summary>The learning rate the next <see cref="step"/> uses (also <c>ParamGroups.First().LearningRate</c>).</summary>
            internal double LearningRate
            {
                get => _learningRate;
                set => _learningRate = CheckNonNegative(value, "learning rate");
            }

            /// <summary>Performs one update of every parameter that has a gradient (the closure, when
            /// given, computes the loss first, which is returned).</summary>
            public Tensor? step(Func<Tensor>? closure = null)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                Tensor? loss = null;
                if (closure is not null)
                    using (enable_grad()) loss = closure();
                for (int i = 0; i < _views.Length; i++)
                    if (_views[i] is { } view) _state[i]!.Step = view.StepCount;
                using (no_grad())
                {
                    var group = new List<(Parameter, Tensor, ParameterState)>(_parameters.Length);
                    try
                    {
                        for (int i = 0; i < _parameters.Length; i++)
                        {
                            var grad = _parameters[i].grad;
                            if (grad is null) continue;
                            group.Add((_parameters[i], grad, _state[i] ??= new ParameterState()));
                        }
                        UpdateAll(group);
                    }
                    finally
                    {
                        foreach (var (_, grad, _) in group) grad.Dispose();
                    }
                }
                for (int i = 0; i < _views.Length; i++)
                    if (_views[i] is { } view) view.StepCount = (long)_state[i]!.Step;
                return loss;
            }

            /// <summary>Updates every parameter that has a gradient (called under no_grad). One at a
            /// time unless an optimizer has a faster way for the whole group.</summary>
            protected virtual void UpdateAll(IReadOnlyList<(Parameter parameter, Tensor grad, ParameterState state)> group)
            {
                foreach (var (p, grad, state) in group) Update(p, grad, state);
            }

            /// <summary>Updates one parameter in place from its gradient (called under no_grad).</summary>
            protected abstract void Update(Parameter parameter, Tensor grad, ParameterState state);

            /// <summary>Zeroes every parameter's gradient in place, as TorchSharp's optimizers do (libtorch's
            /// C++ Optimizer::zero_grad: detach, then zero; PyTorch's Python optimizers set None instead).
            /// The next backward() then adds fresh gradients to zeros. Module.zero_grad() sets None.</summary>
            public void zero_grad()
            {
                using (no_grad())
                    foreach (var p in _parameters)
                    {
                        using var g = p.grad;   // a new handle to the gradient, or null
                        g?.zero_();
                    }
            }

            /// <summary>
            /// The optimizer's state as TorchSharp gives it: one state object per parameter, in order,
            /// live (its tensors are the optimizer's own buffers, and its step count is read back at
            /// the next <see cref="step"/>). Every parameter's state exists from here on, with zero
            /// buffers for parameters not updated yet (TorchSharp makes them in its constructor).
            /// </summary>
            public StateDictionary state_dict()
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var dict = new StateDictionary();
                for (int i = 0; i < _state.Length; i++)
                {
                    var s = _state[i] ??= new ParameterState();
                    InitializeState(_parameters[i], s);
                    dict.State.Add(_views[i] ??= MakeView(s));
                }
                return dict;
            }

            /// <summary>Copies a state dictionary of this kind of optimizer into this one (the tensors
            /// onto each parameter's device); its own <see cref="state_dict"/> loads as a no-op.</summary>
            public void load_state_dict(StateDictionary state_dict)
            {
                ArgumentNullException.ThrowIfNull(state_dict);
                var mine = this.state_dict();
                if (state_dict.State.Count != mine.State.Count)
                    throw new ArgumentException($"the state dictionary holds {state_dict.State.Count} parameter states, but this optimizer has {mine.State.Count} parameters", nameof(state_dict));
                for (int i = 0; i < mine.State.Count; i++)
                    if (!ReferenceEquals(mine.State[i], state_dict.State[i])) mine.State[i].LoadStateDict(state_dict.State[i]);
            }

            /// <summary>Makes the buffers a parameter's state holds before its first update.</summary>
            protected abstract void InitializeState(Parameter parameter, ParameterState state);

            /// <summary>The public state object over one parameter's state.</summary>
            protected abstract OptimizerState MakeView(ParameterState state);

            /// <summary>TorchSharp's optimizer state dictionary (the per-parameter states).</summary>
            public sealed class StateDictionary
            {
                public List<OptimizerState> State { get; } = new();
            }

            /// <summary>The optimizer's one parameter group, as TorchSharp's ParamGroups.</summary>
            public IEnumerable<ILearningRateController> ParamGroups => new ILearningRateController[] { _group };

            sealed class Group : ILearningRateController
            {
                readonly Optimizer _optimizer;
                public Group(Optimizer optimizer, double lr) { _optimizer = optimizer; InitialLearningRate = lr; }
                public double LearningRate { get => _optimizer.LearningRate; set => _optimizer.LearningRate = value; }
                public double InitialLearningRate { get; set; }
            }

            protected static double CheckNonNegative(double value, string what)
            {
                if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(what, value, $"the {what} must be a finite number >= 0");
                return value;
            }

            protected static double CheckBeta(double value, string what)
            {
                if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(what, value, $"{what} must be in [0, 1)");
                return value;
            }

            /// <summary>Frees the optimizer's state buffers (not the parameters).</summary>
            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var s in _state) s?.Free();
                Array.Clear(_state);
                GC.SuppressFinalize(this);
            }
        }
    }
}

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
        /// <remarks>
        /// <see cref="state_dict"/> flattens PyTorch's optimizer state into names a safetensors file can
        /// hold: <c>state.{i}.{buffer}</c> for the i-th parameter's buffers (<c>state.{i}.step</c> is a
        /// float32 scalar, as in PyTorch) and <c>param_groups.0.{hyperparameter}</c> as float64 scalars.
        /// As in PyTorch, make the optimizer after moving the model to its device: its buffers are
        /// created on each parameter's device at the first step (or at load_state_dict).
        /// </remarks>
        public abstract class Optimizer : IDisposable
        {
            readonly Parameter[] _parameters;
            readonly ParameterState?[] _state;
            double _learningRate;
            bool _disposed;

            /// <summary>What the optimizer keeps for one parameter.</summary>
            protected sealed class ParameterState
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
                LearningRate = lr;
            }

            /// <summary>The parameters this optimizer updates, in order (the i of <c>state.{i}</c>).</summary>
            public IReadOnlyList<Parameter> parameters => _parameters;

            /// <summary>The learning rate the next <see cref="step"/> uses; schedulers set it.</summary>
            public double LearningRate
            {
                get => _learningRate;
                set => _learningRate = CheckNonNegative(value, "learning rate");
            }

            /// <summary>Performs one update of every parameter that has a gradient.</summary>
            public void step()
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
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
            }

            /// <summary>Updates every parameter that has a gradient (called under no_grad). One at a
            /// time unless an optimizer has a faster way for the whole group.</summary>
            protected virtual void UpdateAll(IReadOnlyList<(Parameter parameter, Tensor grad, ParameterState state)> group)
            {
                foreach (var (p, grad, state) in group) Update(p, grad, state);
            }

            /// <summary>Updates one parameter in place from its gradient (called under no_grad).</summary>
            protected abstract void Update(Parameter parameter, Tensor grad, ParameterState state);

            /// <summary>Sets every parameter's gradient to None (PyTorch's <c>set_to_none=True</c>):
            /// the next backward() writes fresh gradients instead of adding to old ones.</summary>
            public void zero_grad()
            {
                foreach (var p in _parameters) p.grad = null;
            }

            /// <summary>Whether this optimizer counts steps per parameter (saved as <c>state.{i}.step</c>).</summary>
            protected abstract bool CountsSteps { get; }

            /// <summary>The names of the per-parameter buffers this optimizer may keep.</summary>
            protected abstract IReadOnlyCollection<string> BufferNames { get; }

            /// <summary>Hyperparameters other than the learning rate, by PyTorch name, with getters and setters.</summary>
            protected abstract IEnumerable<(string name, Func<double> get, Action<double> set)> Hyperparameters { get; }

            IEnumerable<(string name, Func<double> get, Action<double> set)> AllHyperparameters() =>
                new[] { ("lr", (Func<double>)(() => LearningRate), (Action<double>)(v => LearningRate = v)) }.Concat(Hyperparameters);

            /// <summary>
            /// The complete optimizer state as tensors (see the class remarks for the names): saving it
            /// with the model's state_dict and loading both back resumes training bit for bit. The
            /// tensors are new handles outside every dispose scope (buffers share storage with the
            /// optimizer's): dispose them when done.
            /// </summary>
            public Dictionary<string, Tensor> state_dict()
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var dict = new Dictionary<string, Tensor>();
                for (int i = 0; i < _state.Length; i++)
                {
                    var s = _state[i];
                    if (s is null) continue;
                    if (CountsSteps) dict[$"state.{i}.step"] = tensor((float)s.Step, float32).DetachFromDisposeScope();
                    foreach (var (name, buffer) in s.Buffers) dict[$"state.{i}.{name}"] = buffer.alias().DetachFromDisposeScope();
                }
                foreach (var (name, get, _) in AllHyperparameters())
                    dict[$"param_groups.0.{name}"] = tensor(get(), float64).DetachFromDisposeScope();
                return dict;
            }

            /// <summary>
            /// Restores a state saved by <see cref="state_dict"/>: buffers are copied (onto each
            /// parameter's device and dtype), hyperparameters set. Everything is checked before
            /// anything changes, so a bad dictionary leaves the optimizer as it was.
            /// </summary>
            public void load_state_dict(IReadOnlyDictionary<string, Tensor> source)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                ArgumentNullException.ThrowIfNull(source);
                var hyper = AllHyperparameters().ToDictionary(h => h.name);
                var newHyper = new Dictionary<string, double>();
                var entries = new Dictionary<int, List<(string buffer, Tensor value)>>();
                var steps = new Dictionary<int, double>();
                foreach (var (key, value) in source)
                {
                    if (value is null) throw new ArgumentException($"optimizer state '{key}' is null", nameof(source));
                    var parts = key.Split('.');
                    if (parts.Length == 3 && parts[0] == "param_groups" && parts[1] == "0" && hyper.ContainsKey(parts[2]))
                    {
                        newHyper[parts[2]] = ScalarOf(key, value);
                        continue;
                    }
                    if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                        throw new ArgumentException($"'{key}' is not a key of {GetType().Name}'s state dict (expected state.{{i}}.{{name}} or param_groups.0.{{hyperparameter}})", nameof(source));
                    if (index >= _parameters.Length)
                        throw new ArgumentException($"'{key}' is for parameter {index}, but this optimizer has {_parameters.Length} parameters", nameof(source));
                    if (parts[2] == "step" && CountsSteps)
                    {
                        steps[index] = ScalarOf(key, value);
                        continue;
                    }
                    if (!BufferNames.Contains(parts[2]))
                        throw new ArgumentException($"'{key}': {GetType().Name} keeps no buffer named '{parts[2]}' (it keeps {string.Join(", ", BufferNames)})", nameof(source));
                    var expected = _parameters[index].shape;
                    if (!expected.SequenceEqual(value.shape))
                        throw new ArgumentException($"'{key}' has shape [{string.Join(", ", value.shape)}] but parameter {index} has shape [{string.Join(", ", expected)}]", nameof(source));
                    if (!entries.TryGetValue(index, out var list)) entries[index] = list = new();
                    list.Add((parts[2], value));
                }
                foreach (var h in hyper.Keys)
                    if (!newHyper.ContainsKey(h)) throw new ArgumentException($"the state dict lacks 'param_groups.0.{h}'", nameof(source));
                if (CountsSteps)
                {
                    foreach (var index in entries.Keys)
                        if (!steps.ContainsKey(index)) throw new ArgumentException($"the state dict has buffers for parameter {index} but no 'state.{index}.step'", nameof(source));
                }
                var fresh = new ParameterState?[_parameters.Length];
                try
                {
                    foreach (var index in steps.Keys.Union(entries.Keys))
                    {
                        var s = fresh[index] = new ParameterState { Step = steps.GetValueOrDefault(index) };
                        if (!entries.TryGetValue(index, out var list)) continue;
                        var p = _parameters[index];
                        using (no_grad())
                            foreach (var (name, value) in list)
                                s.Add(name, zeros_like(p)).copy_(value);
                    }
                }
                catch
                {
                    foreach (var s in fresh) s?.Free();
                    throw;
                }
                for (int i = 0; i < _state.Length; i++) { _state[i]?.Free(); _state[i] = fresh[i]; }
                foreach (var (name, value) in newHyper) hyper[name].set(value);
            }

            static double ScalarOf(string key, Tensor value)
            {
                if (value.numel() != 1) throw new ArgumentException($"'{key}' should hold one number but has shape [{string.Join(", ", value.shape)}]");
                return value.item<double>();
            }

            /// <summary>How many steps parameter <paramref name="index"/> has taken (0 before its first update).</summary>
            public long step_count(int index) => (long)(_state[index]?.Step ?? 0);

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

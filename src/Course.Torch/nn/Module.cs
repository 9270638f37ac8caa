using System.Reflection;

namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A building block with parameters, buffers and child modules, as in PyTorch. Fields of a
        /// derived class that hold a <see cref="Parameter"/>, a <see cref="Module"/> or a buffer registered
        /// with <see cref="register_buffer"/> are found automatically (by reflection, in declaration
        /// order) once <see cref="RegisterComponents"/> runs; call it at the end of the constructor.
        /// </summary>
        public abstract class Module : IDisposable
        {
            readonly List<(string name, Parameter param)> _parameters = new();
            readonly List<(string name, Tensor buffer)> _buffers = new();
            readonly List<(string name, Module module)> _children = new();
            bool _registered;

            protected Module(string name) => this.name = name;

            public string name { get; }
            public bool training { get; private set; } = true;

            /// <summary>Registers every Parameter and Module field of this class (and its bases).</summary>
            protected void RegisterComponents()
            {
                if (_registered) return;
                _registered = true;
                var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
                foreach (var (_, p) in _parameters) seen.Add(p);
                foreach (var (_, m) in _children) seen.Add(m);
                foreach (var field in Fields(GetType()))
                {
                    var value = field.GetValue(this);
                    var fieldName = field.Name.TrimStart('_');
                    if (value is Parameter p && seen.Add(p)) _parameters.Add((fieldName, p));
                    else if (value is Module m && seen.Add(m)) _children.Add((fieldName, m));
                }
            }

            static IEnumerable<FieldInfo> Fields(Type type)
            {
                var chain = new Stack<Type>();
                for (var t = type; t != null && t != typeof(Module); t = t.BaseType) chain.Push(t);
                foreach (var t in chain)
                    foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                                 .OrderBy(f => f.MetadataToken))
                        yield return f;
            }

            public void register_parameter(string name, Parameter? parameter)
            {
                if (parameter is null) return;
                _parameters.RemoveAll(e => e.name == name);
                _parameters.Add((name, parameter));
            }

            /// <summary>A tensor saved in the state dict but not trained (running statistics, tables).</summary>
            public void register_buffer(string name, Tensor buffer)
            {
                buffer.DetachFromDisposeScope();
                _buffers.RemoveAll(e => e.name == name);
                _buffers.Add((name, buffer));
            }

            public void register_module(string name, Module module)
            {
                _children.RemoveAll(e => e.name == name);
                _children.Add((name, module));
            }

            public IEnumerable<(string name, Module module)> named_children() { RegisterComponents(); return _children; }
            public IEnumerable<Module> children() => named_children().Select(c => c.module);

            public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
            {
                yield return (prefix, this);
                foreach (var (n, m) in named_children())
                    foreach (var sub in m.named_modules(prefix.Length == 0 ? n : prefix + "." + n))
                        yield return sub;
            }

            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                RegisterComponents();
                foreach (var p in _parameters) yield return p;
                if (!recurse) yield break;
                foreach (var (n, m) in _children)
                    foreach (var (pn, p) in m.named_parameters())
                        yield return (n + "." + pn, p);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                RegisterComponents();
                foreach (var b in _buffers) yield return b;
                if (!recurse) yield break;
                foreach (var (n, m) in _children)
                    foreach (var (bn, b) in m.named_buffers())
                        yield return (n + "." + bn, b);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            public Module train(bool on = true)
            {
                training = on;
                foreach (var c in children()) c.train(on);
                return this;
            }

            public Module eval() => train(false);

            /// <summary>Clears the gradients of all parameters: sets them to None (PyTorch 2's and TorchSharp's
            /// default), or zeroes them in place.</summary>
            public void zero_grad(bool set_to_none = true)
            {
                foreach (var p in parameters())
                {
                    if (set_to_none) { p.grad = null; continue; }
                    using var g = p.grad;
                    using (no_grad()) g?.zero_();
                }
            }

            /// <summary>Moves (or converts) every parameter and buffer in place, keeping object identity.</summary>
            public Module to(Device device) => Apply(t => t.to(device));
            public Module to(ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype) : t.alias());
            public Module to(ScalarType dtype, Device device) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype, device) : t.to(device));
            public Module cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
            public Module cpu() => to(CPU);

            Module Apply(Func<Tensor, Tensor> convert)
            {
                using (no_grad())
                {
                    foreach (var p in parameters()) p.Replace(convert);
                    foreach (var m in named_modules().Select(x => x.module)) m.ApplyToOwnBuffers(convert);
                }
                return this;
            }

            void ApplyToOwnBuffers(Func<Tensor, Tensor> convert)
            {
                foreach (var (_, b) in _buffers) b.ReplaceHandle(convert(b));
            }

            /// <summary>Every parameter and buffer by name: the module's own tensors (as TorchSharp; do not dispose them).</summary>
            public Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
            {
                var dict = destination ?? new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters()) dict[prefix + n] = p;
                foreach (var (n, b) in named_buffers()) dict[prefix + n] = b;
                return dict;
            }

            /// <summary>Copies values into the parameters and buffers. With strict, names and shapes must match exactly.</summary>
            public (IList<string> missing_keys, IList<string> unexpected_keys) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
            {
                ArgumentNullException.ThrowIfNull(source);
                if (skip is { Count: > 0 }) source = source.Where(kv => !skip.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
                var targets = new Dictionary<string, Tensor>();
                foreach (var (n, p) in named_parameters()) targets[n] = p;
                foreach (var (n, b) in named_buffers()) targets[n] = b;
                var missing = targets.Keys.Where(k => !source.ContainsKey(k)).ToList();
                var unexpected = source.Keys.Where(k => !targets.ContainsKey(k)).ToList();
                if (strict && (missing.Count > 0 || unexpected.Count > 0))
                    throw new ArgumentException($"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
                foreach (var (n, target) in targets)
                {
                    if (!source.TryGetValue(n, out var value)) continue;
                    if (!target.shape.SequenceEqual(value.shape))
                        throw new ArgumentException($"'{n}': the model has shape [{string.Join(", ", target.shape)}] but the state dict has [{string.Join(", ", value.shape)}]");
                    using (no_grad()) target.copy_(value);
                }
                return (missing, unexpected);
            }

            public virtual void Dispose()
            {
                foreach (var p in parameters(recurse: false)) p.Dispose();
                foreach (var b in buffers(recurse: false)) b.Dispose();
                foreach (var c in children()) c.Dispose();
                GC.SuppressFinalize(this);
            }

            public override string ToString() => Describe(0);

            /// <summary>Extra text after the type name in ToString() for Course.Torch's own layers, e.g. "(in=2, out=128)".</summary>
            private protected virtual string ExtraRepr() => "";

            string Describe(int indent)
            {
                var kids = named_children().ToList();
                var head = GetType().Name + ExtraRepr();
                if (kids.Count == 0) return head;
                var pad = new string(' ', indent + 2);
                return head + "(\n" + string.Join("\n", kids.Select(k => $"{pad}({k.name}): {k.module.Describe(indent + 2)}")) + "\n" + new string(' ', indent) + ")";
            }
        }

        /// <summary>A module with one input.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }
            public abstract TResult forward(T input);
            public TResult call(T input) => forward(input);
        }

        /// <summary>A module with two inputs.</summary>
        public abstract class Module<T1, T2, TResult> : Module
        {
            protected Module(string name) : base(name) { }
            public abstract TResult forward(T1 input1, T2 input2);
            public TResult call(T1 input1, T2 input2) => forward(input1, input2);
        }

        /// <summary>A module with three inputs.</summary>
        public abstract class Module<T1, T2, T3, TResult> : Module
        {
            protected Module(string name) : base(name) { }
            public abstract TResult forward(T1 input1, T2 input2, T3 input3);
            public TResult call(T1 input1, T2 input2, T3 input3) => forward(input1, input2, input3);
        }
    }
}

using System.Collections;
using static TorchSharp.torch;

namespace TorchSharp.Modules
{
    /// <summary>
    /// Runs its modules one after another. Children are named "0", "1", ... (or the names given), so
    /// state_dict keys match PyTorch's, e.g. "0.weight", "2.bias". Intermediate results are disposed as
    /// soon as the next module has consumed them (autograd keeps what it needs).
    /// </summary>
    public sealed class Sequential : nn.Module<Tensor, Tensor>, IReadOnlyList<nn.Module<Tensor, Tensor>>
    {
        readonly List<(string name, nn.Module<Tensor, Tensor> module)> _layers = new();

        internal Sequential(IEnumerable<(string name, nn.Module<Tensor, Tensor> module)> modules) : base(nameof(Sequential))
        {
            RegisterComponents();
            foreach (var (name, module) in modules) Append(name, module);
        }

        /// <summary>Adds a module at the end, named by its position.</summary>
        public Sequential append(nn.Module<Tensor, Tensor> module) => Append(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

        /// <summary>Adds a named module at the end.</summary>
        public Sequential append(string name, nn.Module<Tensor, Tensor> module) => Append(name, module);

        Sequential Append(string name, nn.Module<Tensor, Tensor> module)
        {
            ArgumentNullException.ThrowIfNull(module);
            if (string.IsNullOrEmpty(name) || name.Contains('.'))
                throw new ArgumentException($"Sequential: a child's name must be non-empty and contain no '.', got \"{name}\"", nameof(name));
            if (_layers.Any(l => l.name == name))
                throw new ArgumentException($"Sequential already has a child named \"{name}\"", nameof(name));
            _layers.Add((name, module));
            register_module(name, module);
            return this;
        }

        public int Count => _layers.Count;
        public nn.Module<Tensor, Tensor> this[int index] => _layers[index].module;
        public IEnumerator<nn.Module<Tensor, Tensor>> GetEnumerator() => _layers.Select(l => l.module).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override Tensor forward(Tensor input)
        {
            var current = input;
            foreach (var (_, module) in _layers)
            {
                var next = module.call(current);
                if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next)) current.Dispose();
                current = next;
            }
            // An empty Sequential (or one whose modules all return their argument) is the identity;
            // return a new handle so that disposing the result never disposes the caller's input.
            return ReferenceEquals(current, input) ? input.alias() : current;
        }
    }

    /// <summary>
    /// A list of modules whose parameters belong to the owner: children are registered as "0", "1", ...
    /// (state_dict keys like "blocks.0.weight", as in PyTorch). It has no forward; index or enumerate it.
    /// </summary>
    public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T> where T : nn.Module
    {
        readonly List<T> _items = new();

        internal ModuleList(IEnumerable<T> modules) : base("ModuleList")
        {
            RegisterComponents();
            foreach (var m in modules) append(m);
        }

        /// <summary>Adds a module at the end, registered under its index.</summary>
        public ModuleList<T> append(T module)
        {
            ArgumentNullException.ThrowIfNull(module);
            register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
            _items.Add(module);
            return this;
        }

        /// <summary>Same as <see cref="append"/>; lets a collection initializer fill the list.</summary>
        public void Add(T module) => append(module);

        public ModuleList<T> extend(IEnumerable<T> modules)
        {
            foreach (var m in modules) append(m);
            return this;
        }

        public int Count => _items.Count;

        public T this[int index]
        {
            get
            {
                if (index < 0) index += _items.Count;
                if (index < 0 || index >= _items.Count)
                    throw new ArgumentOutOfRangeException(nameof(index), $"ModuleList index {index} is out of range for a list of {_items.Count}");
                return _items[index];
            }
        }

        public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Modules applied in order; children named "0", "1", ...</summary>
            public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) =>
                new(modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m)));

            /// <summary>Modules applied in order, with the given child names (state_dict keys "name.weight", ...).</summary>
            public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);

            /// <summary>A list of modules registered as children "0", "1", ...</summary>
            public static Modules.ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
        }
    }
}

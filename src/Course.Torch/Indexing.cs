namespace TorchSharp;

public static partial class torch
{
    /// <summary>
    /// One entry of a tensor index, as in Python's <c>x[:, 0, None, ..., mask]</c>. Write C# ranges for
    /// slices (<c>x[.., 0]</c>, <c>x[1..^1]</c>), integers to select, <see cref="Ellipsis"/>,
    /// <see cref="None"/> for a new axis, <see cref="Slice"/> for a step, and tensors (int64 indices or
    /// bool masks) for advanced indexing.
    /// </summary>
    public sealed class TensorIndex
    {
        internal enum Kind { Single, Slice, Ellipsis, None, Tensor }

        internal readonly Kind kind;
        internal readonly long index;
        internal readonly long? start, stop;
        internal readonly long step;
        internal readonly Tensor? tensor;

        TensorIndex(Kind kind, long index = 0, long? start = null, long? stop = null, long step = 1, Tensor? tensor = null)
        {
            this.kind = kind; this.index = index; this.start = start; this.stop = stop; this.step = step; this.tensor = tensor;
        }

        public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);
        public static readonly TensorIndex None = new(Kind.None);
        public static readonly TensorIndex Colon = new(Kind.Slice);

        public static TensorIndex Single(long i) => new(Kind.Single, index: i);

        public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1)
        {
            if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), $"slice step must be positive, got {step}");
            return new(Kind.Slice, start: start, stop: stop, step: step);
        }

        public static TensorIndex Tensor(Tensor indices) => new(Kind.Tensor, tensor: indices);

        public static implicit operator TensorIndex(long i) => Single(i);
        public static implicit operator TensorIndex(int i) => Single(i);
        public static implicit operator TensorIndex(Index i) => Single(i.IsFromEnd ? -i.Value : i.Value);
        public static implicit operator TensorIndex(Range r) => Slice(
            r.Start.IsFromEnd ? (r.Start.Value == 0 ? long.MaxValue : -r.Start.Value) : r.Start.Value,
            r.End.IsFromEnd ? (r.End.Value == 0 ? null : -r.End.Value) : r.End.Value);
        public static implicit operator TensorIndex(Tensor t) => Tensor(t);
    }

    public partial class Tensor
    {
        static readonly Op s_select = new("aten::select.int"), s_slice = new("aten::slice.Tensor"),
            s_index = new("aten::index.Tensor"), s_index_put_ = new("aten::index_put_");

        /// <summary>Indexing and slicing with PyTorch's semantics; see <see cref="TensorIndex"/>.</summary>
        public Tensor this[params TensorIndex[] indices]
        {
            get => Index(indices);
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                using var target = Index(indices, out var advanced);
                if (advanced is null) target.copy_(value);
                else s_index_put_.CallInPlace(target, target, advanced, value, false);
            }
        }

        /// <summary>Sets the indexed elements to one value: <c>x.index_fill(0.0, .., 0)</c> is x[:, 0] = 0.</summary>
        public Tensor index_put_(double value, params TensorIndex[] indices)
        {
            using var target = Index(indices, out var advanced);
            if (advanced is null) target.fill_(value);
            else
            {
                using var v = full(Array.Empty<long>(), value, dtype, device);
                s_index_put_.CallInPlace(target, target, advanced, v, false);
            }
            return this;
        }

        Tensor Index(TensorIndex[] indices)
        {
            var basic = Index(indices, out var advanced);
            if (advanced is null) return basic;
            using (basic) return s_index.Call(basic, advanced);
        }

        /// <summary>Applies the basic (view) part of an index; returns the advanced part, if any,
        /// as the Tensor?[] list aten::index expects, aligned to the view's dimensions.</summary>
        Tensor Index(TensorIndex[] indices, out OptionalTensors? advanced)
        {
            ArgumentNullException.ThrowIfNull(indices);
            var sizes = shape.ToList();
            int consumed = indices.Sum(i => i.kind switch
            {
                TensorIndex.Kind.Single or TensorIndex.Kind.Slice => 1,
                TensorIndex.Kind.Tensor => i.tensor!.dtype == ScalarType.Bool ? (int)i.tensor.dim() : 1,
                _ => 0,
            });
            if (indices.Count(i => i.kind == TensorIndex.Kind.Ellipsis) > 1)
                throw new ArgumentException("an index can hold at most one ellipsis");
            if (consumed > sizes.Count)
                throw new IndexOutOfRangeException($"too many indices ({consumed}) for a tensor with {sizes.Count} dimensions, shape [{string.Join(", ", sizes)}]");

            var result = alias();
            var tensors = new List<(int dim, Tensor t)>();
            int dim = 0, sourceDim = 0; // position in the result, and in this tensor's dimensions
            try
            {
                foreach (var idx in indices)
                {
                    switch (idx.kind)
                    {
                        case TensorIndex.Kind.Ellipsis:
                            dim += sizes.Count - consumed;
                            sourceDim += sizes.Count - consumed;
                            break;
                        case TensorIndex.Kind.None:
                            Replace(ref result, result.unsqueeze(dim));
                            sizes.Insert(dim, 1);
                            dim++;
                            break;
                        case TensorIndex.Kind.Single:
                            {
                                long size = sizes[dim];
                                if (idx.index >= size || idx.index < -size)
                                    throw new IndexOutOfRangeException($"index {idx.index} is out of range for dimension {sourceDim} of size {size} (shape [{string.Join(", ", shape)}])");
                                Replace(ref result, s_select.Call(result, (long)dim, idx.index));
                                sizes.RemoveAt(dim);
                                sourceDim++;
                                break;
                            }
                        case TensorIndex.Kind.Slice:
                            Replace(ref result, s_slice.Call(result, (long)dim, idx.start, idx.stop, idx.step));
                            sizes[dim] = result.size(dim);
                            dim++;
                            sourceDim++;
                            break;
                        case TensorIndex.Kind.Tensor:
                            tensors.Add((dim, idx.tensor!));
                            var spanned = idx.tensor!.dtype == ScalarType.Bool ? (int)idx.tensor.dim() : 1;
                            dim += spanned;
                            sourceDim += spanned;
                            break;
                    }
                }
            }
            catch
            {
                result.Dispose();
                throw;
            }
            advanced = null;
            if (tensors.Count > 0)
            {
                var list = new Tensor?[tensors.Max(t => t.dim) + 1];
                foreach (var (d, t) in tensors) list[d] = t;
                advanced = new OptionalTensors(list);
            }
            return result;
        }

        static void Replace(ref Tensor current, Tensor next)
        {
            current.Dispose();
            current = next;
        }
    }
}

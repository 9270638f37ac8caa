using System.Collections;

namespace TorchSharp.Utils;

/// <summary>The elements of a tensor, as TorchSharp's <c>tensor.data&lt;T&gt;()</c> gives them. In
/// Course.Torch it holds a copy taken when it was made and cannot write back (IsReadOnly).</summary>
public sealed class TensorAccessor<T> : IEnumerable<T>, IDisposable where T : unmanaged
{
    readonly T[] _values;
    readonly long[] _shape;

    internal TensorAccessor(T[] values, long[] shape)
    {
        _values = values;
        _shape = shape;
    }

    public long Count => _values.LongLength;

    public bool IsReadOnly => true;

    /// <summary>One element by its full index (one number per dimension), or by its flat index.</summary>
    public T this[params long[] indices]
    {
        get => _values[Offset(indices)];
        set => throw new NotSupportedException("Course.Torch's data<T>() is a read-only copy; write with tensor operations (index_put_, copy_)");
    }

    long Offset(long[] indices)
    {
        if (indices.Length == 1) return indices[0] >= 0 && indices[0] < _values.LongLength ? indices[0] : throw new IndexOutOfRangeException($"index {indices[0]} is outside the {_values.LongLength} elements");
        if (indices.Length != _shape.Length) throw new ArgumentException($"{indices.Length} indices for a tensor of {_shape.Length} dimensions");
        long offset = 0;
        for (int d = 0; d < _shape.Length; d++)
        {
            if (indices[d] < 0 || indices[d] >= _shape[d]) throw new IndexOutOfRangeException($"index {indices[d]} is outside dimension {d} of size {_shape[d]}");
            offset = offset * _shape[d] + indices[d];
        }
        return offset;
    }

    public T[] ToArray() => (T[])_values.Clone();

    public void CopyTo(T[] array, int arrayIndex = 0, long tensorIndex = 0) => CopyTo(array.AsSpan(), arrayIndex, tensorIndex);

    public void CopyTo(Span<T> array, int arrayIndex = 0, long tensorIndex = 0) =>
        _values.AsSpan(checked((int)tensorIndex)).CopyTo(array[arrayIndex..]);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose() { }
}

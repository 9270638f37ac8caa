using System.Globalization;
using System.Text;

namespace Course.Visuals;

/// <summary>A tensor's values as one line of text, nested like the tensor: <c>[1.00, 2.00]</c>,
/// <c>[[1.00, 0.50], [0.50, 1.00]]</c>. For printing a few values beside a sentence in a lesson;
/// <c>x.ValuesText("F4")</c> on a tensor (see TorchAdapter.cs).</summary>
public static class ValuesText
{
    /// <summary>Values in row-major order for <paramref name="shape"/>, each written with
    /// <paramref name="format"/> (a .NET numeric format, invariant culture).</summary>
    public static string Format(IReadOnlyList<double> values, IReadOnlyList<long> shape, string format = "0.00")
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(format);
        long count = 1;
        foreach (var size in shape)
        {
            if (size < 0) throw new ArgumentException($"Sizes cannot be negative; got shape [{string.Join(", ", shape)}].", nameof(shape));
            count *= size;
        }
        if (count != values.Count)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} values; got {values.Count}.", nameof(values));
        var text = new StringBuilder();
        Append(text, values, shape, 0, 0, format);
        return text.ToString();
    }

    /// <summary>A shape as the lessons print it: <c>[2, 3]</c> (a scalar's shape is <c>[]</c>).</summary>
    public static string Shape(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return $"[{string.Join(", ", shape)}]";
    }

    static void Append(StringBuilder text, IReadOnlyList<double> values, IReadOnlyList<long> shape, int dim, long offset, string format)
    {
        if (dim == shape.Count)
        {
            text.Append(values[(int)offset].ToString(format, CultureInfo.InvariantCulture));
            return;
        }
        long stride = 1;
        for (int d = dim + 1; d < shape.Count; d++) stride *= shape[d];
        text.Append('[');
        for (long i = 0; i < shape[dim]; i++)
        {
            if (i > 0) text.Append(", ");
            Append(text, values, shape, dim + 1, offset + i * stride, format);
        }
        text.Append(']');
    }
}

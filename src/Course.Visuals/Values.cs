namespace Course.Visuals;

/// <summary>A column of numbers for a trace. Converts implicitly from arrays and lists of
/// double, float, int and long, so every plotting method takes whatever the caller holds.</summary>
public readonly partial struct Values
{
    private readonly double[]? _data;

    public Values(double[] data) => _data = data ?? throw new ArgumentNullException(nameof(data));

    public double[] Data => _data ?? [];
    public int Length => Data.Length;
    public double this[int i] => Data[i];

    public static implicit operator Values(double[] a) => new(a);
    public static implicit operator Values(float[] a) => new(Array.ConvertAll(a, v => (double)v));
    public static implicit operator Values(int[] a) => new(Array.ConvertAll(a, v => (double)v));
    public static implicit operator Values(long[] a) => new(Array.ConvertAll(a, v => (double)v));
    public static implicit operator Values(List<double> a) => new(a.ToArray());
    public static implicit operator Values(List<float> a) => new(a.Select(v => (double)v).ToArray());
    public static implicit operator Values(List<int> a) => new(a.Select(v => (double)v).ToArray());

    public static Values From(IEnumerable<double> values) => new(values.ToArray());
    public static Values From(IEnumerable<float> values) => new(values.Select(v => (double)v).ToArray());

    /// <summary>0, 1, ..., n-1.</summary>
    public static Values Range(int n) => new(Enumerable.Range(0, n).Select(i => (double)i).ToArray());

    /// <summary>n evenly spaced numbers from start to stop inclusive.</summary>
    public static Values Linspace(double start, double stop, int n) =>
        new(Enumerable.Range(0, n).Select(i => n == 1 ? start : start + (stop - start) * i / (n - 1)).ToArray());
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>
/// Per-feature standardisation, x' = (x - mean) / std, fitted on data of shape [n, d]; the inverse
/// maps samples back to data units. Useful when a toy set of another scale should meet the noise
/// schedules of the lessons, which assume data of roughly unit variance.
/// </summary>
public sealed class Standardizer : IDisposable
{
    Standardizer(Tensor mean, Tensor std) { Mean = mean; Std = std; }

    /// <summary>Per-feature mean, [1, d].</summary>
    public Tensor Mean { get; }

    /// <summary>Per-feature standard deviation (population, divides by n), [1, d].</summary>
    public Tensor Std { get; }

    /// <param name="data">[n, d] with n at least 2.</param>
    /// <param name="minimumStd">A floor for the std, so a constant feature does not divide by zero.</param>
    public static Standardizer Fit(Tensor data, double minimumStd = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ndim != 2 || data.shape[0] < 2)
            throw new ArgumentException($"Standardizer.Fit needs data of shape [n, d] with n >= 2, got [{string.Join(", ", data.shape)}]", nameof(data));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mean = data.mean(new long[] { 0 }, keepdim: true);
        var std = data.std(0L, unbiased: false, keepdim: true).clamp_min(minimumStd);
        return new Standardizer(mean.DetachFromDisposeScope(), std.DetachFromDisposeScope());
    }

    public Tensor Normalize(Tensor x)
    {
        using var mean = Mean.to(x);
        using var centred = x - mean;
        using var std = Std.to(x);
        return centred / std;
    }

    public Tensor Denormalize(Tensor x)
    {
        using var std = Std.to(x);
        using var scaled = x * std;
        using var mean = Mean.to(x);
        return scaled + mean;
    }

    public void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
    }
}

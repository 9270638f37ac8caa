using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>Checks and conversions the image metrics share for feature matrices [N, D].</summary>
internal static class FeatureMatrices
{
    public static void Check(Tensor features, string name, long minimumRows)
    {
        ArgumentNullException.ThrowIfNull(features, name);
        if (features.ndim != 2)
            throw new ArgumentException($"{name} must be a feature matrix [N, D], got shape [{string.Join(", ", features.shape)}]", name);
        if (features.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"{name} must hold floating-point features, got {features.dtype}", name);
        if (features.shape[0] < minimumRows)
            throw new ArgumentException($"{name} needs at least {minimumRows} feature vectors, got {features.shape[0]}", name);
        if (features.shape[1] < 1) throw new ArgumentException($"{name} has no feature dimensions", name);
    }

    public static void CheckPair(Tensor samples, Tensor reference, long minimumRows)
    {
        Check(samples, nameof(samples), minimumRows);
        Check(reference, nameof(reference), minimumRows);
        if (samples.shape[1] != reference.shape[1])
            throw new ArgumentException($"samples have {samples.shape[1]} features per vector but the reference has {reference.shape[1]}");
    }

    public static double[] ToArray(Tensor t) => t.contiguous().cpu().to(float64).data<double>().ToArray();

    public static double[,] ToMatrix(Tensor t, int d)
    {
        var flat = ToArray(t);
        var m = new double[d, d];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Schedules;

/// <summary>
/// Gathers one schedule coefficient per sample and shapes it to broadcast against a batch
/// (lucidrains' <c>extract</c>): for t of shape [B] and x of shape [B, ...], returns [B, 1, ..., 1].
/// </summary>
public static class Coefficients
{
    /// <summary>
    /// <paramref name="coefficients"/>[t], gathered in float64 on x's device, then cast to x's dtype
    /// and shaped [B, 1, ..., 1] to match <paramref name="x"/>.
    /// </summary>
    public static Tensor Extract(double[] coefficients, Tensor t, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(x);
        using var table = torch.tensor(coefficients, dtype: float64, device: x.device);
        using var onDevice = t.device.Equals(x.device) ? null : t.to(x.device);
        using var gathered = Extract(table, onDevice ?? t, x.shape);
        return gathered.to(x.dtype);
    }

    /// <summary><paramref name="coefficients"/>[t] (a 1-D tensor indexed by an int64 t of shape [B]),
    /// reshaped to [B, 1, ..., 1] with as many dimensions as <paramref name="shape"/>.</summary>
    public static Tensor Extract(Tensor coefficients, Tensor t, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(shape);
        CheckTimesteps(t, coefficients.shape[0], shape.Length > 0 ? shape[0] : -1);
        using var gathered = coefficients.gather(0, t);
        var view = new long[Math.Max(shape.Length, 1)];
        Array.Fill(view, 1L);
        view[0] = t.shape[0];
        return gathered.reshape(view);
    }

    /// <summary>A batch of the same timestep: an int64 tensor of shape [batch] filled with <paramref name="t"/>.</summary>
    public static Tensor Timestep(long t, long batch, Device? device = null) =>
        torch.full(new[] { batch }, t, int64, device);

    internal static void CheckTimesteps(Tensor t, long length, long batch)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dtype != int64) throw new ArgumentException($"timesteps must be an int64 tensor, got {t.dtype}", nameof(t));
        if (t.ndim != 1) throw new ArgumentException($"timesteps must have shape [batch], got [{string.Join(", ", t.shape)}]", nameof(t));
        if (batch >= 0 && t.shape[0] != batch)
            throw new ArgumentException($"{t.shape[0]} timesteps for a batch of {batch}", nameof(t));
        if (t.numel() == 0) return;
        using var min = t.min();
        using var max = t.max();
        long lo = min.item<long>(), hi = max.item<long>();
        if (lo < 0 || hi >= length)
            throw new ArgumentOutOfRangeException(nameof(t), $"timesteps must lie in 0..{length - 1}, got {lo}..{hi}");
    }
}

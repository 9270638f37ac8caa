using System.Runtime.CompilerServices;
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
    /// <paramref name="coefficients"/>[t], computed in float64, cast to x's dtype and shaped
    /// [B, 1, ..., 1] to match <paramref name="x"/>. The table is made once per array, device and
    /// dtype (casting before or after gathering gives the same numbers), so a training or sampling
    /// loop does not copy the schedule to the device at every step.
    /// </summary>
    public static Tensor Extract(double[] coefficients, Tensor t, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(x);
        var table = s_tables.GetValue(coefficients, c => new TableCache(c)).For(x.device, x.dtype);
        using var onDevice = t.device.Equals(x.device) ? null : t.to(x.device);
        return Extract(table, onDevice ?? t, x.shape);
    }

    static readonly ConditionalWeakTable<double[], TableCache> s_tables = new();

    /// <summary>One schedule array as tensors, per device and dtype; freed with the array.</summary>
    sealed class TableCache(double[] values)
    {
        readonly Dictionary<(DeviceType, int, ScalarType), Tensor> _tables = new();

        public Tensor For(Device device, ScalarType dtype)
        {
            lock (_tables)
            {
                var key = (device.type, device.index, dtype);
                if (!_tables.TryGetValue(key, out var table))
                {
                    using var exact = torch.tensor(values, dtype: float64, device: device);
                    table = exact.to(dtype).DetachFromDisposeScope();
                    _tables[key] = table;
                }
                return table;
            }
        }
    }

    /// <summary><paramref name="coefficients"/>[t] (a 1-D tensor indexed by an int64 t of shape [B]),
    /// reshaped to [B, 1, ..., 1] with as many dimensions as <paramref name="shape"/>.</summary>
    public static Tensor Extract(Tensor coefficients, Tensor t, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(shape);
        long length = coefficients.shape[0];
        CheckTimesteps(t, length, shape.Length > 0 ? shape[0] : -1, checkRange: t.device_type != DeviceType.CPU);
        Tensor gathered;
        try { gathered = coefficients.gather(0, t); }
        catch (System.Runtime.InteropServices.ExternalException e) when (t.device_type == DeviceType.CPU)
        {
            // On the CPU gather itself reports a bad index; say it in the schedule's terms.
            CheckTimesteps(t, length, -1, checkRange: true);
            throw new ArgumentException(e.Message, nameof(t), e);
        }
        using var _ = gathered;
        var view = new long[Math.Max(shape.Length, 1)];
        Array.Fill(view, 1L);
        view[0] = t.shape[0];
        return gathered.reshape(view);
    }

    /// <summary>A batch of the same timestep: an int64 tensor of shape [batch] filled with <paramref name="t"/>.</summary>
    public static Tensor Timestep(long t, long batch, Device? device = null) =>
        torch.full(new[] { batch }, t, int64, device);

    /// <summary>Validates timesteps. The range check costs a reduction and a device-to-host copy, so
    /// <see cref="Extract(Tensor, Tensor, long[])"/> runs it up front only off the CPU, where an
    /// out-of-range gather would be a fatal device-side assert rather than an exception.</summary>
    internal static void CheckTimesteps(Tensor t, long length, long batch, bool checkRange = true)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.dtype != int64) throw new ArgumentException($"timesteps must be an int64 tensor, got {t.dtype}", nameof(t));
        if (t.ndim != 1) throw new ArgumentException($"timesteps must have shape [batch], got [{string.Join(", ", t.shape)}]", nameof(t));
        if (batch >= 0 && t.shape[0] != batch)
            throw new ArgumentException($"{t.shape[0]} timesteps for a batch of {batch}", nameof(t));
        if (!checkRange || t.numel() == 0) return;
        var (lo, hi) = IntegerRange.Of(t);
        if (lo < 0 || hi >= length)
            throw new ArgumentOutOfRangeException(nameof(t), $"timesteps must lie in 0..{length - 1}, got {lo}..{hi}");
    }
}

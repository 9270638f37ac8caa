using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>Shared plumbing of the toy samplers: where to draw, categorical draws, the final cast.</summary>
static class ToySampling
{
    public static void CheckCount(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, LearnerMessages.PointCountNegative);
    }

    /// <summary>
    /// Random numbers are drawn on the generator's device (CPU for the global generator), then the
    /// result moves to the requested device: a CPU generator gives the same points for every device.
    /// </summary>
    public static Device DrawDevice(Generator? generator) => generator?.device ?? CPU;

    /// <summary>n draws from Categorical(weights) (weights normalised), as int64 [n]: the inverse CDF of one uniform each.</summary>
    public static Tensor Categorical(long n, double[] weights, Generator? generator, Device drawDevice)
    {
        double total = weights.Sum();
        var cumulative = new double[weights.Length - 1];
        double running = 0;
        for (int i = 0; i < cumulative.Length; i++) { running += weights[i] / total; cumulative[i] = running; }
        using var u = rand(new[] { n }, float64, drawDevice, generator: generator);
        using var cdf = tensor(cumulative, new long[] { cumulative.Length }, float64, drawDevice);
        using var uColumn = u.unsqueeze(1);
        using var cdfRow = cdf.unsqueeze(0);
        using var passed = uColumn.ge(cdfRow);
        // The component is the number of cumulative weights at or below u.
        return passed.sum(1);
    }

    /// <summary>float64 points to float32 on the requested device (default: where they were drawn).</summary>
    public static Tensor Finish(Tensor points, Device? device) =>
        device is null ? points.to(float32) : points.to(float32, device);
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion;

/// <summary>The smallest and largest value of an integer tensor, for validating indices.</summary>
internal static class IntegerRange
{
    /// <summary>(min, max) of a non-empty integer tensor, both ends in one device-to-host copy
    /// (each copy waits for a GPU).</summary>
    public static (long Low, long High) Of(Tensor values)
    {
        using var low = values.min();
        using var high = values.max();
        using var stacked = stack(new[] { low, high });
        using var ends = stacked.to(int64);
        var range = ends.data<long>().ToArray();
        return (range[0], range[1]);
    }
}

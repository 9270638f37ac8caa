using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Samplers;

/// <summary>Seeded Gaussian noise on any device.</summary>
public static class Noise
{
    /// <summary>
    /// Standard normal noise of the given shape. A generator lives on one device; noise is drawn there and
    /// moved, so a CPU generator gives the same numbers whether sampling runs on the CPU or a GPU.
    /// </summary>
    public static Tensor Randn(long[] shape, ScalarType dtype, Device device, Generator? generator)
    {
        if (generator is null || generator.device.Equals(device) || (generator.device.type == device.type && device.type == DeviceType.CPU))
            return randn(shape, dtype, device, generator: generator);
        using var drawn = randn(shape, dtype, generator.device, generator: generator);
        return drawn.to(device);
    }

    /// <summary>Noise shaped like <paramref name="like"/> (same dtype and device).</summary>
    public static Tensor RandnLike(Tensor like, Generator? generator) => Randn(like.shape, like.dtype, like.device, generator);
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>The course's normalization layers, started as PyTorch starts them, on both engines.</summary>
public static class Normalization
{
    /// <summary>
    /// <c>nn.GroupNorm(groups, channels)</c> with its affine parameters at PyTorch's initial values,
    /// scale γ = 1 and shift β = 0, so a fresh layer only normalizes. TorchSharp 0.107's nn.GroupNorm
    /// leaves them as allocated (measured: values up to 1e35 in a fresh layer, which made every new
    /// UNet output NaN); setting them here costs nothing on Course.Torch, which already did.
    /// </summary>
    public static TorchSharp.Modules.GroupNorm GroupNorm(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            norm.weight!.fill_(1.0);
            norm.bias!.zero_();
        }
        return norm;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>Halves the resolution with a learned 3x3 convolution of stride 2 (Ho et al. 2020, Appendix B).</summary>
public sealed class Downsample : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;

    public Downsample(int channels) : base(nameof(Downsample))
    {
        conv = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => conv.call(x);
}

/// <summary>Doubles the resolution: nearest-neighbour upsampling, then a 3x3 convolution (Ho et al. 2020, Appendix B).</summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv;

    public Upsample(int channels) : base(nameof(Upsample))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var doubled = NearestDouble(x);
        return conv.call(doubled);
    }

    /// <summary>Each pixel becomes a 2x2 block: [B, C, H, W] → [B, C, 2H, 2W]
    /// (what <c>interpolate(x, scale_factor: 2, mode: "nearest")</c> computes).</summary>
    public static Tensor NearestDouble(Tensor x)
    {
        var s = x.shape;
        using var a = x.reshape(s[0], s[1], s[2], 1, s[3], 1);
        using var b = a.expand(s[0], s[1], s[2], 2, s[3], 2);
        return b.reshape(s[0], s[1], 2 * s[2], 2 * s[3]);
    }
}

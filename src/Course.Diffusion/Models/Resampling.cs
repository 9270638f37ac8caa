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
        using var doubled = nn.functional.interpolate(x, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
        return conv.call(doubled);
    }
}

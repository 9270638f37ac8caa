using Course.Diffusion.Checkpoints;
using Course.Diffusion.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// A small convolutional network from a latent code [B, J] to an image [B, C, S, S] (VAE decoder, GAN generator):
/// <code>Linear → 2w × S/4 × S/4 → (nearest ×2, 3×3 conv, GroupNorm, SiLU) to w × S/2 → the same to w × S → 3×3 conv to C</code>
/// Nearest-neighbour upsampling and a convolution rather than a transposed convolution, which avoids the
/// checkerboard artefacts of overlapping strides (Odena, Dumoulin &amp; Olah 2016). The output is unbounded:
/// the VAE reads it as Bernoulli logits or a Gaussian mean, the GAN squashes it with tanh into [−1, 1].
/// </summary>
public sealed class ImageDecoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> project;
    readonly nn.Module<Tensor, Tensor> up1;
    readonly nn.Module<Tensor, Tensor> up2;
    readonly nn.Module<Tensor, Tensor> output;

    public ImageDecoder(int latentDimension, int channels, int imageSize, int width) : base(nameof(ImageDecoder))
    {
        if (latentDimension < 1 || channels < 1 || width < 1) throw new ArgumentException($"latent dimension, channels and width must be positive, got {latentDimension}, {channels}, {width}");
        if (imageSize < 4 || imageSize % 4 != 0) throw new ArgumentException($"the image size must be divisible by 4, got {imageSize}");
        LatentDimension = latentDimension;
        Channels = channels;
        ImageSize = imageSize;
        Width = width;
        long quarter = imageSize / 4;
        project = nn.Sequential(nn.Linear(latentDimension, 2 * width * quarter * quarter), nn.SiLU());
        up1 = nn.Sequential(nn.Conv2d(2 * width, width, 3, padding: 1), Normalization.GroupNorm(Groups(width), width), nn.SiLU());
        up2 = nn.Sequential(nn.Conv2d(width, width, 3, padding: 1), Normalization.GroupNorm(Groups(width), width), nn.SiLU());
        output = nn.Conv2d(width, channels, 3, padding: 1);
        RegisterComponents();
    }

    public int LatentDimension { get; }
    public int Channels { get; }
    public int ImageSize { get; }
    public int Width { get; }

    static int Groups(int channels) => channels % 8 == 0 ? 8 : 1;

    public override Tensor forward(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != LatentDimension)
            throw new ArgumentException($"{nameof(ImageDecoder)} expects latent codes [batch, {LatentDimension}], got [{string.Join(", ", z.shape)}]", nameof(z));
        using var scope = NewDisposeScope();
        long quarter = ImageSize / 4;
        var h = project.call(z).reshape(z.shape[0], 2 * Width, quarter, quarter);
        h = up1.call(nn.functional.interpolate(h, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest));
        h = up2.call(nn.functional.interpolate(h, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest));
        return output.call(h).MoveToOuterDisposeScope();
    }
}

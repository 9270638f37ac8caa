using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// A small convolutional network from an image [B, C, S, S] to a vector [B, outputs], in the style of DCGAN's
/// discriminator (Radford et al. 2016: strided convolutions instead of pooling, LeakyReLU 0.2):
/// <code>3×3 conv (w) → 4×4 conv stride 2 (w, S/2) → 4×4 conv stride 2 (2w, S/4) → Linear</code>
/// No normalisation layers, so each example's output depends on that example alone (a discriminator with
/// batch statistics can tell a batch of fakes by the batch).
/// </summary>
public sealed class ImageEncoder : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> features;
    readonly nn.Module<Tensor, Tensor> head;

    public ImageEncoder(int channels, int imageSize, int width, long outputs) : base(nameof(ImageEncoder))
    {
        if (channels < 1 || imageSize < 4 || imageSize % 4 != 0) throw new ArgumentException($"need images with at least one channel and a size divisible by 4, got {channels}×{imageSize}×{imageSize}");
        if (width < 1 || outputs < 1) throw new ArgumentException($"width and outputs must be positive, got {width} and {outputs}");
        Channels = channels;
        ImageSize = imageSize;
        features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Flatten());
        long quarter = imageSize / 4;
        head = nn.Linear(2 * width * quarter * quarter, outputs);
        RegisterComponents();
    }

    public int Channels { get; }
    public int ImageSize { get; }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != Channels || x.shape[2] != ImageSize || x.shape[3] != ImageSize)
            throw new ArgumentException($"{nameof(ImageEncoder)} expects images [batch, {Channels}, {ImageSize}, {ImageSize}], got [{string.Join(", ", x.shape)}]", nameof(x));
        using var h = features.call(x);
        return head.call(h);
    }
}

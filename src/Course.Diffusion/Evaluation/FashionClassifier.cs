using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Course.Diffusion.Evaluation;

/// <summary>
/// The small convolutional classifier whose features the course's image metrics compare (FID, KID, precision
/// and recall), trained on Fashion-MNIST, in the spirit of Inception-v3 for ImageNet-sized images:
/// <code>
/// [B, 1, 28, 28] → conv 3×3 32, BN, ReLU, max-pool → 14×14
///                → conv 3×3 64, BN, ReLU, max-pool → 7×7
///                → conv 3×3 128, BN, ReLU, max-pool → 3×3 → flatten 1152
///                → Linear 128, ReLU        = the features (D = 128)
///                → dropout → Linear 10     = the class logits
/// </code>
/// The feature layer is the last hidden layer, the only input of the class head: everything the network keeps
/// about an image for telling the classes apart passes through it. D = 128 rather than Inception's 2048 because
/// FID and KID estimate moments of D-dimensional features from the samples: a covariance has D(D + 1)/2 entries,
/// and at the course's sample sizes (a few hundred to 10,000) 128 dimensions keep n well above D, so the
/// covariance has full rank and FID's small-sample bias stays moderate.
/// Inputs are images in [−1, 1], as the course's data sets and samplers produce them.
/// </summary>
public sealed class FashionClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>The dimension of <see cref="Features"/>.</summary>
    public const int FeatureDimension = 128;

    /// <summary>Fashion-MNIST's ten classes.</summary>
    public const int Classes = 10;

    /// <summary>The side of the square grey images it takes.</summary>
    public const int ImageSize = 28;

    readonly nn.Module<Tensor, Tensor> conv1, norm1, conv2, norm2, conv3, norm3, hidden, head;
    readonly double _dropout;

    public FashionClassifier(double dropout = 0.3) : base(nameof(FashionClassifier))
    {
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must lie in [0, 1)");
        _dropout = dropout;
        conv1 = nn.Conv2d(1, 32, 3, padding: 1, bias: false);
        norm1 = nn.BatchNorm2d(32);
        conv2 = nn.Conv2d(32, 64, 3, padding: 1, bias: false);
        norm2 = nn.BatchNorm2d(64);
        conv3 = nn.Conv2d(64, 128, 3, padding: 1, bias: false);
        norm3 = nn.BatchNorm2d(128);
        hidden = nn.Linear(128 * 3 * 3, FeatureDimension);
        head = nn.Linear(FeatureDimension, Classes);
        RegisterComponents();
    }

    /// <summary>The 128 features of each image, [B, 128], non-negative (after the ReLU).</summary>
    public Tensor Features(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.ndim != 4 || images.shape[1] != 1 || images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            throw new ArgumentException($"{nameof(FashionClassifier)} expects grey images [B, 1, {ImageSize}, {ImageSize}] in [-1, 1], " +
                $"got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        var h = Block(images, conv1, norm1);
        h = Block(h, conv2, norm2);
        h = Block(h, conv3, norm3);
        return F.relu(hidden.call(h.flatten(1))).MoveToOuterDisposeScope();
    }

    /// <summary>The class logits [B, 10] from features [B, 128].</summary>
    public Tensor Classify(Tensor features)
    {
        using var scope = NewDisposeScope();
        return head.call(F.dropout(features, _dropout, training)).MoveToOuterDisposeScope();
    }

    /// <summary>The class logits [B, 10] of images [B, 1, 28, 28].</summary>
    public override Tensor forward(Tensor images)
    {
        using var features = Features(images);
        return Classify(features);
    }

    static Tensor Block(Tensor x, nn.Module<Tensor, Tensor> conv, nn.Module<Tensor, Tensor> norm)
    {
        using var scope = NewDisposeScope();
        return F.max_pool2d(F.relu(norm.call(conv.call(x))), 2).MoveToOuterDisposeScope();
    }
}

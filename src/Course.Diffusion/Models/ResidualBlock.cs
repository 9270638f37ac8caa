using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// The UNet's residual block with a timestep input (Ho et al. 2020, Appendix B; their code's
/// <c>resnet_block</c>, after Zagoruyko &amp; Komodakis's Wide ResNet):
/// <code>
/// h = Conv3x3(SiLU(GroupNorm(x)))
/// h = h + Linear(SiLU(temb))[:, :, None, None]     // the timestep, one shift per channel
/// h = Conv3x3(Dropout(SiLU(GroupNorm(h))))
/// return skip(x) + h                               // skip = 1x1 conv when the channels change
/// </code>
/// The second convolution starts at zero (as in Ho et al.'s code), so each block begins as the identity.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor, Tensor>, IDescribedModule
{
    readonly nn.Module<Tensor, Tensor> norm1, conv1, time_projection, norm2, dropout, conv2, activation;
    readonly nn.Module<Tensor, Tensor>? skip;

    public ResidualBlock(int inChannels, int outChannels, int timeEmbeddingDimension, double dropoutProbability, int groups)
        : base(nameof(ResidualBlock))
    {
        UNet.CheckGroups(inChannels, groups);
        UNet.CheckGroups(outChannels, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        norm1 = Normalization.GroupNorm(groups, inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        time_projection = nn.Linear(timeEmbeddingDimension, outChannels);
        norm2 = Normalization.GroupNorm(groups, outChannels);
        dropout = nn.Dropout(dropoutProbability);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        activation = nn.SiLU();
        if (inChannels != outChannels) skip = nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
        UNet.ZeroParameters(conv2);
    }

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>x [B, C_in, H, W], temb [B, E] → [B, C_out, H, W].</summary>
    public override Tensor forward(Tensor x, Tensor timeEmbedding)
    {
        using var n1 = norm1.call(x);
        using var a1 = activation.call(n1);
        using var h1 = conv1.call(a1);
        using var ta = activation.call(timeEmbedding);
        using var tp = time_projection.call(ta);
        using var shift = tp.view(tp.size(0), tp.size(1), 1, 1);
        using var h2 = h1 + shift;
        using var n2 = norm2.call(h2);
        using var a2 = activation.call(n2);
        using var d2 = dropout.call(a2);
        using var h3 = conv2.call(d2);
        if (skip is null) return x + h3;
        using var projected = skip.call(x);
        return projected + h3;
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() => $"({InChannels} → {OutChannels})";
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// A residual block whose embedding scales and shifts the normalised features (FiLM, Perez et al.
/// 2018; the "scale-shift norm" of Nichol &amp; Dhariwal 2021, §3 and their code):
/// <code>
/// h = Conv3x3(SiLU(GroupNorm(x)))
/// (γ, β) = Linear(emb)                             // emb: time (+ class), already through SiLU
/// h = Conv3x3(SiLU(GroupNorm(h) · (1 + γ) + β))
/// return skip(x) + h                               // skip = 1x1 conv when the channels change
/// </code>
/// <see cref="ResidualBlock"/> only adds a shift; a scale as well lets the noise level turn whole
/// channels up or down, which helps a small network most. The second convolution starts at zero,
/// so each block begins as the identity (or as its skip).
/// </summary>
public sealed class ScaleShiftBlock : nn.Module<Tensor, Tensor, Tensor>, IDescribedModule
{
    readonly nn.Module<Tensor, Tensor> norm1, conv1, embedding_projection, norm2, conv2, activation;
    readonly nn.Module<Tensor, Tensor>? skip;

    public ScaleShiftBlock(int inChannels, int outChannels, int embeddingDimension, int groups) : base(nameof(ScaleShiftBlock))
    {
        UNet.CheckGroups(inChannels, groups);
        UNet.CheckGroups(outChannels, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        norm1 = Normalization.GroupNorm(groups, inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        embedding_projection = nn.Linear(embeddingDimension, 2 * outChannels);
        norm2 = Normalization.GroupNorm(groups, outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        activation = nn.SiLU();
        if (inChannels != outChannels) skip = nn.Conv2d(inChannels, outChannels, 1);
        RegisterComponents();
        UNet.ZeroParameters(conv2);
    }

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>x [B, C_in, H, W], emb [B, E] (after SiLU) → [B, C_out, H, W].</summary>
    public override Tensor forward(Tensor x, Tensor embedding)
    {
        using var n1 = norm1.call(x);
        using var a1 = activation.call(n1);
        using var h1 = conv1.call(a1);
        using var projected = embedding_projection.call(embedding);
        using var both = projected.view(projected.size(0), 2 * OutChannels, 1, 1);
        var halves = both.chunk(2, 1);
        using var scale = halves[0];
        using var shift = halves[1];
        using var n2 = norm2.call(h1);
        using var onePlus = scale + 1.0;
        using var scaled = n2 * onePlus;
        using var modulated = scaled + shift;
        using var a2 = activation.call(modulated);
        using var h2 = conv2.call(a2);
        if (skip is null) return x + h2;
        using var skipped = skip.call(x);
        return skipped + h2;
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() => $"({InChannels} → {OutChannels})";
}

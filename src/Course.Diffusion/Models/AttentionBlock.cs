using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// Self-attention over the pixels of a feature map, with a residual connection (Ho et al. 2020,
/// Appendix B: used at the lowest resolutions; the attention is Vaswani et al. 2017, eq. 1):
/// <code>
/// q, k, v = split(Conv1x1(GroupNorm(x)))                  // per head: [d, H·W] each, d = C / heads
/// A = softmax(qᵀ k / √d)                                   // [H·W, H·W], rows sum to 1
/// return x + Conv1x1(concat over heads of v Aᵀ)
/// </code>
/// Every pixel can look at every other one, which convolutions at a 7x7 resolution reach only
/// slowly. The output projection starts at zero (as in Ho et al.'s code), so the block begins as the identity.
/// </summary>
public sealed class AttentionBlock : nn.Module<Tensor, Tensor>, IDescribedModule
{
    readonly nn.Module<Tensor, Tensor> norm, qkv, projection;

    public AttentionBlock(int channels, int heads, int groups) : base(nameof(AttentionBlock))
    {
        UNet.CheckGroups(channels, groups);
        if (heads < 1 || channels % heads != 0)
            throw new ArgumentException($"the attention heads ({heads}) must divide the channels ({channels})", nameof(heads));
        Channels = channels;
        Heads = heads;
        norm = Normalization.GroupNorm(groups, channels);
        qkv = nn.Conv2d(channels, 3 * channels, 1);
        projection = nn.Conv2d(channels, channels, 1);
        RegisterComponents();
        UNet.ZeroParameters(projection);
    }

    public int Channels { get; }
    public int Heads { get; }

    /// <summary>x [B, C, H, W] → [B, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        var s = x.shape;
        long batch = s[0], channels = s[1], height = s[2], width = s[3];
        long headDim = channels / Heads, pixels = height * width;
        using var normalized = norm.call(x);
        using var projected = qkv.call(normalized);                                  // [B, 3C, H, W]
        using var grouped = projected.reshape(batch, 3, Heads, headDim, pixels);     // channel = part·C + head·d + j
        var parts = grouped.unbind(1);
        try
        {
            using var q = parts[0].reshape(batch * Heads, headDim, pixels);
            using var k = parts[1].reshape(batch * Heads, headDim, pixels);
            using var v = parts[2].reshape(batch * Heads, headDim, pixels);
            using var qT = q.transpose(1, 2);                                        // [BH, HW, d]
            using var scores = qT.bmm(k);                                            // [BH, HW_q, HW_k]
            using var scaled = scores * (1.0 / Math.Sqrt(headDim));
            using var weights = scaled.softmax(-1);
            using var weightsT = weights.transpose(1, 2);                            // [BH, HW_k, HW_q]
            using var attended = v.bmm(weightsT);                                    // [BH, d, HW_q]
            using var merged = attended.reshape(batch, channels, height, width);
            using var output = projection.call(merged);
            return x + output;
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() => $"(channels={Channels}, heads={Heads})";
}

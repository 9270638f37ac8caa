using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// A UNet shaped for training in minutes on a CPU (lesson 10), with the same interface as
/// <see cref="UNet"/> (any sampler, guidance and trainer take either):
/// <code>
/// emb = SiLU(MLP(sinusoidal(t)) [+ Embedding(class)])
/// h = Conv3x3(SpaceToDepth(x, p))         // each p x p patch of pixels becomes p² channels
/// down: per level, ScaleShiftBlocks, keeping each output; then a stride-2 conv
/// middle: one ScaleShiftBlock
/// up: per level, ScaleShiftBlocks on concat(h, kept); then nearest-neighbour upsampling
/// return DepthToSpace(Conv3x3(SiLU(GroupNorm(h))), p)
/// </code>
/// Why this shape: a convolution costs the same multiply-adds at every level of a UNet whose channels
/// double as the resolution halves, but the full-resolution level moves four times the data through
/// every normalisation, activation and copy, and small channel counts use a CPU's vector units
/// poorly. Folding 2x2 patches into channels (as vision transformers cut images into patches,
/// Dosovitskiy et al. 2021, and DiT its latents, Peebles &amp; Xie 2023) skips that level; the last
/// layer predicts all four pixels of each patch, so the output keeps the full resolution. No
/// attention: at 7x7 two 3x3 convolutions already see the whole image. Blocks condition on time
/// and class by scale and shift (<see cref="ScaleShiftBlock"/>). The output layer starts at zero.
/// </summary>
public sealed class CompactUNet : DenoisingModel, IDescribedModule
{
    readonly SinusoidalTimeEmbedding time_embedding;
    readonly nn.Module<Tensor, Tensor> time_mlp;
    readonly nn.Module<Tensor, Tensor>? class_embedding;
    readonly nn.Module<Tensor, Tensor> input_conv;
    readonly ModuleList<ScaleShiftBlock> down;
    readonly ModuleList<nn.Module<Tensor, Tensor>> downsample;
    readonly ScaleShiftBlock middle;
    readonly ModuleList<ScaleShiftBlock> up;
    readonly nn.Module<Tensor, Tensor> output_norm, output_activation, output_conv, activation;

    public CompactUNet(CompactUNetConfig? config = null) : base(nameof(CompactUNet), (config ?? new CompactUNetConfig()).NumClasses)
    {
        Config = config ?? new CompactUNetConfig();
        Config.Validate();
        var c = Config;
        int embedding = c.EmbeddingDimension, groups = c.Groups, patchChannels = c.InChannels * c.Patch * c.Patch;
        time_embedding = new SinusoidalTimeEmbedding(Math.Max(16, c.Channels[0] + c.Channels[0] % 2));
        time_mlp = nn.Sequential(nn.Linear(time_embedding.Dimension, embedding), nn.SiLU(), nn.Linear(embedding, embedding));
        if (c.NumClasses > 0) class_embedding = nn.Embedding(c.NumClasses + 1, embedding);
        input_conv = nn.Conv2d(patchChannels, c.Channels[0], 3, padding: 1);

        var downBlocks = new List<ScaleShiftBlock>();
        var resamplers = new List<nn.Module<Tensor, Tensor>>();
        var kept = new Stack<int>();
        int ch = c.Channels[0];
        for (int level = 0; level < c.Channels.Length; level++)
        {
            for (int b = 0; b < c.BlocksPerLevel; b++)
            {
                downBlocks.Add(new ScaleShiftBlock(ch, c.Channels[level], embedding, groups));
                ch = c.Channels[level];
                kept.Push(ch);
            }
            if (level < c.Channels.Length - 1) resamplers.Add(nn.Conv2d(ch, ch, 3, stride: 2, padding: 1));
        }
        middle = new ScaleShiftBlock(ch, ch, embedding, groups);
        var upBlocks = new List<ScaleShiftBlock>();
        for (int level = c.Channels.Length - 1; level >= 0; level--)
            for (int b = 0; b < c.BlocksPerLevel; b++)
            {
                upBlocks.Add(new ScaleShiftBlock(ch + kept.Pop(), c.Channels[level], embedding, groups));
                ch = c.Channels[level];
            }
        output_norm = Normalization.GroupNorm(groups, ch);
        output_activation = nn.SiLU();
        output_conv = nn.Conv2d(ch, patchChannels, 3, padding: 1);
        activation = nn.SiLU();
        down = nn.ModuleList(downBlocks.ToArray());
        downsample = nn.ModuleList(resamplers.ToArray());
        up = nn.ModuleList(upBlocks.ToArray());
        RegisterComponents();
        UNet.ZeroParameters(output_conv);
    }

    public CompactUNetConfig Config { get; }

    public override long[] SampleShape => new long[] { Config.InChannels, Config.ImageSize, Config.ImageSize };

    public override string ConfigJson => Config.ToJson();

    /// <summary>x [B, C, S, S], t [B], labels [B] or null → the prediction [B, C, S, S].</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor? classLabels)
    {
        long batch = CheckInputs(x, t, classLabels);
        using var scope = NewDisposeScope();
        var timeVector = time_mlp.call(time_embedding.call(t));
        var labels = class_embedding is null ? null : LabelsOrNull(classLabels, batch, x.device);
        var joined = labels is null ? timeVector : timeVector + class_embedding!.call(labels);
        var emb = activation.call(joined);

        var h = input_conv.call(SpaceToDepth(x, Config.Patch));
        var kept = new Stack<Tensor>();
        int block = 0, levels = Config.Channels.Length;
        for (int level = 0; level < levels; level++)
        {
            for (int b = 0; b < Config.BlocksPerLevel; b++)
            {
                h = down[block++].call(h, emb);
                kept.Push(h);
            }
            if (level < levels - 1) h = downsample[level].call(h);
        }
        h = middle.call(h, emb);
        block = 0;
        for (int level = levels - 1; level >= 0; level--)
        {
            for (int b = 0; b < Config.BlocksPerLevel; b++)
                h = up[block++].call(cat(new[] { h, kept.Pop() }, 1), emb);
            if (level > 0) h = nn.functional.interpolate(h, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
        }
        var output = output_conv.call(output_activation.call(output_norm.call(h)));
        return DepthToSpace(output, Config.Patch).MoveToOuterDisposeScope();
    }

    /// <summary>[B, C, H, W] → [B, C·p², H/p, W/p]: channel c·p² + i·p + j holds pixel (p·y + i, p·x + j)
    /// of channel c (PyTorch's <c>pixel_unshuffle</c>).</summary>
    public static Tensor SpaceToDepth(Tensor x, int p)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (p == 1) return x.alias();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (h % p != 0 || w % p != 0) throw new ArgumentException($"a {h}x{w} image does not split into {p}x{p} patches", nameof(x));
        using var split = x.reshape(b, c, h / p, p, w / p, p);
        using var moved = split.permute(0, 1, 3, 5, 2, 4);
        return moved.reshape(b, c * p * p, h / p, w / p);
    }

    /// <summary>The inverse of <see cref="SpaceToDepth"/> (PyTorch's <c>pixel_shuffle</c>).</summary>
    public static Tensor DepthToSpace(Tensor x, int p)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (p == 1) return x.alias();
        long b = x.shape[0], cp = x.shape[1], h = x.shape[2], w = x.shape[3];
        if (cp % (p * p) != 0) throw new ArgumentException($"{cp} channels do not fold into {p}x{p} patches", nameof(x));
        using var split = x.reshape(b, cp / (p * p), p, p, h, w);
        using var moved = split.permute(0, 1, 4, 2, 5, 3);
        return moved.reshape(b, cp / (p * p), h * p, w * p);
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() =>
        $"({Config.InChannels}x{Config.ImageSize}x{Config.ImageSize}, patch {Config.Patch}, channels ({string.Join(", ", Config.Channels)})" +
        (IsClassConditional ? $", classes={NumClasses}+null" : "") + $", {this.parameter_count().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters)";
}

using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// The DDPM noise predictor for images (Ho et al. 2020, Appendix B; a PixelCNN++-style UNet):
/// <code>
/// temb = MLP(sinusoidal(t)) [+ Embedding(class)]          // MLP = Linear, SiLU, Linear
/// h = Conv3x3(x); keep h
/// down: per level, residual blocks (+ attention), keeping each output; then a stride-2 conv
/// middle: residual block, attention, residual block
/// up: per level, residual blocks on concat(h, kept), (+ attention); then nearest-upsample + conv
/// return Conv3x3(SiLU(GroupNorm(h)))                        // ε̂, same shape as x
/// </code>
/// Works for any square image whose size is divisible by 2^(levels − 1): 1x28x28 and 3x32x32 have
/// ready configs (<see cref="UNetConfig.ForFashionMnist"/>, <see cref="UNetConfig.ForCifar"/>).
/// </summary>
public sealed class UNet : DenoisingModel, IDescribedModule
{
    readonly SinusoidalTimeEmbedding time_embedding;
    readonly nn.Module<Tensor, Tensor> time_mlp;
    readonly nn.Module<Tensor, Tensor>? class_embedding;
    readonly nn.Module<Tensor, Tensor> input_conv;
    readonly UNetStageList down;
    readonly ResidualBlock middle_block1;
    readonly AttentionBlock middle_attention;
    readonly ResidualBlock middle_block2;
    readonly UNetStageList up;
    readonly nn.Module<Tensor, Tensor> output_norm, output_activation, output_conv;

    public UNet(UNetConfig? config = null) : base(nameof(UNet), (config ?? new UNetConfig()).NumClasses)
    {
        Config = config ?? new UNetConfig();
        Config.Validate();
        var c = Config;
        int ch = c.BaseChannels, timeDim = 4 * c.BaseChannels, groups = c.Groups;
        var attention = c.EffectiveAttentionResolutions();
        var resolutions = c.LevelResolutions();

        time_embedding = new SinusoidalTimeEmbedding(Math.Max(4, ch + ch % 2));
        time_mlp = nn.Sequential(nn.Linear(time_embedding.Dimension, timeDim), nn.SiLU(), nn.Linear(timeDim, timeDim));
        if (c.NumClasses > 0) class_embedding = nn.Embedding(c.NumClasses + 1, timeDim);
        input_conv = nn.Conv2d(c.InChannels, ch, 3, padding: 1);

        var downStages = new List<UNetStage>();
        var skipChannels = new Stack<int>();
        skipChannels.Push(ch);
        for (int level = 0; level < c.ChannelMultipliers.Length; level++)
        {
            int outCh = c.BaseChannels * c.ChannelMultipliers[level];
            for (int r = 0; r < c.ResidualBlocksPerLevel; r++)
            {
                var res = new ResidualBlock(ch, outCh, timeDim, c.Dropout, groups);
                var attn = attention.Contains(resolutions[level]) ? new AttentionBlock(outCh, c.AttentionHeads, groups) : null;
                downStages.Add(new UNetStage(res, attn, null));
                ch = outCh;
                skipChannels.Push(ch);
            }
            if (level < c.ChannelMultipliers.Length - 1)
            {
                downStages.Add(new UNetStage(null, null, new Downsample(ch)));
                skipChannels.Push(ch);
            }
        }

        middle_block1 = new ResidualBlock(ch, ch, timeDim, c.Dropout, groups);
        middle_attention = new AttentionBlock(ch, c.AttentionHeads, groups);
        middle_block2 = new ResidualBlock(ch, ch, timeDim, c.Dropout, groups);

        var upStages = new List<UNetStage>();
        for (int level = c.ChannelMultipliers.Length - 1; level >= 0; level--)
        {
            int outCh = c.BaseChannels * c.ChannelMultipliers[level];
            for (int r = 0; r <= c.ResidualBlocksPerLevel; r++)
            {
                var res = new ResidualBlock(ch + skipChannels.Pop(), outCh, timeDim, c.Dropout, groups);
                var attn = attention.Contains(resolutions[level]) ? new AttentionBlock(outCh, c.AttentionHeads, groups) : null;
                ch = outCh;
                var upsample = level > 0 && r == c.ResidualBlocksPerLevel ? new Upsample(ch) : null;
                upStages.Add(new UNetStage(res, attn, upsample));
            }
        }

        output_norm = Normalization.GroupNorm(groups, ch);
        output_activation = nn.SiLU();
        output_conv = nn.Conv2d(ch, c.InChannels, 3, padding: 1);

        down = new UNetStageList(downStages);
        up = new UNetStageList(upStages);
        RegisterComponents();
        ZeroParameters(output_conv);
    }

    public UNetConfig Config { get; }

    public override long[] SampleShape => new long[] { Config.InChannels, Config.ImageSize, Config.ImageSize };

    public override string ConfigJson => Config.ToJson();

    /// <summary>x [B, C, S, S], t [B], labels [B] or null → ε̂ [B, C, S, S].</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor? classLabels)
    {
        long batch = CheckInputs(x, t, classLabels);
        using var sinusoid = time_embedding.call(t);
        using var timeVector = time_mlp.call(sinusoid);
        using var labels = class_embedding is null ? null : LabelsOrNull(classLabels, batch, x.device);
        using var classVector = labels is null ? null : class_embedding!.call(labels);
        using var temb = classVector is null ? timeVector.alias() : timeVector + classVector;

        var kept = new Stack<Tensor>();
        var h = input_conv.call(x);
        kept.Push(h);
        try
        {
            foreach (var stage in down.Stages)
            {
                h = stage.call(h, temb);
                kept.Push(h);
            }
            using (var m1 = middle_block1.call(h, temb))
            using (var m2 = middle_attention.call(m1))
                h = middle_block2.call(m2, temb);
            foreach (var stage in up.Stages)
            {
                using var skip = kept.Pop();
                using var joined = cat(new[] { h, skip }, 1);
                h.Dispose();
                h = stage.call(joined, temb);
            }
            using var normalized = output_norm.call(h);
            using var activated = output_activation.call(normalized);
            return output_conv.call(activated);
        }
        finally
        {
            h.Dispose();
            while (kept.Count > 0) kept.Pop().Dispose();
        }
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() =>
        $"({Config.InChannels}x{Config.ImageSize}x{Config.ImageSize}, base={Config.BaseChannels}, mults=({string.Join(", ", Config.ChannelMultipliers)})" +
        (IsClassConditional ? $", classes={NumClasses}+null" : "") + $", {this.parameter_count().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters)";

    internal static void CheckGroups(int channels, int groups)
    {
        if (groups < 1 || channels % groups != 0)
            throw new ArgumentException(LearnerMessages.GroupsDivideChannels(groups, channels));
    }

    /// <summary>Sets every parameter of a module to zero (the "zero module" initialisation of Ho et al.'s code).</summary>
    internal static void ZeroParameters(nn.Module module)
    {
        using (no_grad())
            foreach (var p in module.parameters()) p.zero_();
    }
}

/// <summary>One step of the UNet's way down or up: an optional residual block, an optional attention
/// block after it, and an optional resampling (down or up) at the end.</summary>
public sealed class UNetStage : nn.Module<Tensor, Tensor, Tensor>
{
    readonly ResidualBlock? residual;
    readonly AttentionBlock? attention;
    readonly nn.Module<Tensor, Tensor>? resample;

    public UNetStage(ResidualBlock? residual, AttentionBlock? attention, nn.Module<Tensor, Tensor>? resample) : base(nameof(UNetStage))
    {
        if (residual is null && attention is null && resample is null) throw new ArgumentException("a UNet stage needs at least one block");
        this.residual = residual;
        this.attention = attention;
        this.resample = resample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor timeEmbedding)
    {
        Tensor h = x.alias();
        if (residual is not null) { var next = residual.call(h, timeEmbedding); h.Dispose(); h = next; }
        if (attention is not null) { var next = attention.call(h); h.Dispose(); h = next; }
        if (resample is not null) { var next = resample.call(h); h.Dispose(); h = next; }
        return h;
    }
}

/// <summary>The stages of one direction, named "0", "1", … as in PyTorch's ModuleList.</summary>
public sealed class UNetStageList : nn.Module
{
    public UNetStageList(IReadOnlyList<UNetStage> stages) : base(nameof(UNetStageList))
    {
        Stages = stages;
        for (int i = 0; i < stages.Count; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), stages[i]);
        RegisterComponents();
    }

    public IReadOnlyList<UNetStage> Stages { get; }
}

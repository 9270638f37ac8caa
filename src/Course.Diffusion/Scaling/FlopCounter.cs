using Course.Diffusion.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Scaling;

/// <summary>The FLOPs of one layer for one sample, with the shapes it saw (without the batch).</summary>
public sealed record LayerFlops(string Name, string Kind, long[] InputShape, long[] OutputShape,
    long MatmulFlops, long OtherFlops)
{
    public long Flops => MatmulFlops + OtherFlops;
}

/// <summary>
/// The forward FLOPs of a model for one sample, layer by layer. <see cref="Forward"/> is what a
/// forward pass costs; <see cref="TrainingStep"/> what one optimizer step on a batch costs.
/// </summary>
public sealed class FlopReport
{
    internal FlopReport(IReadOnlyList<LayerFlops> layers, long parameters)
    {
        Layers = layers;
        Parameters = parameters;
    }

    public IReadOnlyList<LayerFlops> Layers { get; }

    /// <summary>Trainable parameters N of the model counted.</summary>
    public long Parameters { get; }

    /// <summary>Multiply-adds of Linear and convolution layers, at 2 FLOPs each.</summary>
    public long MatmulFlops => Layers.Sum(l => l.MatmulFlops);

    /// <summary>Bias additions, activations, normalisations, embeddings (the conventions of <see cref="FlopCounter"/>).</summary>
    public long OtherFlops => Layers.Sum(l => l.OtherFlops);

    /// <summary>Forward FLOPs for one sample.</summary>
    public long Forward => MatmulFlops + OtherFlops;

    /// <summary>
    /// FLOPs of one training step on <paramref name="batchSize"/> samples:
    /// <see cref="FlopCounter.TrainingStepFactor"/> × forward × batch (the backward pass of a matmul
    /// costs two matmuls of the same size: one for the input's gradient, one for the weight's).
    /// The optimizer's update (a few FLOPs per parameter, independent of the batch) is not counted.
    /// </summary>
    public double TrainingStep(long batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch needs at least one sample");
        return FlopCounter.TrainingStepFactor * (double)Forward * batchSize;
    }

    /// <summary>FLOPs of <paramref name="steps"/> training steps of <paramref name="batchSize"/> samples.</summary>
    public double Training(long steps, long batchSize)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative");
        return steps * TrainingStep(batchSize);
    }

    public override string ToString()
    {
        var lines = Layers.Select(l =>
            $"{l.Name,-14} {l.Kind,-22} [{string.Join(", ", l.InputShape)}] -> [{string.Join(", ", l.OutputShape)}]  {l.Flops,12:N0}");
        return string.Join("\n", lines.Append(
            LearnerMessages.ForwardFlops(Forward, MatmulFlops, Parameters)));
    }
}

/// <summary>
/// Counts the forward FLOPs of the course's modules for one sample, by walking the module tree and
/// following the shapes. Conventions (those of Kaplan et al. 2020, §2.1, for the matmuls):
/// a multiply-add is 2 FLOPs, so a Linear layer costs 2·in·out per row and a convolution
/// 2·(input channels per group)·kh·kw per output value; a bias adds 1 per output value; an activation
/// (SiLU, ReLU, GELU, tanh, sigmoid) counts 1 per element, a GroupNorm 5 per element (mean, variance,
/// normalise, scale, shift), the sinusoidal time embedding 1.5 per output value (a multiply per
/// frequency, a sin or cos per value); dropout, identity and flatten are free.
/// A training step costs <see cref="TrainingStepFactor"/> = 3 forwards per sample (forward + a
/// backward of twice its cost), so a run of D samples through a model of forward cost F costs 3·F·D;
/// for an MLP F ≈ 2N, which gives the familiar C ≈ 6·N·D.
/// </summary>
public static class FlopCounter
{
    /// <summary>A training step costs this many forward passes (forward 1, backward 2).</summary>
    public const int TrainingStepFactor = 3;

    /// <summary>Forward FLOPs of a <see cref="TimeConditionedMlp"/> for one sample: time embedding,
    /// class vector (if any), then the Linear/SiLU stack on [x, emb(t)].</summary>
    public static FlopReport Forward(TimeConditionedMlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<LayerFlops>();
        long e = model.TimeEmbeddingDimension;
        layers.Add(new LayerFlops("time_embedding", nameof(SinusoidalTimeEmbedding), new long[] { 1 }, new[] { e },
            0, SinusoidalEmbeddingFlops(e)));
        if (model.IsClassConditional)
            layers.Add(new LayerFlops("class_embedding", "Embedding + add", new long[] { 1 }, new[] { e }, 0, e));
        Walk(model.Network, "net", new long[] { model.DataDimension + e }, layers);
        return new FlopReport(layers, ParameterCount(model));
    }

    /// <summary>Forward FLOPs of a module of one input for one sample of shape
    /// <paramref name="sampleShape"/> (without the batch dimension): a Linear layer, a convolution,
    /// an activation, a normalisation, or a Sequential of them.</summary>
    /// <exception cref="NotSupportedException">a module the counter has no rule for.</exception>
    /// <exception cref="ArgumentException">the shape does not fit the module.</exception>
    public static FlopReport Forward(nn.Module<Tensor, Tensor> module, long[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length == 0 || sampleShape.Any(d => d < 1))
            throw new ArgumentException($"a sample shape needs at least one dimension, all positive; got [{string.Join(", ", sampleShape)}]", nameof(sampleShape));
        var layers = new List<LayerFlops>();
        Walk(module, module.GetType().Name, sampleShape, layers);
        return new FlopReport(layers, ParameterCount(module));
    }

    /// <summary>1.5 FLOPs per output value: dimension/2 multiplies t·ω_i, then one sin or cos per value.</summary>
    public static long SinusoidalEmbeddingFlops(long dimension) => dimension / 2 + dimension;

    static long ParameterCount(nn.Module module) => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    static long Product(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    static long[] Walk(nn.Module<Tensor, Tensor> module, string name, long[] input, List<LayerFlops> layers)
    {
        switch (module)
        {
            case Sequential sequential:
                var shape = input;
                foreach (var (childName, child) in sequential.named_children())
                {
                    if (child is not nn.Module<Tensor, Tensor> step)
                        throw new NotSupportedException($"{name}.{childName} ({child.GetType().Name}) does not map one tensor to one tensor");
                    shape = Walk(step, $"{name}.{childName}", shape, layers);
                }
                return shape;
            case Linear linear:
                return AddLinear(linear, name, input, layers);
            case Conv2d or ConvTranspose2d:
                return AddConvolution(module, name, input, layers);
            case SiLU or ReLU or GELU or Tanh or Sigmoid or LeakyReLU:
                layers.Add(new LayerFlops(name, module.GetType().Name, input, input, 0, Product(input)));
                return input;
            case GroupNorm norm:
                if (input.Length < 2) throw new ArgumentException($"{name} (GroupNorm) needs [channels, ...] per sample, got {Shape(input)}");
                layers.Add(new LayerFlops(name, nameof(GroupNorm), input, input, 0, 5 * Product(input)));
                return input;
            case Dropout or Identity:
                layers.Add(new LayerFlops(name, module.GetType().Name, input, input, 0, 0));
                return input;
            case Flatten:
                var flat = new[] { Product(input) };
                layers.Add(new LayerFlops(name, nameof(Flatten), input, flat, 0, 0));
                return flat;
            default:
                throw new NotSupportedException(
                    $"the FLOP counter has no rule for {name} ({module.GetType().Name}); it counts Sequential, Linear, Conv2d, " +
                    "ConvTranspose2d, SiLU, ReLU, GELU, Tanh, Sigmoid, LeakyReLU, GroupNorm, Dropout, Identity, Flatten and TimeConditionedMlp");
        }
    }

    static long[] AddLinear(Linear linear, string name, long[] input, List<LayerFlops> layers)
    {
        long outFeatures = linear.weight.shape[0], inFeatures = linear.weight.shape[1];
        if (input[^1] != inFeatures)
            throw new ArgumentException($"{name} (Linear, in_features={inFeatures}) cannot take a sample of shape {Shape(input)}: its last dimension must be {inFeatures}");
        var output = input[..^1].Append(outFeatures).ToArray();
        long rows = Product(input[..^1]);
        long matmul = 2 * rows * inFeatures * outFeatures;
        long bias = linear.bias is null ? 0 : rows * outFeatures;
        layers.Add(new LayerFlops(name, nameof(Linear), input, output, matmul, bias));
        return output;
    }

    /// <summary>The output shape comes from running the layer once on zeros (one sample, no gradient), so
    /// stride, padding, dilation and output padding are the layer's own; the multiply-adds follow from the
    /// weight: Conv2d weight [out, in/groups, kh, kw] per output value, ConvTranspose2d weight
    /// [in, out/groups, kh, kw] per input value.</summary>
    static long[] AddConvolution(nn.Module<Tensor, Tensor> conv, string name, long[] input, List<LayerFlops> layers)
    {
        var (weight, bias) = conv switch
        {
            Conv2d c => (c.weight, c.bias),
            ConvTranspose2d t => (t.weight, t.bias),
            _ => throw new InvalidOperationException(),
        };
        if (input.Length != 3)
            throw new ArgumentException($"{name} ({conv.GetType().Name}) needs a sample of shape [channels, height, width], got {Shape(input)}");
        long[] output;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            Tensor result;
            try { result = conv.call(zeros(new[] { 1L }.Concat(input).ToArray(), weight.dtype, weight.device)); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException($"{name} ({conv.GetType().Name}) cannot take a sample of shape {Shape(input)}: {e.Message}", e);
            }
            output = result.shape[1..];
        }
        long kernel = weight.shape[1] * weight.shape[2] * weight.shape[3];
        long macs = conv is Conv2d ? Product(output) * kernel : Product(input) * kernel;
        long biasFlops = bias is null ? 0 : Product(output);
        layers.Add(new LayerFlops(name, conv.GetType().Name, input, output, 2 * macs, biasFlops));
        return output;
    }
}

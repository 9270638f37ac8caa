using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.TrainLive;

/// <summary>
/// Samples of a class-conditional model laid out class by class — row c of a grid, or the c-th block
/// of a file of samples — as lesson 10 and the <c>train-live</c> command show and measure them.
/// </summary>
public static class ClassSamples
{
    /// <summary>The classes asked for, class-major: 0 (×<paramref name="perClass"/>), 1, …, int64 [classes · perClass].</summary>
    public static Tensor Labels(int classes, int perClass)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, LearnerMessages.AtLeastOneClass);
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, LearnerMessages.AtLeastOneSamplePerClass);
        return tensor(Enumerable.Range(0, classes).SelectMany(c => Enumerable.Repeat((long)c, perClass)).ToArray());
    }

    /// <summary>
    /// Draws one sample for each entry of <paramref name="labels"/> in batches of at most
    /// <paramref name="batchSize"/> (memory stays bounded for thousands of images), from noise drawn
    /// with <paramref name="generator"/> in order, so the first images are the same whether or not
    /// more follow. <paramref name="done"/> is told after each batch how many are ready. Stops like
    /// any sampler when the cell is stopped.
    /// </summary>
    public static Tensor Draw(Denoiser model, Sampler sampler, Tensor labels, long[] imageShape, Generator generator,
        int batchSize = 250, Action<int>? done = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(imageShape);
        if (labels.dim() != 1) throw new ArgumentException(LearnerMessages.LabelsOneDimensional(string.Join(", ", labels.shape)), nameof(labels));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, LearnerMessages.BatchSizeAtLeastOne);
        long n = labels.shape[0];
        using var cpuLabels = labels.to(int64, CPU);
        var all = cpuLabels.data<long>().ToArray();
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += batchSize)
            {
                long count = Math.Min(batchSize, n - start);
                using var batchLabels = tensor(all.AsSpan((int)start, (int)count).ToArray(), device: labels.device);
                var shape = new[] { count }.Concat(imageShape).ToArray();
                parts.Add(sampler.Sample(model, shape, generator, batchLabels, cancellationToken: cancellationToken));
                done?.Invoke((int)(start + count));
            }
            return cat(parts.ToArray(), 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>Images in [-1, 1] as 8-bit pixels, round((x + 1) · 127.5) clamped to 0…255, shape [N, H, W]
    /// for one channel ([N, C, H, W] otherwise): what a PNG or the <c>evaluate</c> command's .npy holds.</summary>
    public static byte[] ToBytes(Tensor images, out long[] shape)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException(LearnerMessages.ImagesNchw(string.Join(", ", images.shape)), nameof(images));
        using var scope = NewDisposeScope();
        var bytes = ((images.to(float32) + 1) * 127.5).round().clamp(0, 255).to(ScalarType.Byte).contiguous();
        shape = images.shape[1] == 1 ? new[] { images.shape[0], images.shape[2], images.shape[3] } : images.shape;
        return bytes.data<byte>().ToArray();
    }
}

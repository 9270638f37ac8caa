using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Evaluation;

/// <summary>What the classifier makes of a set of images: its features and its predicted classes.</summary>
/// <param name="Features">[N, 128], float32, on the CPU.</param>
/// <param name="Predicted">the most likely class of each image, [N], int64, on the CPU.</param>
public sealed record ClassifierOutputs(Tensor Features, Tensor Predicted) : IDisposable
{
    /// <summary>n, the number of images.</summary>
    public long Count => Features.shape[0];

    public void Dispose()
    {
        Features.Dispose();
        Predicted.Dispose();
    }
}

/// <summary>Runs <see cref="FashionClassifier"/> over many images in batches, in eval mode and without gradients.</summary>
public static class ClassifierFeatures
{
    /// <summary>Features and predictions of images [N, 1, 28, 28] in [−1, 1], <paramref name="batchSize"/> at a time;
    /// checks <paramref name="cancellationToken"/> between batches and reports the images done. Batches of 100 keep
    /// each activation (100 x 32 x 28 x 28 floats, 10 MB) below the allocator's threshold for fresh pages: batches of
    /// 500 took four times as long on the same CPU, most of it the kernel zeroing new pages.</summary>
    public static ClassifierOutputs Extract(FashionClassifier classifier, Tensor images, int batchSize = 100,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        if (images.ndim != 4 || images.shape[0] < 1)
            throw new ArgumentException($"need images [N, 1, 28, 28], got [{string.Join(", ", images.shape)}]", nameof(images));
        bool wasTraining = classifier.training;
        classifier.eval();
        var device = classifier.parameters().First().device;
        var features = new List<Tensor>();
        var predicted = new List<Tensor>();
        try
        {
            using var grad = no_grad();
            long n = images.shape[0];
            for (long start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long rows = Math.Min(batchSize, n - start);
                var batch = images[TensorIndex.Slice(start, start + rows)].to(float32).to(device);
                var f = classifier.Features(batch);
                var logits = classifier.Classify(f);
                features.Add(f.cpu().MoveToOuterDisposeScope());
                predicted.Add(logits.argmax(1).cpu().MoveToOuterDisposeScope());
                progress?.Report(start + rows);
            }
            return new ClassifierOutputs(cat(features, 0), cat(predicted, 0));
        }
        finally
        {
            foreach (var t in features) t.Dispose();
            foreach (var t in predicted) t.Dispose();
            if (wasTraining) classifier.train();
        }
    }
}

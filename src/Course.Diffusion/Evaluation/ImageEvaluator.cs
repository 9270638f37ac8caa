using Course.Diffusion.Metrics;
using Course.Interrupts;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Evaluation;

/// <summary>
/// Measures sets of 28x28 images against a fixed reference on <see cref="FashionClassifier"/>'s features, with the floor
/// beside every number. The reference's features are computed once (the course uses the Fashion-MNIST test set). The
/// floor at n is the same metrics for n real images drawn from <c>floorPool</c> (the training set: real, and disjoint
/// from the reference), and for accuracy by label, the classifier on n reference images with their true labels (held-out
/// images: the training images would flatter it). Floors are cached per n.
/// <code>
/// using var evaluator = new ImageEvaluator(classifier, test.Images, test.Labels, train.Images);
/// var report = evaluator.Evaluate(samples, requestedLabels);   // samples [N, 1, 28, 28] in [-1, 1]
/// Console.WriteLine(report.ToText());
/// </code>
/// </summary>
public sealed class ImageEvaluator : IDisposable
{
    readonly FashionClassifier _classifier;
    readonly Tensor _referenceLabels;
    readonly Tensor _floorPool;
    readonly ulong _seed;
    readonly Dictionary<(long N, int Draw), ImageQualityScores> _floors = new();
    readonly Tensor _referenceRadii;
    bool _disposed;

    /// <param name="floorPool">real images, none of them in the reference, to draw each floor's n from; kept by the caller.</param>
    /// <param name="seed">seeds the floor's draws and KID's subsets: the same inputs give the same numbers.</param>
    public ImageEvaluator(FashionClassifier classifier, Tensor referenceImages, Tensor referenceLabels, Tensor floorPool,
        ulong seed = 0, string reference = "Fashion-MNIST test set", string floorSource = "Fashion-MNIST training images",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(referenceImages);
        ArgumentNullException.ThrowIfNull(referenceLabels);
        ArgumentNullException.ThrowIfNull(floorPool);
        if (referenceLabels.ndim != 1 || referenceLabels.shape[0] != referenceImages.shape[0])
            throw new ArgumentException($"need one label per reference image: {referenceImages.shape[0]} images, labels [{string.Join(", ", referenceLabels.shape)}]");
        _classifier = classifier;
        _floorPool = floorPool;
        _seed = seed;
        ReferenceName = reference;
        FloorSource = floorSource;
        Reference = ClassifierFeatures.Extract(classifier, referenceImages, cancellationToken: cancellationToken);
        try
        {
            _referenceRadii = PrecisionRecall.SquaredRadii(Reference.Features, PrecisionRecall.DefaultK, cancellationToken).DetachFromDisposeScope();
        }
        catch
        {
            Reference.Dispose();
            throw;
        }
        _referenceLabels = referenceLabels.to(int64).cpu().DetachFromDisposeScope();
    }

    /// <summary>The reference's features and the classifier's predictions for it.</summary>
    public ClassifierOutputs Reference { get; }

    /// <summary>What the reference is, for reports.</summary>
    public string ReferenceName { get; }

    /// <summary>Where the floor's real images come from, for reports.</summary>
    public string FloorSource { get; }

    /// <summary>A description of the features, for reports.</summary>
    public static string FeatureDescription => $"{nameof(FashionClassifier)}, {FashionClassifier.FeatureDimension}-d last hidden layer";

    /// <summary>The metrics of images [N, 1, 28, 28] in [−1, 1] (and, given the classes they were generated for, accuracy by label).
    /// Stops at its next batch when the cell is stopped (or <paramref name="cancellationToken"/> is cancelled), as the
    /// course's other long-running operations do, with one line saying that nothing was changed.</summary>
    public ImageQualityScores Score(Tensor images, Tensor? requestedLabels = null, CancellationToken cancellationToken = default)
    {
        using var stop = StopRequest.Watch(cancellationToken);
        try
        {
            using var outputs = Features(images, stop.Token);
            return Score(outputs, requestedLabels, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsRequested)
        {
            throw stop.Stopped(LearnerMessages.MeasuringStopped(images.shape[0]));
        }
    }

    /// <summary>The classifier's features and predictions for images [N, 1, 28, 28] in [−1, 1].</summary>
    public ClassifierOutputs Features(Tensor images, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ClassifierFeatures.Extract(_classifier, images, cancellationToken: cancellationToken);
    }

    /// <summary>The metrics of samples whose features are already computed.</summary>
    public ImageQualityScores Score(ClassifierOutputs samples, Tensor? requestedLabels = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(samples);
        ClassAccuracyResult? accuracy = null;
        if (requestedLabels is not null)
        {
            if (requestedLabels.ndim != 1 || requestedLabels.shape[0] != samples.Count)
                throw new ArgumentException($"need one requested class per sample: {samples.Count} samples, labels [{string.Join(", ", requestedLabels.shape)}]");
            accuracy = ClassAccuracy.Of(samples.Predicted, requestedLabels, FashionClassifier.Classes);
        }
        return ImageQuality.Measure(samples.Features, Reference.Features, accuracy, seed: _seed, referenceSquaredRadii: _referenceRadii,
            cancellationToken: cancellationToken);
    }

    /// <summary>The floor at n: n real images from the floor pool (at most all of it) against the reference, and the
    /// classifier's accuracy on n reference images with their labels (at most all of them). One draw of the n images
    /// (the first of <see cref="Floors"/>); at small n the floor itself scatters from draw to draw.</summary>
    public ImageQualityScores Floor(long n, CancellationToken cancellationToken = default) => Floors(n, 1, cancellationToken)[0];

    /// <summary>The floor at n for <paramref name="draws"/> independent draws of the n real images (and of the n labelled
    /// reference images), so that its scatter can be shown: how far apart two sets of n real images already are.
    /// The first is <see cref="Floor"/>; each draw is computed once and cached.</summary>
    public IReadOnlyList<ImageQualityScores> Floors(long n, int draws, CancellationToken cancellationToken = default)
    {
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, "need at least one draw");
        var floors = new ImageQualityScores[draws];
        using var stop = StopRequest.Watch(cancellationToken);   // the stop button, as in Score
        try
        {
            for (int d = 0; d < draws; d++) floors[d] = FloorDraw(n, d, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsRequested)
        {
            throw stop.Stopped(LearnerMessages.FloorStopped(n));
        }
        return floors;
    }

    ImageQualityScores FloorDraw(long n, int draw, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (n < PrecisionRecall.DefaultK + 1) throw new ArgumentOutOfRangeException(nameof(n), n, $"the metrics need at least {PrecisionRecall.DefaultK + 1} images");
        if (_floors.TryGetValue((n, draw), out var cached)) return cached;
        using var scope = NewDisposeScope();
        // draw 0 keeps the seed the floor always had; later draws step by a large odd number so no two (n, draw) meet
        using var generator = new Generator(_seed + (ulong)n + 1_000_003UL * (ulong)draw);
        long poolSize = Math.Min(n, _floorPool.shape[0]);
        var drawn = randperm(_floorPool.shape[0], generator: generator)[TensorIndex.Slice(0, poolSize)];
        using var real = Features(_floorPool.index_select(0, drawn.to(_floorPool.device)), cancellationToken);
        long labelled = Math.Min(n, Reference.Count);
        var held = randperm(Reference.Count, generator: generator)[TensorIndex.Slice(0, labelled)];
        var accuracy = ClassAccuracy.Of(Reference.Predicted.index_select(0, held), _referenceLabels.index_select(0, held), FashionClassifier.Classes);
        var scores = ImageQuality.Measure(real.Features, Reference.Features, accuracy, seed: _seed, referenceSquaredRadii: _referenceRadii,
            cancellationToken: cancellationToken);
        _floors[(n, draw)] = scores;
        return scores;
    }

    /// <summary>Scores and floor at the samples' n, as a report.</summary>
    public ImageQualityReport Evaluate(Tensor images, Tensor? requestedLabels = null, CancellationToken cancellationToken = default)
    {
        using var outputs = Features(images, cancellationToken);
        return Evaluate(outputs, requestedLabels, cancellationToken);
    }

    /// <summary>Scores and floor at the samples' n, for samples whose features are already computed.</summary>
    public ImageQualityReport Evaluate(ClassifierOutputs samples, Tensor? requestedLabels = null, CancellationToken cancellationToken = default)
    {
        var scores = Score(samples, requestedLabels, cancellationToken);
        var floor = Floor(samples.Count, cancellationToken);
        return new ImageQualityReport(scores, floor, FeatureDescription, ReferenceName, FloorSource);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Reference.Dispose();
        _referenceLabels.Dispose();
        _referenceRadii.Dispose();
    }
}

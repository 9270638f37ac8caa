using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>How often a classifier recognised the class that was asked for, overall and per class.</summary>
/// <param name="Accuracy">the fraction of samples whose predicted class is the requested one.</param>
/// <param name="PerClass">that fraction among the samples of each requested class (NaN for a class never requested).</param>
/// <param name="CountPerClass">how many samples requested each class.</param>
/// <param name="Count">n, the number of samples.</param>
public sealed record ClassAccuracyResult(double Accuracy, IReadOnlyList<double> PerClass, IReadOnlyList<long> CountPerClass, long Count);

/// <summary>
/// Classifier accuracy by label, for class-conditional samples: the classifier's verdict against the class each
/// sample was generated for. It measures whether the condition is obeyed, not whether the images are good; the
/// classifier's own accuracy on held-out real images is its ceiling.
/// </summary>
public static class ClassAccuracy
{
    /// <summary>Compares predicted classes [N] with requested classes [N] (integer tensors), for classes 0 … classes − 1.</summary>
    public static ClassAccuracyResult Of(Tensor predicted, Tensor requested, int classes)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(requested);
        if (predicted.ndim != 1 || requested.ndim != 1 || predicted.shape[0] != requested.shape[0])
            throw new ArgumentException($"need one predicted and one requested class per sample, got shapes [{string.Join(", ", predicted.shape)}] " +
                $"and [{string.Join(", ", requested.shape)}]");
        using var scope = NewDisposeScope();
        IReadOnlyList<long> p = predicted.to(int64).cpu().data<long>().ToArray();
        IReadOnlyList<long> r = requested.to(int64).cpu().data<long>().ToArray();
        return OfIndices(p, r, classes);
    }

    /// <summary>The same for arrays of class indices (a name of its own: TorchSharp converts a long[] to a tensor implicitly, so one name for both would be ambiguous).</summary>
    public static ClassAccuracyResult OfIndices(IReadOnlyList<long> predicted, IReadOnlyList<long> requested, int classes)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(requested);
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "need at least one class");
        if (predicted.Count != requested.Count)
            throw new ArgumentException($"{predicted.Count} predictions but {requested.Count} requested classes");
        if (predicted.Count == 0) throw new ArgumentException("no samples to score");
        var correct = new long[classes];
        var counts = new long[classes];
        for (int i = 0; i < predicted.Count; i++)
        {
            long want = requested[i];
            if (want < 0 || want >= classes)
                throw new ArgumentOutOfRangeException(nameof(requested), want, $"requested class at index {i} is outside 0 … {classes - 1}");
            counts[want]++;
            if (predicted[i] == want) correct[want]++;
        }
        var perClass = new double[classes];
        for (int c = 0; c < classes; c++) perClass[c] = counts[c] == 0 ? double.NaN : correct[c] / (double)counts[c];
        return new ClassAccuracyResult(correct.Sum() / (double)predicted.Count, perClass, counts, predicted.Count);
    }
}

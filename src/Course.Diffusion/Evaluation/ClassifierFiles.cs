using Course.Diffusion.Checkpoints;
using Course.Diffusion.Generative;
using Course.Diffusion.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Evaluation;

/// <summary>
/// Saving and loading the metrics' <see cref="FashionClassifier"/>: a safetensors file of its parameters and batch-norm
/// statistics, with metadata naming the type, the feature dimension and how it was made.
/// <code>using var classifier = ClassifierFiles.Load("checkpoints/fashion-mnist-classifier.safetensors");</code>
/// </summary>
public static class ClassifierFiles
{
    /// <summary>Metadata key and value that mark the file as this classifier.</summary>
    public const string TypeKey = "model_type";

    /// <summary>Metadata key of the feature dimension.</summary>
    public const string FeatureDimensionKey = "feature_dimension";

    /// <summary>Where the course keeps the trained classifier, relative to the repository root.</summary>
    public const string CheckpointPath = "notebooks/checkpoints/fashion-mnist-classifier.safetensors";

    /// <summary>Writes the weights atomically, with <paramref name="extra"/> as further metadata; refuses non-finite weights.</summary>
    public static void Save(FashionClassifier classifier, string path, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (GenerativeCheckpoints.FirstNonFinite(classifier) is { } broken)
            throw new InvalidOperationException($"parameter '{broken}' is not finite; refusing to write {path}");
        var metadata = new Dictionary<string, string>();
        if (extra is not null) foreach (var (key, value) in extra) metadata[key] = value;
        metadata[TypeKey] = nameof(FashionClassifier);
        metadata[FeatureDimensionKey] = FashionClassifier.FeatureDimension.ToString(System.Globalization.CultureInfo.InvariantCulture);
        classifier.save_safetensors(path, metadata);
    }

    /// <summary>The classifier in a file written by <see cref="Save"/>, in eval mode.</summary>
    public static FashionClassifier Load(string path, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"no classifier at {path}: train one with `dotnet run --project src/Course.Notebooks -c Release -- train-classifier`", path);
        var metadata = Safetensors.ReadMetadata(path);
        if (!metadata.TryGetValue(TypeKey, out var type) || type != nameof(FashionClassifier))
            throw new InvalidDataException($"{path} does not hold a {nameof(FashionClassifier)} (its '{TypeKey}' is '{type ?? "missing"}')");
        var classifier = new FashionClassifier();
        try
        {
            using var scope = NewDisposeScope();
            classifier.LoadStateDictChecked(Safetensors.Load(path), strict: true);
            if (device is not null) classifier.to(device);
            classifier.eval();
            return classifier;
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }
}

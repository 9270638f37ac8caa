using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>Loads data sets in the MNIST layout: four IDX files, gzipped or plain.</summary>
static class MnistFamily
{
    public static ImageDataset Load(string datasetName, DatasetSplit split, IReadOnlyList<string> roots, IReadOnlyList<string> classNames,
        string installAdvice, long? limit, Device? device)
    {
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be non-negative");
        var prefix = split == DatasetSplit.Train ? "train" : "t10k";
        var imagesBase = $"{prefix}-images-idx3-ubyte";
        var labelsBase = $"{prefix}-labels-idx1-ubyte";
        foreach (var root in roots)
        {
            var imagesPath = Find(root, imagesBase);
            var labelsPath = Find(root, labelsBase);
            if (imagesPath is null || labelsPath is null) continue;
            return Read(datasetName, split, imagesPath, labelsPath, classNames, limit, device);
        }
        var missing = imagesBase + ".gz";
        throw new DatasetNotFoundException(
            LearnerMessages.DatasetNotFound(datasetName, split.ToString().ToLowerInvariant(), imagesBase, labelsBase, roots, installAdvice), missing);
    }

    /// <summary>The file for an IDX base name: name.gz, name, or the dotted variant (train-images.idx3-ubyte) some archives use.</summary>
    public static string? Find(string root, string baseName)
    {
        var dotted = baseName.Replace("-idx", ".idx");
        foreach (var candidate in new[] { baseName + ".gz", baseName, dotted + ".gz", dotted })
        {
            var path = Path.Combine(root, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    static ImageDataset Read(string datasetName, DatasetSplit split, string imagesPath, string labelsPath, IReadOnlyList<string> classNames, long? limit, Device? device)
    {
        var images = IdxFile.Read(imagesPath, limit);
        var labels = IdxFile.Read(labelsPath, limit);
        if (images.Dimensions.Length != 3)
            throw new DataFileException(imagesPath, $"expected a 3-dimensional IDX array [N, height, width], got [{string.Join(", ", images.Dimensions)}]");
        if (labels.Dimensions.Length != 1)
            throw new DataFileException(labelsPath, $"expected a 1-dimensional IDX array of labels, got [{string.Join(", ", labels.Dimensions)}]");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw new DataFileException(labelsPath, $"has {labels.Dimensions[0]} labels but {imagesPath} has {images.Dimensions[0]} images");
        for (int i = 0; i < labels.Data.Length; i++)
            if (labels.Data[i] >= classNames.Count)
                throw new DataFileException(labelsPath, $"label {labels.Data[i]} at index {i} is out of range: {datasetName} has {classNames.Count} classes");

        using var scope = NewDisposeScope();
        var pixels = tensor(images.Data, new long[] { images.Dimensions[0], 1, images.Dimensions[1], images.Dimensions[2] });
        var imageTensor = ImageScaling.BytesToSignedUnit(pixels);
        var labelTensor = tensor(labels.Data).to(int64);
        if (device is not null)
        {
            imageTensor = imageTensor.to(device);
            labelTensor = labelTensor.to(device);
        }
        return new ImageDataset(datasetName, split, imageTensor.DetachFromDisposeScope(), labelTensor.DetachFromDisposeScope(), classNames);
    }
}

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; Zalando Research, MIT licence): 28x28 grey
/// images of clothing in 10 classes, 60000 for training and 10000 for testing, 6000 and 1000 per class.
/// </summary>
public static class FashionMnist
{
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>Where <see cref="Load"/> looks when no root is given: Debian's package, then the download cache.</summary>
    public static IReadOnlyList<string> DefaultRoots =>
        new[] { DatasetPaths.DebianFashionMnist, Path.Combine(DatasetPaths.CacheRoot, DatasetCatalog.FashionMnist.Name) };

    const string InstallAdvice = LearnerMessages.FashionMnistInstallAdvice;

    /// <summary>
    /// Images float32 [N, 1, 28, 28] in [-1, 1] and labels int64 [N] (0-9, see <see cref="ClassNames"/>).
    /// </summary>
    /// <param name="root">A folder with the four IDX files (gzipped or plain); default: <see cref="DefaultRoots"/>.</param>
    /// <param name="limit">Load only the first this-many images (quick mode).</param>
    public static ImageDataset Load(DatasetSplit split = DatasetSplit.Train, string? root = null, long? limit = null, Device? device = null) =>
        MnistFamily.Load("Fashion-MNIST", split, root is null ? DefaultRoots : new[] { root }, ClassNames, InstallAdvice, limit, device);

    /// <summary>Whether both splits can be found (in <paramref name="root"/> or the default places).</summary>
    public static bool IsInstalled(string? root = null) => MnistLayout.IsComplete(root is null ? DefaultRoots : new[] { root });
}

/// <summary>
/// MNIST (LeCun, Cortes and Burges): 28x28 grey images of handwritten digits, 60000 for training
/// and 10000 for testing. No Debian package: download it with <see cref="DatasetDownloader"/>.
/// </summary>
public static class Mnist
{
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    public static IReadOnlyList<string> DefaultRoots => new[] { Path.Combine(DatasetPaths.CacheRoot, DatasetCatalog.Mnist.Name) };

    const string InstallAdvice = LearnerMessages.MnistInstallAdvice;

    /// <summary>Images float32 [N, 1, 28, 28] in [-1, 1] and labels int64 [N] (the digits 0-9).</summary>
    public static ImageDataset Load(DatasetSplit split = DatasetSplit.Train, string? root = null, long? limit = null, Device? device = null) =>
        MnistFamily.Load("MNIST", split, root is null ? DefaultRoots : new[] { root }, ClassNames, InstallAdvice, limit, device);

    public static bool IsInstalled(string? root = null) => MnistLayout.IsComplete(root is null ? DefaultRoots : new[] { root });
}

static class MnistLayout
{
    static readonly string[] s_baseNames = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

    public static bool IsComplete(IEnumerable<string> roots) => roots.Any(root => s_baseNames.All(b => MnistFamily.Find(root, b) is not null));
}

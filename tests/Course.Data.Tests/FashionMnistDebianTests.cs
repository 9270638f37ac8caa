using Course.Data;

namespace Course.Data.Tests;

/// <summary>Runs only where Debian's dataset-fashion-mnist is installed (CI installs it via the README's setup).</summary>
public sealed class FashionMnistInstalledFactAttribute : FactAttribute
{
    public FashionMnistInstalledFactAttribute()
    {
        if (!FashionMnist.IsInstalled(DatasetPaths.DebianFashionMnist))
            Skip = $"Fashion-MNIST is not installed at {DatasetPaths.DebianFashionMnist}: run `sudo apt-get install dataset-fashion-mnist` (datasets/README.md)";
    }
}

/// <summary>The real Fashion-MNIST from Debian's dataset-fashion-mnist package.</summary>
public class FashionMnistDebianTests
{
    [FashionMnistInstalledFact]
    public void Train_split_has_60000_images_6000_per_class_in_range()
    {
        using var train = FashionMnist.Load(DatasetSplit.Train, DatasetPaths.DebianFashionMnist);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, train.Images.shape);
        Assert.Equal(new long[] { 60000 }, train.Labels.shape);
        using var min = train.Images.min();
        using var max = train.Images.max();
        Assert.Equal(-1f, min.ToSingle());
        Assert.Equal(1f, max.ToSingle());
        var counts = new long[10];
        foreach (var label in train.Labels.data<long>().ToArray()) counts[label]++;
        Assert.All(counts, c => Assert.Equal(6000, c));
    }

    [FashionMnistInstalledFact]
    public void Test_split_has_10000_images_1000_per_class()
    {
        using var test = FashionMnist.Load(DatasetSplit.Test);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
        var counts = new long[10];
        foreach (var label in test.Labels.data<long>().ToArray()) counts[label]++;
        Assert.All(counts, c => Assert.Equal(1000, c));
    }

    [FashionMnistInstalledFact]
    public void Pixels_and_labels_match_an_independent_python_reader()
    {
        // Python's gzip module reads the same test files; compare label sequence and pixel sums.
        const string script = """
            import gzip, sys, hashlib
            root = sys.argv[1]
            images = gzip.open(root + '/t10k-images-idx3-ubyte.gz').read()[16:]
            labels = gzip.open(root + '/t10k-labels-idx1-ubyte.gz').read()[8:]
            print(sum(images))
            print(sum(images[:784]))
            print(hashlib.sha256(labels).hexdigest())
            """;
        var lines = Python.Run(script, DatasetPaths.DebianFashionMnist).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var test = FashionMnist.Load(DatasetSplit.Test, DatasetPaths.DebianFashionMnist);
        using var bytes = ImageScaling.SignedUnitToBytes(test.Images);
        var pixels = bytes.data<byte>().ToArray();
        Assert.Equal(long.Parse(lines[0]), pixels.Sum(p => (long)p));
        Assert.Equal(long.Parse(lines[1]), pixels.Take(784).Sum(p => (long)p));
        var labelBytes = test.Labels.data<long>().ToArray().Select(l => (byte)l).ToArray();
        Assert.Equal(lines[2], Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(labelBytes)).ToLowerInvariant());
    }
}

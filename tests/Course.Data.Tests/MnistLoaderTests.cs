using Course.Data;

namespace Course.Data.Tests;

/// <summary>The MNIST-family loader on small IDX files written by the test.</summary>
public class MnistLoaderTests
{
    /// <summary>Writes the four files of a tiny MNIST-layout data set; returns (train images, train labels).</summary>
    static (byte[] images, byte[] labels) WriteTinySet(string folder, int count, bool gzip, int seed = 1)
    {
        var random = new Random(seed);
        var images = Enumerable.Range(0, count * 28 * 28).Select(_ => (byte)random.Next(256)).ToArray();
        images[0] = 0; images[1] = 255; // both ends of the range
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        var suffix = gzip ? ".gz" : "";
        IdxFile.Write(Path.Combine(folder, "train-images-idx3-ubyte" + suffix), new[] { count, 28, 28 }, images, gzip);
        IdxFile.Write(Path.Combine(folder, "train-labels-idx1-ubyte" + suffix), new[] { count }, labels, gzip);
        IdxFile.Write(Path.Combine(folder, "t10k-images-idx3-ubyte" + suffix), new[] { 3, 28, 28 }, images[..(3 * 784)], gzip);
        IdxFile.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte" + suffix), new[] { 3 }, labels[..3], gzip);
        return (images, labels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loads_images_scaled_to_minus_one_one_and_int64_labels(bool gzip)
    {
        using var folder = new TempFolder();
        var (images, labels) = WriteTinySet(folder.Path, 20, gzip);
        using var set = FashionMnist.Load(DatasetSplit.Train, folder.Path);
        Assert.Equal(new long[] { 20, 1, 28, 28 }, set.Images.shape);
        Assert.Equal(ScalarType.Float32, set.Images.dtype);
        Assert.Equal(ScalarType.Int64, set.Labels.dtype);
        Assert.Equal(20, set.Count);
        var pixels = set.Images.data<float>().ToArray();
        for (int i = 0; i < images.Length; i++) Assert.Equal(images[i] / 127.5f - 1f, pixels[i], 6);
        Assert.Equal(-1f, pixels[0]);
        Assert.Equal(1f, pixels[1]);
        Assert.Equal(labels.Select(l => (long)l), set.Labels.data<long>().ToArray());
        Assert.Equal("Ankle boot", set.ClassNames[9]);

        using var test = Mnist.Load(DatasetSplit.Test, folder.Path);
        Assert.Equal(3, test.Count);
        Assert.Equal("MNIST", test.Name);

        using var limited = FashionMnist.Load(DatasetSplit.Train, folder.Path, limit: 5);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, limited.Images.shape);
        Assert.Equal(labels.Take(5).Select(l => (long)l), limited.Labels.data<long>().ToArray());
        Assert.True(FashionMnist.IsInstalled(folder.Path));
    }

    [Fact]
    public void Pixel_scaling_round_trips()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var bytes = tensor(all);
        using var signed = ImageScaling.BytesToSignedUnit(bytes);
        using var back = ImageScaling.SignedUnitToBytes(signed);
        Assert.Equal(all, back.data<byte>().ToArray());
    }

    [Fact]
    public void Missing_data_says_how_to_install_it()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(DatasetSplit.Train, folder.Path));
        Assert.Contains(folder.Path, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("datasets/README.md", e.Message);
        Assert.False(FashionMnist.IsInstalled(folder.Path));
        Assert.Contains("DatasetCatalog.Mnist", Assert.Throws<DatasetNotFoundException>(() => Mnist.Load(DatasetSplit.Test, folder.Path)).Message);
    }

    [Fact]
    public void Inconsistent_files_name_the_file_at_fault()
    {
        using var folder = new TempFolder();
        WriteTinySet(folder.Path, 20, gzip: false);
        var labelsPath = Path.Combine(folder.Path, "train-labels-idx1-ubyte");
        IdxFile.Write(labelsPath, new[] { 19 }, new byte[19]);
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Load(DatasetSplit.Train, folder.Path));
        Assert.Equal(labelsPath, e.FilePath);
        Assert.Contains("19 labels", e.Message);

        IdxFile.Write(labelsPath, new[] { 20 }, Enumerable.Repeat((byte)10, 20).ToArray());
        Assert.Contains("label 10", Assert.Throws<DataFileException>(() => FashionMnist.Load(DatasetSplit.Train, folder.Path)).Message);
    }

    [Fact]
    public void Random_batches_come_from_the_set()
    {
        using var folder = new TempFolder();
        WriteTinySet(folder.Path, 20, gzip: true);
        using var set = Mnist.Load(DatasetSplit.Train, folder.Path);
        using var generator = new Generator(1);
        var (images, labels) = set.RandomBatch(8, generator);
        using var _i = images;
        using var _l = labels;
        Assert.Equal(new long[] { 8, 1, 28, 28 }, images.shape);
        Assert.All(labels.data<long>().ToArray(), l => Assert.InRange(l, 0, 9));
    }
}

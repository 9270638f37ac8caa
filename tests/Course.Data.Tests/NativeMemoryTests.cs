using Course.Data;

namespace Course.Data.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "native memory (runs alone)";
}

/// <summary>Samplers and loaders free their intermediate tensors: only what they return stays alive.</summary>
[Collection(NativeMemoryCollection.Name)]
public class NativeMemoryTests
{
    /// <summary>Lets finalizers of tensors other tests dropped run now, not in the middle of a count.</summary>
    static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    public static IEnumerable<object[]> AllNames => ToyDatasets.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Toy_samplers_leave_only_their_result(string name)
    {
        using (ToyDatasets.Sample(name, 100, seed: 1)) { } // warm up lazily created statics
        long before = Settle();
        var points = ToyDatasets.Sample(name, 1000, seed: 2);
        Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        points.Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Mixture_sampling_and_standardizer_leave_only_their_results()
    {
        long before = Settle();
        var (points, components) = ToyDatasets.DefaultMixture.SampleWithComponents(500, seed: 3);
        Assert.Equal(before + 2, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var scaler = Standardizer.Fit(points);
        var normalized = scaler.Normalize(points);
        var restored = scaler.Denormalize(normalized);
        Assert.Equal(before + 6, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        foreach (var t in new[] { points, components, normalized, restored }) t.Dispose();
        scaler.Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Image_loading_leaves_only_images_and_labels()
    {
        using var folder = new TempFolder();
        IdxFile.Write(folder.File("train-images-idx3-ubyte.gz"), new[] { 4, 28, 28 }, new byte[4 * 784], gzip: true);
        IdxFile.Write(folder.File("train-labels-idx1-ubyte.gz"), new[] { 4 }, new byte[] { 0, 1, 2, 3 }, gzip: true);
        long before = Settle();
        var set = FashionMnist.Load(DatasetSplit.Train, folder.Path);
        Assert.Equal(before + 2, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var (images, labels) = set.RandomBatch(2);
        Assert.Equal(before + 4, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        images.Dispose(); labels.Dispose(); set.Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}

using Course.Data;
using Course.Interrupts;

namespace Course.Data.Tests;

/// <summary>The data library's messages for a learner in Japanese when the lesson chose it (the Japanese edition):
/// a data set that is not installed (with the same paths and commands), a toy data set's unknown name; the English
/// text is what it was.</summary>
public class LearnerLanguageTests
{
    static string Message(Action action) => Record.Exception(action)?.Message ?? throw new InvalidOperationException("nothing was thrown");

    [Fact]
    public void AMissingDataSetSaysHowToInstallItInJapanese()
    {
        using var folder = new TempFolder();
        var english = Message(() => FashionMnist.Load(DatasetSplit.Train, folder.Path));
        string japanese;
        using (LearnerLanguage.Use("ja")) japanese = Message(() => FashionMnist.Load(DatasetSplit.Train, folder.Path));
        Assert.StartsWith("Fashion-MNIST (train) was not found: looked for train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz", english);
        Assert.StartsWith("Fashion-MNIST (train) が見つかりません: train-images-idx3-ubyte.gz と train-labels-idx1-ubyte.gz", japanese);
        foreach (var kept in new[] { folder.Path, "sudo apt-get install dataset-fashion-mnist", "datasets/README.md",
                     "await DatasetDownloader.DownloadAsync(DatasetCatalog.FashionMnist)" })
        {
            Assert.Contains(kept, english);
            Assert.Contains(kept, japanese);
        }
        Assert.Contains("インストールしてください", japanese);
        using (LearnerLanguage.Use("ja"))
            Assert.Contains("DatasetCatalog.Mnist", Message(() => Mnist.Load(DatasetSplit.Test, folder.Path)));
    }

    [Fact]
    public void AnUnknownToyDataSetNamesTheKnownOnesInJapanese()
    {
        var english = Message(() => ToyDatasets.Sample("spiral", 10));
        string japanese;
        using (LearnerLanguage.Use("ja")) japanese = Message(() => ToyDatasets.Sample("spiral", 10));
        Assert.StartsWith("unknown toy dataset 'spiral'; known: ", english);
        Assert.StartsWith("'spiral' という名前のトイデータセットはありません。使える名前: ", japanese);
        foreach (var name in ToyDatasets.Names) Assert.Contains(name, japanese);
    }

    [Fact]
    public void ADataSetDescribesItselfInJapanese()
    {
        using var dataset = new ImageDataset("Fashion-MNIST", DatasetSplit.Test, zeros(2000, 1, 28, 28), zeros(new long[] { 2000 }, dtype: ScalarType.Int64),
            FashionMnist.ClassNames);
        Assert.Equal("Fashion-MNIST (test): 2000 images [1, 28, 28], 10 classes", dataset.ToString());
        using (LearnerLanguage.Use("ja"))
            Assert.Equal("Fashion-MNIST (test): 画像 2000 枚 [1, 28, 28]、10 クラス", dataset.ToString());
    }
}

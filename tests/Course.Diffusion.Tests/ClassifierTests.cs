using Course.Diffusion.Evaluation;

namespace Course.Diffusion.Tests;

/// <summary>The metrics' classifier: shapes it refuses, its features, saving and loading, training and stopping.
/// Runs alone: it seeds and draws from the global generator, and on TorchSharp, beside other classes training in
/// parallel, its training once failed with "Unknown scalar type" (passes alone, 2026-12-07).</summary>
[Collection(nameof(RunsAloneCollection))]
public class ClassifierTests
{
    /// <summary>Two classes told apart by whether a bright block sits in the top or the bottom half (left-right
    /// symmetric, so mirroring keeps them apart): learnable in a few dozen steps.</summary>
    static (Tensor Images, Tensor Labels) Squares(int n, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(seed);
        var labels = randint(0, 2, new long[] { n }, generator: g);
        var images = randn(new long[] { n, 1, 28, 28 }, generator: g) * 0.3 - 1;
        var top = zeros(new long[] { 1, 1, 28, 28 });
        top[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(2, 12), TensorIndex.Slice(8, 20)] = ones(1, 1, 10, 12);
        var mask = where(labels.eq(0).view(-1, 1, 1, 1), top, top.flip(2));
        return ((images + 1.5 * mask).MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    [Fact]
    public void FeaturesAreTheReluOfTheHiddenLayerAndTheLogitsComeFromThem()
    {
        manual_seed(0);
        using var classifier = new FashionClassifier();
        classifier.eval();
        using var scope = NewDisposeScope();
        var x = randn(5, 1, 28, 28);
        var features = classifier.Features(x);
        Assert.Equal(new long[] { 5, FashionClassifier.FeatureDimension }, features.shape);
        Assert.True(features.min().ToDouble() >= 0);
        Assert.True(features.gt(0).sum().ToInt64() > 0);
        Assert.Equal(classifier.call(x).data<float>().ToArray(), classifier.Classify(features).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => classifier.Features(randn(5, 3, 28, 28)));
        Assert.Throws<ArgumentException>(() => classifier.Features(randn(5, 1, 32, 32)));
        // batches of 2 instead of one of 5: the same numbers up to the convolution's summation order
        using var outputs = ClassifierFeatures.Extract(classifier, x, batchSize: 2);
        var whole = features.data<float>().ToArray();
        var batched = outputs.Features.data<float>().ToArray();
        for (int i = 0; i < whole.Length; i++) Assert.True(Math.Abs(whole[i] - batched[i]) <= 1e-5 * (1 + Math.Abs(whole[i])), $"feature {i}: {whole[i]} vs {batched[i]}");
        Assert.Equal(classifier.call(x).argmax(1).data<long>().ToArray(), outputs.Predicted.data<long>().ToArray());
    }

    [Fact]
    public void TrainingLearnsAToyTaskAndTheFileRoundTrips()
    {
        manual_seed(1);
        using var classifier = new FashionClassifier();
        var (images, labels) = Squares(512, 2);
        var (testImages, testLabels) = Squares(256, 3);
        using (images) using (labels) using (testImages) using (testLabels)
        {
            var reports = new List<ClassifierTrainingReport>();
            var summary = ClassifierTraining.Train(classifier, images, labels, testImages, testLabels,
                new ClassifierTrainingOptions(Epochs: 2, BatchSize: 32, LearningRate: 3e-3, ProgressEvery: 8), new SyncProgress(reports.Add));
            Assert.Equal(32, summary.Steps);
            Assert.Equal(2, summary.EpochsCompleted);
            Assert.False(summary.Cancelled);
            // chance is 50 %; 256 held-out images give a standard error of 3 % around it
            Assert.True(summary.TestAccuracy > 0.9, $"test accuracy {summary.TestAccuracy}");
            Assert.Equal(summary.TestAccuracy, reports.Last().TestAccuracy);
            Assert.True(reports.First().Loss > reports.Last(r => r.TestAccuracy is null).Loss, "the loss did not fall");

            var path = Path.Combine(Path.GetTempPath(), $"classifier-{Guid.NewGuid():N}.safetensors");
            try
            {
                ClassifierFiles.Save(classifier, path, new Dictionary<string, string> { ["note"] = "test" });
                using var loaded = ClassifierFiles.Load(path);
                Assert.False(loaded.training);
                Assert.Equal(summary.TestAccuracy, ClassifierTraining.Accuracy(loaded, testImages, testLabels));
                using var scope = NewDisposeScope();
                Assert.Equal(classifier.Features(testImages).data<float>().ToArray(), loaded.Features(testImages).data<float>().ToArray());
                Assert.Equal("test", Safetensors.ReadMetadata(path)["note"]);
                Assert.Equal("128", Safetensors.ReadMetadata(path)[ClassifierFiles.FeatureDimensionKey]);
            }
            finally { File.Delete(path); }
        }
    }

    [Fact]
    public void CancellationStopsAtAStepBoundaryAndSaysSo()
    {
        manual_seed(2);
        using var classifier = new FashionClassifier();
        var (images, labels) = Squares(256, 4);
        using (images) using (labels)
        {
            using var stop = new CancellationTokenSource();
            int reportsSeen = 0;
            var progress = new SyncProgress(r => { if (++reportsSeen == 1) stop.Cancel(); });
            var summary = ClassifierTraining.Train(classifier, images, labels, images, labels,
                new ClassifierTrainingOptions(Epochs: 3, BatchSize: 32, ProgressEvery: 3), progress, stop.Token);
            Assert.True(summary.Cancelled);
            Assert.Equal(3, summary.Steps);            // cancelled in the report after step 3, before step 4
            Assert.Equal(0, summary.EpochsCompleted);
            Assert.True(double.IsNaN(summary.TestAccuracy));
            Assert.False(classifier.training);
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class SyncProgress(Action<ClassifierTrainingReport> report) : IProgress<ClassifierTrainingReport>
    {
        public void Report(ClassifierTrainingReport value) => report(value);
    }
}

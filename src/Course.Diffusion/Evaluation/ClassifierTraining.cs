using System.Diagnostics;
using System.Globalization;
using Course.Diffusion.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Course.Diffusion.Evaluation;

/// <summary>How <see cref="ClassifierTraining"/> trains a <see cref="FashionClassifier"/>.</summary>
/// <param name="Epochs">passes over the training images, each in a fresh random order.</param>
/// <param name="LearningRate">AdamW's peak rate: reached after a linear warm-up over the first 5 % of the steps,
/// then annealed to 0 along a cosine (a one-cycle schedule).</param>
/// <param name="FlipProbability">each training image is mirrored left-right with this probability (clothes stay clothes).</param>
public sealed record ClassifierTrainingOptions(int Epochs = 12, int BatchSize = 128, double LearningRate = 3e-3, double WeightDecay = 1e-4,
    double FlipProbability = 0.5, long Seed = 0, int ProgressEvery = 100)
{
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "train for at least one epoch");
        if (BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch norm needs batches of at least 2");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be non-negative");
        if (!(FlipProbability >= 0 && FlipProbability <= 1)) throw new ArgumentOutOfRangeException(nameof(FlipProbability), FlipProbability, "must lie in [0, 1]");
        if (ProgressEvery < 1) throw new ArgumentOutOfRangeException(nameof(ProgressEvery), ProgressEvery, "must be positive");
    }
}

/// <summary>Progress of classifier training: means over the steps since the previous report; after each epoch,
/// the accuracy on the held-out images.</summary>
public sealed record ClassifierTrainingReport(int Epoch, long Step, long TotalSteps, double Loss, double BatchAccuracy, double LearningRate,
    double StepsPerSecond, TimeSpan Elapsed, double? TestAccuracy)
{
    public override string ToString() =>
        LearnerMessages.ClassifierProgressLine(Epoch, Step, TotalSteps, Loss, BatchAccuracy, LearningRate, StepsPerSecond, Elapsed, TestAccuracy);
}

/// <summary>What a training run did.</summary>
public sealed record ClassifierTrainingSummary(long Steps, int EpochsCompleted, double TestAccuracy, TimeSpan Elapsed, bool Cancelled);

/// <summary>
/// Trains <see cref="FashionClassifier"/> with cross-entropy, AdamW and a one-cycle learning rate, mirroring images
/// at random; batches and mirrors come from a generator seeded with the options' seed, dropout from the global one
/// (seed it with <c>manual_seed</c>), so a run repeats on one machine. Stops at a step boundary
/// when <c>cancellationToken</c> is cancelled, leaving the weights of the last finished step.
/// </summary>
public static class ClassifierTraining
{
    /// <summary>Trains on images [N, 1, 28, 28] in [−1, 1] with labels [N]; measures the accuracy on the test images after each epoch.</summary>
    public static ClassifierTrainingSummary Train(FashionClassifier classifier, Tensor images, Tensor labels, Tensor testImages, Tensor testLabels,
        ClassifierTrainingOptions? options = null, IProgress<ClassifierTrainingReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var o = options ?? new ClassifierTrainingOptions();
        o.Validate();
        long n = images.shape[0];
        if (labels.ndim != 1 || labels.shape[0] != n) throw new ArgumentException($"need one label per image: {n} images, labels [{string.Join(", ", labels.shape)}]");
        long stepsPerEpoch = n / o.BatchSize;
        if (stepsPerEpoch < 1) throw new ArgumentException($"{n} images do not fill one batch of {o.BatchSize}");
        long totalSteps = stepsPerEpoch * o.Epochs;
        long warmup = Math.Max(1, totalSteps / 20);
        var device = classifier.parameters().First().device;
        // Never train on wrong numbers: the engine checks its operations here once (EngineNumericsCheck).
        EngineNumericsCheck.EnsureRightNumbers(device);
        using var generator = new Generator((ulong)o.Seed);
        using var optimizer = optim.AdamW(classifier.parameters(), lr: o.LearningRate, weight_decay: o.WeightDecay);
        var clock = Stopwatch.StartNew();
        long step = 0;
        double testAccuracy = double.NaN;
        int epochsDone = 0;
        bool cancelled = false;
        double lossSum = 0, correctSum = 0;
        long sinceReport = 0;
        var lastReport = TimeSpan.Zero;
        double lr = 0;

        void Report(int epoch, double? test)
        {
            var now = clock.Elapsed;
            double rate = sinceReport / Math.Max(1e-9, (now - lastReport).TotalSeconds);
            progress?.Report(new ClassifierTrainingReport(epoch, step, totalSteps, sinceReport > 0 ? lossSum / sinceReport : double.NaN,
                sinceReport > 0 ? correctSum / (sinceReport * (double)o.BatchSize) : double.NaN, lr, rate, now, test));
            lossSum = correctSum = 0;
            sinceReport = 0;
            lastReport = now;
        }

        for (int epoch = 1; epoch <= o.Epochs && !cancelled; epoch++)
        {
            using var order = randperm(n, generator: generator);
            for (long b = 0; b < stepsPerEpoch; b++)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                lr = step < warmup
                    ? LearningRateSchedule.LinearWarmup(step, o.LearningRate, warmup)
                    : LearningRateSchedule.CosineAnnealing(step - warmup, o.LearningRate, totalSteps - warmup);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                classifier.train();
                using (NewDisposeScope())
                {
                    var indices = order[TensorIndex.Slice(b * o.BatchSize, (b + 1) * o.BatchSize)];
                    var x = images.index_select(0, indices.to(images.device)).to(float32).to(device);
                    var y = labels.index_select(0, indices.to(labels.device)).to(int64).to(device);
                    var mirror = (rand(new long[] { o.BatchSize }, generator: generator) < o.FlipProbability).to(device).view(-1, 1, 1, 1);
                    x = where(mirror, x.flip(3), x);
                    var logits = classifier.call(x);
                    var loss = F.cross_entropy(logits, y);
                    double value = loss.ToDouble();
                    if (!double.IsFinite(value)) throw new TrainingDivergedException(step + 1, "loss", value);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    lossSum += value;
                    correctSum += logits.argmax(1).eq(y).sum().ToInt64();
                }
                step++;
                sinceReport++;
                if (step % o.ProgressEvery == 0) Report(epoch, null);
            }
            if (cancelled) break;
            testAccuracy = Accuracy(classifier, testImages, testLabels, cancellationToken: cancellationToken);
            epochsDone = epoch;
            Report(epoch, testAccuracy);
        }
        if (cancelled && sinceReport > 0) Report(epochsDone + 1, null);
        classifier.eval();
        return new ClassifierTrainingSummary(step, epochsDone, testAccuracy, clock.Elapsed, cancelled);
    }

    /// <summary>The fraction of images [N, 1, 28, 28] whose predicted class is their label.</summary>
    public static double Accuracy(FashionClassifier classifier, Tensor images, Tensor labels, int batchSize = 500,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var outputs = ClassifierFeatures.Extract(classifier, images, batchSize, cancellationToken: cancellationToken);
        if (labels.ndim != 1 || labels.shape[0] != outputs.Count)
            throw new ArgumentException($"need one label per image: {outputs.Count} images, labels [{string.Join(", ", labels.shape)}]");
        using var scope = NewDisposeScope();
        return outputs.Predicted.eq(labels.to(int64).cpu()).sum().ToInt64() / (double)outputs.Count;
    }
}

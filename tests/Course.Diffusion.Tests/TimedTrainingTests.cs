using System.Diagnostics;
using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using Course.Diffusion.Training;

namespace Course.Diffusion.Tests;

/// <summary>
/// What lesson 10 adds to the trainer: a prediction target other than ε, and a wall-clock budget that
/// ends training and carries the cosine decay of the learning rate.
/// </summary>
public class TimedTrainingTests
{
    [Fact]
    public void Warmup_times_cosine_over_a_fraction_follows_its_closed_form()
    {
        const double lr = 2e-3, min = 1e-5;
        Assert.Equal(lr / 100, LearningRateSchedule.WarmupCosineOverFraction(0, lr, 100, 0), 15);
        Assert.Equal(lr, LearningRateSchedule.WarmupCosineOverFraction(99, lr, 100, 0), 15);
        Assert.Equal(lr / 2 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), LearningRateSchedule.WarmupCosineOverFraction(49, lr, 100, 0.25), 15);
        Assert.Equal(min + (lr - min) / 2, LearningRateSchedule.WarmupCosineOverFraction(500, lr, 100, 0.5, min), 15);
        Assert.Equal(min, LearningRateSchedule.WarmupCosineOverFraction(500, lr, 100, 1, min), 15);
        Assert.Equal(min, LearningRateSchedule.WarmupCosineOverFraction(500, lr, 100, 1.7, min), 15);   // past the end: clamped
        Assert.Equal(lr, LearningRateSchedule.WarmupCosineOverFraction(0, lr, 0, 0), 15);               // no warm-up
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosineOverFraction(0, lr, 10, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosineOverFraction(-1, lr, 10, 0));
    }

    [Theory]
    [InlineData(ModelOutput.Epsilon)]
    [InlineData(ModelOutput.V)]
    [InlineData(ModelOutput.X0)]
    public void The_first_loss_of_a_model_that_predicts_zero_is_the_mean_square_of_its_target(ModelOutput kind)
    {
        // A fresh CompactUNet outputs exactly zero, so its first loss is mean(target²). The trainer's
        // generator draws, in order: the batch indices, t, ε (then the label-dropout coins).
        using var scope = NewDisposeScope();
        var (images, labels) = SmallImages();
        var schedule = NoiseSchedule.Cosine();
        using var model = new CompactUNet(new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4, NumClasses = 3 });
        var options = new TrainingOptions { BatchSize = 16, TotalSteps = 1, Seed = 21, Prediction = kind, LearningRate = 1e-3 };
        using var trainer = new DiffusionTrainer(model, schedule, TrainingData.FromTensor(images, labels), options);
        trainer.Train();

        using var g = new Generator(21);
        var x0 = images.index_select(0, randint(0, images.shape[0], new long[] { 16 }, generator: g));
        var t = randint(0, schedule.Length, new long[] { 16 }, generator: g);
        var noise = randn(x0.shape, generator: g);
        var a = Coefficients.Extract(schedule.SqrtAlphasCumprod, t, x0);
        var s = Coefficients.Extract(schedule.SqrtOneMinusAlphasCumprod, t, x0);
        var target = kind switch { ModelOutput.Epsilon => noise, ModelOutput.X0 => x0, _ => a * noise - s * x0 };
        double expected = target.square().mean().ToDouble();
        Assert.Equal(expected, trainer.Losses[0], expected * 1e-5);
    }

    [Fact]
    public void A_time_budget_ends_training_counts_only_training_time_and_decays_the_rate_over_it()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SmallImages();
        var budget = TimeSpan.FromSeconds(0.6);
        using var model = new CompactUNet(new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4, NumClasses = 3 });
        var options = new TrainingOptions
        {
            BatchSize = 8, TotalSteps = long.MaxValue, TimeBudget = budget, Decay = LearningRateDecay.Cosine,
            LearningRate = 1e-3, WarmupSteps = 2, ProgressEvery = 1, Prediction = ModelOutput.V,
        };
        using var trainer = new DiffusionTrainer(model, NoiseSchedule.Cosine(), TrainingData.FromTensor(images, labels), options);
        var reports = new List<TrainingReport>();
        var handlerTime = TimeSpan.Zero;
        trainer.ProgressChanged += (_, r) =>
        {
            var sleep = Stopwatch.StartNew();
            reports.Add(r);
            Thread.Sleep(20);               // e.g. a notebook drawing a preview: not training time
            handlerTime += sleep.Elapsed;
        };
        var wall = Stopwatch.StartNew();
        var summary = trainer.Train();
        wall.Stop();

        Assert.True(summary.StoppedByTimeLimit);
        Assert.True(trainer.TrainingTime >= budget, $"stopped after {trainer.TrainingTime} of training, before the budget {budget}");
        var slowest = reports.Zip(reports.Skip(1), (p, q) => q.Elapsed - p.Elapsed).DefaultIfEmpty(TimeSpan.FromSeconds(1)).Max();
        Assert.True(trainer.TrainingTime < budget + slowest + TimeSpan.FromSeconds(0.5), $"trained {trainer.TrainingTime} for a budget of {budget}");
        // The handler's sleeps are outside the training time but inside the wall time.
        Assert.True(wall.Elapsed >= trainer.TrainingTime + handlerTime - TimeSpan.FromMilliseconds(50));
        Assert.True(reports.Count >= 3, $"only {reports.Count} steps ran in {budget}");

        // Each report's rate is the closed form at that step's training time: falling to ~0 at the end.
        var last = reports[^1];
        Assert.True(last.LearningRate < 1e-3 * 0.5 * (1 + Math.Cos(Math.PI * 0.8)), $"the rate at the end is still {last.LearningRate}");
        Assert.Equal(LearningRateSchedule.WarmupCosineOverFraction(5, 1e-3, 2, 0.5), trainer.LearningRateAt(5, budget / 2), 15);
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.Equal(trainer.Step, last.TotalSteps);     // the steps it will reach: all of them, at the end

        // Train again: the budget is spent, so nothing more runs.
        long steps = trainer.Step;
        Assert.True(trainer.Train().StoppedByTimeLimit);
        Assert.Equal(steps, trainer.Step);
    }

    [Fact]
    public void A_checkpoint_keeps_the_training_time_and_resuming_continues_the_budget()
    {
        var file = TrainingTests.TempFile("timed.safetensors");
        try
        {
            using var scope = NewDisposeScope();
            var (images, labels) = SmallImages();
            var config = new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4, NumClasses = 3 };
            var options = new TrainingOptions { BatchSize = 8, TotalSteps = 4, TimeBudget = TimeSpan.FromMinutes(10), Decay = LearningRateDecay.Cosine };
            TimeSpan trained;
            using (var model = new CompactUNet(config))
            using (var trainer = new DiffusionTrainer(model, NoiseSchedule.Cosine(), TrainingData.FromTensor(images, labels), options))
            {
                trainer.Train();
                trainer.SaveCheckpoint(file);
                trained = trainer.TrainingTime;
                Assert.True(trained > TimeSpan.Zero);
            }
            using var again = new CompactUNet(config);
            using var resumed = new DiffusionTrainer(again, NoiseSchedule.Cosine(), TrainingData.FromTensor(images, labels), options with { TotalSteps = 6 });
            resumed.Resume(file);
            Assert.Equal(4, resumed.Step);
            Assert.Equal(trained.TotalSeconds, resumed.TrainingTime.TotalSeconds, 9);
            resumed.Train();
            Assert.Equal(6, resumed.Step);
            Assert.True(resumed.TrainingTime > trained);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Nearest_log_snr_agrees_with_a_search_over_every_step()
    {
        var schedule = NoiseSchedule.Cosine();
        var logSnr = schedule.SignalToNoiseRatio.Select(r => Math.Log(r)).ToArray();
        foreach (double target in new[] { -30.0, -12.5, -3.3, -0.01, 0, 0.7, 4.2, 9.9, 30 })
        {
            int best = Enumerable.Range(0, logSnr.Length).MinBy(i => Math.Abs(logSnr[i] - target));
            int found = TimestepSampler.NearestLogSnr(schedule, target);
            Assert.Equal(Math.Abs(logSnr[best] - target), Math.Abs(logSnr[found] - target), 12);
        }
    }

    [Fact]
    public void Log_snr_normal_sampling_gives_timesteps_whose_log_snr_has_the_asked_mean_and_deviation()
    {
        var schedule = NoiseSchedule.Cosine();
        using var g = new Generator(17);
        using var scope = NewDisposeScope();
        const int n = 20000;
        const double mean = -1, std = 2;
        var t = TimestepSampler.Draw(schedule, TimestepSampling.LogSnrNormal, n, g, mean, std);
        Assert.Equal(int64, t.dtype);
        var lambdas = t.data<long>().ToArray().Select(i => Math.Log(schedule.SignalToNoiseRatio[i])).ToArray();
        double m = lambdas.Average(), s = Math.Sqrt(lambdas.Select(l => (l - m) * (l - m)).Sum() / (n - 1));
        // 5 standard errors of the mean (σ/√n) and of the deviation (σ/√(2n)), plus the grid's spacing
        // in λ near the middle (< 0.02), which the nearest step can add.
        Assert.InRange(m, mean - 5 * std / Math.Sqrt(n) - 0.02, mean + 5 * std / Math.Sqrt(n) + 0.02);
        Assert.InRange(s, std - 5 * std / Math.Sqrt(2 * n) - 0.02, std + 5 * std / Math.Sqrt(2 * n) + 0.02);
        // Uniform sampling still draws exactly what randint draws (runs keep their random stream).
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        Assert.Equal(randint(0, 1000, new long[] { 64 }, generator: g1).data<long>().ToArray(),
            TimestepSampler.Draw(schedule, TimestepSampling.Uniform, 64, g2).data<long>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => TimestepSampler.Draw(schedule, TimestepSampling.LogSnrNormal, 4, g, 0, 0));
    }

    [Fact]
    public void Adam_beta2_reaches_the_optimizer()
    {
        // Adam's first step does not depend on β₂ (after bias correction m/√v = g/|g|); later steps do,
        // by far more than rounding.
        using var scope = NewDisposeScope();
        var (images, labels) = SmallImages();
        float[] After(double beta2, int steps)
        {
            // The weights come from a local generator: tests running in parallel draw from the global one.
            using var model = new CompactUNet(new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4, NumClasses = 3 });
            using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.1, new Generator(8));
            using var trainer = new DiffusionTrainer(model, NoiseSchedule.Cosine(), TrainingData.FromTensor(images, labels),
                new TrainingOptions { BatchSize = 8, TotalSteps = steps, WarmupSteps = 0, AdamBeta2 = beta2, EmaDecay = 0 });
            trainer.Train();
            return model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        static double Gap(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        Assert.True(Gap(After(0.5, 1), After(0.999, 1)) < 1e-6);     // equal up to rounding (lr 1e-3)
        Assert.Equal(After(0.5, 3), After(0.5, 3));
        Assert.True(Gap(After(0.5, 3), After(0.999, 3)) > 1e-5);
        Assert.Throws<ArgumentException>(() => new TrainingOptions { AdamBeta2 = 1 }.Validate());
    }

    [Fact]
    public void Impossible_budgets_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TrainingOptions { TimeBudget = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { TimeBudget = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { Prediction = (ModelOutput)7 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { LogSnrStd = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { LogSnrMean = double.NaN }.Validate());
        // With a budget the cosine runs over time, so TotalSteps need not exceed the warm-up.
        new TrainingOptions { TimeBudget = TimeSpan.FromMinutes(1), Decay = LearningRateDecay.Cosine, TotalSteps = 1, WarmupSteps = 100 }.Validate();
    }

    /// <summary>48 random 8x8 images in [-1, 1] with labels 0..2 (their own generator).</summary>
    static (Tensor images, Tensor labels) SmallImages()
    {
        using var g = new Generator(5);
        var images = rand(new long[] { 48, 1, 8, 8 }, generator: g) * 2 - 1;
        return (images, randint(0, 3, new long[] { 48 }, generator: g));
    }
}

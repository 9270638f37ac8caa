using Course.Data;
using Course.Diffusion.Generative;
using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using Course.Diffusion.Score;
using Course.Diffusion.Training;
using Course.Interrupts;

namespace Course.Diffusion.Tests;

/// <summary>
/// Stopping with an explicit token (what the stop button does through the cell's cancellation):
/// the operation stops at the next step boundary, says in one line what it kept, leaves the
/// trainer's state that of the last completed step, and training then continues bit for bit.
/// Alone: the bit-for-bit comparisons seed the global generator, which other classes draw from.
/// </summary>
[Collection(nameof(RunsAloneCollection))]
public class StopTests
{
    static TrainingOptions Options => new()
    {
        TotalSteps = 8, BatchSize = 16, LearningRate = 2e-3, WarmupSteps = 3, Seed = 5, UnconditionalProbability = 0.3, ProgressEvery = 1,
    };

    [Fact]
    public void Stopped_training_keeps_step_k_and_training_again_equals_an_uninterrupted_run_bit_for_bit()
    {
        var (images, labels) = TrainingTests.TinyImages();
        using var _i = images;
        using var _l = labels;
        var data = TrainingData.FromTensor(images, labels);
        var checkpoint = TrainingTests.TempFile("stopped.safetensors");
        try
        {
            manual_seed(20);
            using var straightModel = new UNet(TrainingTests.TinyUNet);
            using var straight = new DiffusionTrainer(straightModel, NoiseSchedule.Linear(), data, Options);
            straight.Train();

            manual_seed(20);
            using var model = new UNet(TrainingTests.TinyUNet);
            using var trainer = new DiffusionTrainer(model, NoiseSchedule.Linear(), data, Options with { CheckpointPath = checkpoint });
            using var stop = new CancellationTokenSource();
            var reported = new List<long>();
            trainer.ProgressChanged += (_, report) =>
            {
                reported.Add(report.Step);
                if (report.Step == 3) stop.Cancel();
            };
            var stopped = Assert.Throws<OperationStoppedException>(() => trainer.Train(cancellationToken: stop.Token));

            Assert.Equal("stopped at step 3 of 8; weights, EMA and optimizer state of step 3 kept, " +
                         $"checkpoint written to {checkpoint}; Train() again continues", stopped.Message);
            Assert.Equal(stopped.Message, stopped.ToString());              // one line, no stack trace
            Assert.Equal(stop.Token, stopped.CancellationToken);
            Assert.Equal(3, trainer.Step);
            Assert.Equal(new long[] { 1, 2, 3 }, reported);
            Assert.Equal(straight.Losses.Take(3), trainer.Losses);
            Assert.Equal(3, DiffusionTrainer.CheckpointStep(checkpoint));
            Assert.Equal(3, trainer.Ema.Updates);

            trainer.Train();
            Assert.Equal(8, trainer.Step);
            Assert.Equal(straight.Losses, trainer.Losses);
            var expected = TrainingTests.Snapshot(straightModel);
            var actual = TrainingTests.Snapshot(model);
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
            var expectedEma = straight.Ema.ShadowByName().Values.Select(t => t.data<float>().ToArray()).ToList();
            var actualEma = trainer.Ema.ShadowByName().Values.Select(t => t.data<float>().ToArray()).ToList();
            for (int i = 0; i < expectedEma.Count; i++) Assert.Equal(expectedEma[i], actualEma[i]);
        }
        finally { File.Delete(checkpoint); }
    }

    [Fact]
    public void A_token_cancelled_before_training_stops_at_the_first_boundary_and_changes_nothing()
    {
        manual_seed(3);
        using var model = new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 16, hiddenLayers: 1);
        var before = TrainingTests.Snapshot(model);
        using var trainer = new DiffusionTrainer(model, NoiseSchedule.Linear(50),
            TrainingData.FromSampler((n, g) => ToyDatasets.EightGaussians(n, g)), new TrainingOptions { TotalSteps = 100, BatchSize = 8 });
        var stopped = Assert.Throws<OperationStoppedException>(() => trainer.Train(cancellationToken: new CancellationToken(true)));
        Assert.StartsWith("stopped at step 0 of 100;", stopped.Message);
        Assert.Equal(0, trainer.Step);
        Assert.Empty(trainer.Losses);
        var after = TrainingTests.Snapshot(model);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], after[i]);
    }

    [Fact]
    public void Stopped_vae_and_gan_training_continue_exactly()
    {
        var config = GenerativeConfig.ForToyData(2) with { Width = 32, Layers = 2 };
        var data = TrainingData.FromSampler((n, g) => ToyDatasets.EightGaussians(n, g, std: 0.1));
        var options = new GenerativeTrainingOptions { TotalSteps = 10, BatchSize = 64, Seed = 7, ProgressEvery = 1 };

        manual_seed(21);
        using var straightVae = new VariationalAutoencoder(config);
        using var straight = new VaeTrainer(straightVae, data, options);
        straight.Train();
        manual_seed(21);
        using var vae = new VariationalAutoencoder(config);
        using var vaeTrainer = new VaeTrainer(vae, data, options);
        using (var stop = new CancellationTokenSource())
        {
            vaeTrainer.ProgressChanged += (_, report) => { if (report.Step == 4) stop.Cancel(); };
            var stopped = Assert.Throws<OperationStoppedException>(() => vaeTrainer.Train(cancellationToken: stop.Token));
            Assert.Equal("stopped at step 4 of 10; weights and optimizer state of step 4 kept; Train() again continues", stopped.Message);
        }
        Assert.Equal(4, vaeTrainer.Step);
        vaeTrainer.Train();
        Assert.Equal(straight.Losses, vaeTrainer.Losses);

        var ganOptions = GenerativeTrainingOptions.ForGan() with { TotalSteps = 6, BatchSize = 32, Seed = 12, ProgressEvery = 1 };
        manual_seed(22);
        using var straightGan = new GenerativeAdversarialNetwork(config);
        using var straightGanTrainer = new GanTrainer(straightGan, data, ganOptions);
        straightGanTrainer.Train();
        manual_seed(22);
        using var gan = new GenerativeAdversarialNetwork(config);
        using var ganTrainer = new GanTrainer(gan, data, ganOptions);
        using (var stop = new CancellationTokenSource())
        {
            ganTrainer.ProgressChanged += (_, report) => { if (report.Step == 2) stop.Cancel(); };
            var stopped = Assert.Throws<OperationStoppedException>(() => ganTrainer.Train(cancellationToken: stop.Token));
            Assert.StartsWith("stopped at step 2 of 6; both networks", stopped.Message);
        }
        ganTrainer.Train();
        Assert.Equal(straightGanTrainer.GeneratorLosses, ganTrainer.GeneratorLosses);
        Assert.Equal(straightGanTrainer.DiscriminatorLosses, ganTrainer.DiscriminatorLosses);
    }

    [Fact]
    public void A_stopped_sampler_stops_at_the_next_step_returns_nothing_and_the_same_sample_follows()
    {
        manual_seed(4);
        using var model = new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 16, hiddenLayers: 1);
        model.eval();
        var sampler = new DdpmSampler(NoiseSchedule.Linear(50));
        using var expected = sampler.Sample(model.call, new long[] { 32, 2 }, new Generator(9));

        int calls = 0;
        using var stop = new CancellationTokenSource();
        Denoiser counting = (x, t, y) =>
        {
            if (++calls == 10) stop.Cancel();
            return model.call(x, t, y);
        };
        var trajectory = new List<Tensor>();
        var stopped = Assert.Throws<OperationStoppedException>(() =>
            sampler.Sample(counting, new long[] { 32, 2 }, new Generator(9), trajectory: trajectory, cancellationToken: stop.Token));
        Assert.Equal(10, calls);                     // the step under way finished; no other began
        Assert.Equal("DdpmSampler stopped after 10 of 50 steps; no sample returned (x was still partly noise); " +
                     "the trajectory keeps its 11 states so far; the model is unchanged", stopped.Message);
        Assert.Equal(11, trajectory.Count);
        foreach (var t in trajectory) t.Dispose();

        using var again = sampler.Sample(model.call, new long[] { 32, 2 }, new Generator(9));
        Assert.Equal(expected.data<float>().ToArray(), again.data<float>().ToArray());
    }

    [Fact]
    public void Langevin_and_annealed_langevin_stop_at_the_next_step()
    {
        using var start = randn(new long[] { 16, 2 }, generator: new Generator(1));
        int calls = 0;
        using (var stop = new CancellationTokenSource())
        {
            Func<Tensor, Tensor> score = x => { if (++calls == 7) stop.Cancel(); return -x; };
            var stopped = Assert.Throws<OperationStoppedException>(() =>
                Langevin.Sample(score, start, 0.1, 1000, new Generator(2), cancellationToken: stop.Token));
            Assert.Equal(7, calls);
            Assert.StartsWith("Langevin stopped after 7 of 1,000 steps;", stopped.Message);
        }
        calls = 0;
        using (var stop = new CancellationTokenSource())
        {
            Func<Tensor, Tensor, Tensor> score = (x, sigma) => { if (++calls == 12) stop.Cancel(); return -x; };
            var stopped = Assert.Throws<OperationStoppedException>(() =>
                AnnealedLangevin.Sample(score, start, new[] { 1.0, 0.5, 0.1 }, 0.01, 10, new Generator(2), cancellationToken: stop.Token));
            Assert.Equal(12, calls);
            Assert.StartsWith("annealed Langevin stopped after 12 of 30 steps;", stopped.Message);
        }
    }

    [Fact]
    public void Measuring_images_stops_with_one_line_and_the_callers_token()
    {
        using var scope = NewDisposeScope();
        using var classifier = new Course.Diffusion.Evaluation.FashionClassifier();
        using var g = new Generator(5);
        var reference = rand(new long[] { 40, 1, 28, 28 }, generator: g) * 2 - 1;
        var referenceLabels = randint(0, 10, new long[] { 40 }, generator: g);
        var pool = rand(new long[] { 40, 1, 28, 28 }, generator: g) * 2 - 1;
        var evaluator = new Course.Diffusion.Evaluation.ImageEvaluator(classifier, reference, referenceLabels, pool);
        var images = rand(new long[] { 20, 1, 28, 28 }, generator: g) * 2 - 1;
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = Assert.Throws<OperationStoppedException>(() => evaluator.Score(images, null, cancelled.Token));
        Assert.Equal(cancelled.Token, stopped.CancellationToken);
        Assert.Equal("stopped while measuring 20 images; no scores kept, the images and the model are unchanged", stopped.Message);
        Assert.Equal(20L, evaluator.Score(images).Count);   // and it measures when not stopped
    }

    [Fact]
    public void Measuring_the_floor_stops_with_one_line()
    {
        using var scope = NewDisposeScope();
        using var classifier = new Course.Diffusion.Evaluation.FashionClassifier();
        using var g = new Generator(6);
        var reference = rand(new long[] { 40, 1, 28, 28 }, generator: g) * 2 - 1;
        var pool = rand(new long[] { 40, 1, 28, 28 }, generator: g) * 2 - 1;
        using var evaluator = new Course.Diffusion.Evaluation.ImageEvaluator(classifier, reference,
            randint(0, 10, new long[] { 40 }, generator: g), pool);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = Assert.Throws<OperationStoppedException>(() => evaluator.Floors(20, 3, cancelled.Token));
        Assert.Equal("stopped while measuring the floor at n = 20; the draws finished before are kept", stopped.Message);
        Assert.Equal(20L, evaluator.Floor(20).Count);   // and it measures when not stopped
    }
}

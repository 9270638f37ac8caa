using Course.Data;
using Course.Diffusion.Models;
using Course.Diffusion.Schedules;
using Course.Diffusion.Training;

namespace Course.Diffusion.Tests;

/// <summary>Tests that must not share the machine with other tests: those that count live tensor
/// handles (a process-wide counter) and those that train against a time budget.</summary>
[CollectionDefinition(nameof(RunsAloneCollection), DisableParallelization = true)]
public sealed class RunsAloneCollection { }

[Collection(nameof(RunsAloneCollection))]
public class NativeMemoryTests
{
    /// <summary>Live handles after finalizing whatever earlier tests dropped without disposing.</summary>
    static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    [Fact]
    public void Forward_passes_free_their_intermediate_tensors()
    {
        using var model = new UNet(new UNetConfig { BaseChannels = 8, ChannelMultipliers = new[] { 1, 2 }, ImageSize = 8, NumClasses = 2 });
        using var x = randn(2, 1, 8, 8);
        using var t = tensor(new long[] { 3, 4 });
        using (var warm = model.call(x, t)) { }
        long before = LiveTensors();
        for (int i = 0; i < 5; i++)
            using (no_grad())
            using (var y = model.call(x, t)) { }
        Assert.Equal(before, LiveTensors());
    }

    [Fact]
    public void Training_reports_progress_every_n_steps_and_at_the_end_and_leaks_no_tensors()
    {
        using var model = new TimeConditionedMlp(hiddenWidth: 16, hiddenLayers: 2);
        var data = TrainingData.FromSampler((n, g) => ToyDatasets.EightGaussians(n, g));
        var reports = new List<TrainingReport>();
        using var trainer = new DiffusionTrainer(model, NoiseSchedule.Linear(), data, new TrainingOptions { TotalSteps = 25, BatchSize = 32, ProgressEvery = 10 });
        trainer.ProgressChanged += (_, p) => reports.Add(p);
        trainer.TrainStep();
        long live = LiveTensors();
        var summary = trainer.Train();
        Assert.Equal(live, LiveTensors());
        Assert.Equal(new long[] { 10, 20, 25 }, reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.StepsPerSecond > 0 && double.IsFinite(r.AverageLoss) && r.TotalSteps == 25));
        Assert.Equal(25, summary.LastStep);
        Assert.Contains("step 25/25", reports[^1].ToString());
    }
}

using System.Diagnostics;
using Course.Notebooks.Kernel;
using Microsoft.DotNet.Interactive.Commands;

namespace Course.Notebooks.Tests;

/// <summary>
/// The stop of an editor that talks to .NET Interactive itself (Polyglot Notebooks' stop button): the
/// kernel receives a <see cref="Cancel"/> command, cancels the running cell's token and lets the next
/// cell start at once, while the cancelled C# code goes on until it looks at that token. The course's
/// operations look at it every step: the training must stop within a step, nothing of it may run on
/// while the next cell runs, the next cell's variables must survive the stopped cell's unwinding, and
/// the interrupted model must sample and train on.
/// </summary>
[Collection("course notebooks")]
public class EditorStopTests
{
    [Fact]
    public async Task CancelFromTheEditorStopsTrainingAndTheNextCellsKeepTheirVariables()
    {
        using var dir = new TempDir();
        var lib = Path.Combine(CourseNotebookTests.RepositoryRoot(), "lib");
        var counterFile = dir.File("counter.txt");
        using var kernel = new NotebookKernel();
        var setup = await kernel.ExecuteCellAsync($$"""
            #r "{{lib}}/TorchSharp.dll"
            #r "{{lib}}/Course.Data.dll"
            #r "{{lib}}/Course.Diffusion.dll"
            using TorchSharp;
            using static TorchSharp.torch;
            using Course.Data;
            using Course.Diffusion.Models;
            using Course.Diffusion.Samplers;
            using Course.Diffusion.Schedules;
            using Course.Diffusion.Training;
            manual_seed(0);
            var schedule = NoiseSchedule.Linear(100);
            var model = new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 32, hiddenLayers: 2);
            var trainer = new DiffusionTrainer(model, schedule,
                TrainingData.FromSampler((n, g) => ToyDatasets.Sample("swiss-roll", n, g)),
                new TrainingOptions { TotalSteps = 1_000_000, BatchSize = 64, Seed = 1, ProgressEvery = 1 });
            trainer.ProgressChanged += (_, r) => System.IO.File.WriteAllText(@"{{counterFile}}", r.Step.ToString());
            """);
        Assert.True(setup.Succeeded, setup.Failure);

        var training = kernel.ExecuteCellAsync("trainer.Train();");
        var moving = Stopwatch.StartNew();
        while (ReadCounter(counterFile) < 5)
        {
            Assert.True(moving.Elapsed < TimeSpan.FromSeconds(120), "the training cell never started stepping");
            if (training.IsCompleted) Assert.Fail("the training cell ended before it was stopped: " + (await training).Failure);
            await Task.Delay(50);
        }

        var stopping = Stopwatch.StartNew();
        await kernel.Kernel.SendAsync(new Cancel());
        var stopped = await training.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(stopped.Succeeded, "the cancelled cell reported success");

        // The next cell starts while the stopped cell's thread may still be unwinding: it must see the
        // counter stand still and keep what it defines.
        var next = await kernel.ExecuteCellAsync("var definedAfterTheStop = 42;\ntrainer.Step");
        Assert.True(next.Succeeded, next.Failure);
        long stepSeenByTheNextCell = Convert.ToInt64(next.ReturnValue);
        long atStop = ReadCounter(counterFile);
        await Task.Delay(TimeSpan.FromSeconds(3));
        long later = ReadCounter(counterFile);
        Assert.True(later == atStop, $"training ran on after the next cell started: step {atStop} -> {later}");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(10),
            $"stopping took {stopping.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(later, stepSeenByTheNextCell);

        var after = await kernel.ExecuteCellAsync("""
            var samples = new DdpmSampler(schedule).Sample(model.call, new long[] { 64, 2 }, new Generator(2));
            long before = trainer.Step;
            trainer.Train(steps: 20);
            $"{definedAfterTheStop} {before} {trainer.Step} {samples.isfinite().all().item<bool>()}"
            """);
        Assert.True(after.Succeeded, after.Failure);
        var parts = ((string)after.ReturnValue!).Split(' ');
        Assert.Equal("42", parts[0]);
        Assert.Equal(long.Parse(parts[1]) + 20, long.Parse(parts[2]));
        Assert.Equal(later, long.Parse(parts[1]));
        Assert.Equal("True", parts[3]);
    }

    /// <summary>The stopped cell's own end: within 2 s of the Cancel, with the course's one line.</summary>
    [Fact]
    public async Task CancelEndsTheCellWithinTwoSecondsWithWhatWasKept()
    {
        using var dir = new TempDir();
        var lib = Path.Combine(CourseNotebookTests.RepositoryRoot(), "lib");
        var counterFile = dir.File("counter.txt");
        using var kernel = new NotebookKernel();
        var lines = new List<string>();
        kernel.StreamWritten += (_, text) => { lock (lines) lines.Add(text); };
        var setup = await kernel.ExecuteCellAsync($$"""
            #r "{{lib}}/TorchSharp.dll"
            #r "{{lib}}/Course.Data.dll"
            #r "{{lib}}/Course.Diffusion.dll"
            using Course.Data;
            using Course.Diffusion.Models;
            using Course.Diffusion.Schedules;
            using Course.Diffusion.Training;
            var trainer = new DiffusionTrainer(new TimeConditionedMlp(2, 32, 2), NoiseSchedule.Linear(100),
                TrainingData.FromSampler((n, g) => ToyDatasets.Sample("swiss-roll", n, g)),
                new TrainingOptions { TotalSteps = 1_000_000, BatchSize = 64, Seed = 1, ProgressEvery = 1 });
            trainer.ProgressChanged += (_, r) => System.IO.File.WriteAllText(@"{{counterFile}}", r.Step.ToString());
            """);
        Assert.True(setup.Succeeded, setup.Failure);
        var training = kernel.ExecuteCellAsync("trainer.Train();");
        while (ReadCounter(counterFile) < 5) await Task.Delay(50);

        // Measured from the Cancel to the last step the loop takes (the counter), not to the kernel's
        // answer, which comes at once whatever the code does.
        long atCancel = ReadCounter(counterFile);
        var clock = Stopwatch.StartNew();
        await kernel.Kernel.SendAsync(new Cancel());
        var result = await training.WaitAsync(TimeSpan.FromSeconds(30));
        long last = atCancel;
        var lastMove = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            long now = ReadCounter(counterFile);
            if (now != last) { last = now; lastMove = clock.Elapsed; }
            await Task.Delay(20);
        }
        Assert.True(lastMove < TimeSpan.FromSeconds(2), $"the loop took steps until {lastMove.TotalSeconds:F2} s after the stop");
        string said = result.Failure ?? "";
        lock (lines) said += string.Join("", lines);
        Assert.Contains($"stopped at step {last:N0}", said);
        Assert.Contains("kept", said);
    }

    static long ReadCounter(string path)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                if (!File.Exists(path)) return 0;
                var text = File.ReadAllText(path);
                if (long.TryParse(text, out var value)) return value;
            }
            catch (IOException) { }
            Thread.Sleep(10);   // met the file mid-rewrite
        }
        throw new InvalidOperationException($"{path} never held a number");
    }
}

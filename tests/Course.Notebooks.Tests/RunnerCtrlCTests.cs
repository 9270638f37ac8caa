using System.Diagnostics;

namespace Course.Notebooks.Tests;

/// <summary>
/// A terminal's Ctrl-C in the course's runner (`./run-course.sh`, `dotnet run ... -- run`): the running
/// training stops at its next step with its one line, the runner ends after that cell, and the executed
/// notebook is still written. Ctrl-C in a terminal is SIGINT to the runner; sent here with kill -INT.
/// </summary>
[Collection("course notebooks")]
public class RunnerCtrlCTests
{
    [Fact]
    public async Task CtrlCStopsTheTrainingCellAndTheRunnerStillWritesWhatRan()
    {
        using var dir = new TempDir();
        var root = CourseNotebookTests.RepositoryRoot();
        var lib = Path.Combine(root, "lib");
        var counterFile = dir.File("counter.txt");
        TestNotebooks.Write(dir.File("notebooks/00-train.ipynb"),
            $$"""
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
            """,
            "trainer.Train();",
            "Console.WriteLine(\"after\" + \"-the-stop-\" + \"ran\");");
        var runner = Path.Combine(root, "src", "Course.Notebooks", "bin", "Release", "net10.0", "Course.Notebooks.dll");
        // A terminal starts the runner with SIGINT at its default. The test process may have inherited it
        // ignored (a background job of a non-interactive shell), and .NET keeps an inherited SIG_IGN, so
        // the runner is started through env(1) with SIGINT set back to its default.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--default-signal=INT", "dotnet", runner, "run", "--notebooks", dir.File("notebooks"), "--out", dir.File("out") })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            while (Counter(counterFile) < 5)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(180) && !process.HasExited,
                    "the training never started: " + (process.HasExited ? await stderr : "still waiting"));
                await Task.Delay(100);
            }
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        string output = await stdout, errors = await stderr;
        Assert.NotEqual(0, process.ExitCode);   // a stopped run is not a passed run
        Assert.Contains("stopped by Ctrl-C after 2 of 3 code cells", errors);
        var executed = File.ReadAllText(dir.File("out/notebooks/00-train.ipynb"));
        Assert.Contains("stopped at step", executed);
        Assert.Contains("kept", executed);
        Assert.DoesNotContain("after-the-stop-ran", executed + output);   // built at run time: not in the source
        Nbformat.AssertValid(dir.File("out/notebooks/00-train.ipynb"));
    }

    static long Counter(string path)
    {
        try { return File.Exists(path) && long.TryParse(File.ReadAllText(path), out var v) ? v : 0; }
        catch (IOException) { return 0; }
    }
}

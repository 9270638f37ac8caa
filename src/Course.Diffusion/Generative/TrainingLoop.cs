using System.Diagnostics;
using Course.Diffusion.Training;
using Course.Interrupts;

namespace Course.Diffusion.Generative;

/// <summary>
/// The outer loop the VAE and GAN trainers share with the diffusion trainer's conventions: run steps up to a
/// target, stop early at a time limit, report every so many steps (and at the end) with the speed since
/// the previous report, and write a checkpoint every so many steps and at the end. A stopped cell (or a
/// cancelled token) stops it at the next step boundary: the last report and checkpoint are written, then
/// <see cref="OperationStoppedException"/> says what is kept.
/// </summary>
internal static class TrainingLoop
{
    /// <param name="takeStep">Runs one optimizer step and returns the step count after it.</param>
    /// <param name="report">Called with (steps since the previous report, their steps per second, wall time so far).</param>
    /// <param name="kept">What the trainer holds of the step it stopped at, e.g. "weights and optimizer state".</param>
    public static (TimeSpan Elapsed, bool StoppedByTime) Run(long start, long target, TimeSpan? timeLimit, CancellationToken cancellationToken,
        Func<long> takeStep, int progressEvery, Action<long, double, TimeSpan> report, string? checkpointPath, long checkpointEvery, Action<string> save, string kept)
    {
        var clock = Stopwatch.StartNew();
        long step = start, lastReportStep = start, lastCheckpoint = -1;
        var lastReportTime = TimeSpan.Zero;
        bool stoppedByTime = false, stopped = false;
        using var stop = StopRequest.Watch(cancellationToken);

        void Report()
        {
            var now = clock.Elapsed;
            long done = step - lastReportStep;
            report(done, done / Math.Max(1e-9, (now - lastReportTime).TotalSeconds), now);
            lastReportStep = step;
            lastReportTime = now;
        }

        while (step < target)
        {
            if (stop.IsRequested) { stopped = true; break; }
            if (timeLimit is { } limit && clock.Elapsed >= limit) { stoppedByTime = true; break; }
            step = takeStep();
            if (checkpointPath is not null && checkpointEvery > 0 && step % checkpointEvery == 0)
            {
                save(checkpointPath);
                lastCheckpoint = step;
            }
            if (step % progressEvery == 0) Report();
        }
        if (step != lastReportStep) Report();
        if (checkpointPath is not null && step > start && lastCheckpoint != step)
        {
            save(checkpointPath);
            lastCheckpoint = step;
        }
        if (stopped) throw stop.Stopped(TrainingStops.Describe(step, target, kept, lastCheckpoint == step ? checkpointPath : null));
        return (clock.Elapsed, stoppedByTime);
    }
}

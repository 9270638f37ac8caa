using System.Diagnostics;
using Course.Diffusion.Training;

namespace Course.Diffusion.TrainLive;

/// <summary>What a training step costs this machine in CPU time: the time the process's threads ran,
/// which other programs on the same cores distort far less than the wall clock.</summary>
public static class StepCost
{
    /// <summary>The median process CPU time of <paramref name="steps"/> steps of <paramref name="trainer"/>, in
    /// milliseconds. The steps are real training steps: the trainer moves on by that many.</summary>
    public static double CpuMilliseconds(DiffusionTrainer trainer, int steps = 5)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, LearnerMessages.TimeAtLeastOneStep);
        var process = Process.GetCurrentProcess();
        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            trainer.TrainStep();
            process.Refresh();
            times[i] = (process.TotalProcessorTime - before).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[steps / 2];
    }
}

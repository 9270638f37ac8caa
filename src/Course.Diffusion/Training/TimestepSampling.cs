using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Training;

/// <summary>How training draws the noise level t of each example.</summary>
public enum TimestepSampling
{
    /// <summary>t uniform over the schedule's steps (Ho et al. 2020, Algorithm 1).</summary>
    Uniform,

    /// <summary>
    /// The log signal-to-noise ratio λ = log(ᾱ_t / (1 − ᾱ_t)) normal with mean
    /// <see cref="TrainingOptions.LogSnrMean"/> and deviation <see cref="TrainingOptions.LogSnrStd"/>, t the step
    /// whose λ is nearest (the "logit-normal" sampling of Esser et al. 2024, §3.1, written in λ). It spends the
    /// steps on the middle noise levels, where the network has the most to learn, and few on the nearly clean
    /// and the nearly pure-noise ends, where the answer is almost given.
    /// </summary>
    LogSnrNormal,
}

/// <summary>Draws training timesteps as <see cref="TimestepSampling"/> says.</summary>
public static class TimestepSampler
{
    /// <summary>Schedule indices [batch] (int64, CPU) drawn with <paramref name="generator"/>.</summary>
    public static Tensor Draw(NoiseSchedule schedule, TimestepSampling sampling, long batch, Generator generator,
        double logSnrMean = 0, double logSnrStd = 2)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(generator);
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the batch cannot be negative");
        if (sampling == TimestepSampling.Uniform) return randint(0, schedule.Length, new[] { batch }, generator: generator);
        if (sampling != TimestepSampling.LogSnrNormal) throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "unknown timestep sampling");
        if (!double.IsFinite(logSnrMean) || !(logSnrStd > 0) || double.IsInfinity(logSnrStd))
            throw new ArgumentOutOfRangeException(nameof(logSnrStd), LearnerMessages.LogSnrSampling(logSnrMean, logSnrStd));
        using var z = randn(new[] { batch }, float64, generator: generator);
        var draws = z.data<double>().ToArray();
        var indices = new long[batch];
        for (int i = 0; i < batch; i++) indices[i] = NearestLogSnr(schedule, logSnrMean + logSnrStd * draws[i]);
        return tensor(indices);
    }

    /// <summary>The index whose log-SNR is nearest to <paramref name="logSnr"/> (the log-SNR falls with the index).</summary>
    public static int NearestLogSnr(NoiseSchedule schedule, double logSnr)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var snr = schedule.SignalToNoiseRatio;
        int lo = 0, hi = snr.Length - 1;
        if (logSnr >= Math.Log(snr[0])) return 0;
        if (logSnr <= Math.Log(snr[hi])) return hi;
        while (hi - lo > 1)                  // invariant: log snr[lo] > logSnr >= log snr[hi]
        {
            int mid = (lo + hi) / 2;
            if (Math.Log(snr[mid]) > logSnr) lo = mid; else hi = mid;
        }
        return Math.Log(snr[lo]) - logSnr <= logSnr - Math.Log(snr[hi]) ? lo : hi;
    }
}

namespace Course.Diffusion.Training;

/// <summary>
/// Learning-rate schedules as pure functions of the step k (counting from 0): the rate the k-th
/// optimizer step should use. The trainer sets each step's rate from them; a notebook can plot a
/// schedule without an optimizer.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>Linear warm-up: <c>base_lr * min(1, (k + 1) / warmup_steps)</c>. The first step
    /// uses base_lr / warmup_steps and step warmup_steps - 1 reaches base_lr (Goyal et al. 2017, §2.2).</summary>
    public static double LinearWarmup(long step, double base_lr, long warmup_steps)
    {
        CheckStep(step);
        if (warmup_steps < 1) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warm-up needs at least one step");
        return base_lr * Math.Min(1.0, (step + 1) / (double)warmup_steps);
    }

    /// <summary>Cosine annealing (Loshchilov &amp; Hutter 2017, SGDR eq. 5, one cycle):
    /// <c>eta_min + (base_lr - eta_min) * (1 + cos(pi * min(k, T_max) / T_max)) / 2</c>;
    /// it equals base_lr at k = 0 and stays at eta_min from k = T_max on. This is the closed form
    /// of PyTorch's CosineAnnealingLR for k &lt;= T_max (PyTorch computes it recursively and keeps
    /// oscillating after T_max).</summary>
    public static double CosineAnnealing(long step, double base_lr, long T_max, double eta_min = 0)
    {
        CheckStep(step);
        if (T_max < 1) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be at least 1");
        var progress = Math.Min(step, T_max) / (double)T_max;
        return eta_min + (base_lr - eta_min) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }

    /// <summary>Linear warm-up over <paramref name="warmup_steps"/> steps, then cosine annealing
    /// from base_lr to eta_min over the remaining <c>total_steps - warmup_steps</c> steps:
    /// <c>LinearWarmup(k)</c> for k &lt; warmup_steps, else
    /// <c>CosineAnnealing(k - warmup_steps, T_max: total_steps - warmup_steps)</c>.</summary>
    public static double WarmupCosine(long step, double base_lr, long warmup_steps, long total_steps, double eta_min = 0)
    {
        CheckStep(step);
        if (warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warmup_steps must be >= 0");
        if (total_steps <= warmup_steps)
            throw new ArgumentOutOfRangeException(nameof(total_steps), total_steps, $"total_steps must exceed warmup_steps ({warmup_steps})");
        return step < warmup_steps
            ? LinearWarmup(step, base_lr, warmup_steps)
            : CosineAnnealing(step - warmup_steps, base_lr, total_steps - warmup_steps, eta_min);
    }

    /// <summary>Linear warm-up over steps times a cosine over a fraction of the run, for runs measured
    /// in wall-clock time (<see cref="TrainingOptions.TimeBudget"/>), where the number of steps is not
    /// known in advance: <c>min(1, (k + 1) / warmup_steps) · (eta_min + (base_lr − eta_min)(1 + cos(π f)) / 2)</c>
    /// with f = <paramref name="fraction"/> ∈ [0, 1] the share of the budget used (clamped). It is
    /// <see cref="CosineAnnealing"/> with the step count replaced by the fraction, after the warm-up.</summary>
    public static double WarmupCosineOverFraction(long step, double base_lr, long warmup_steps, double fraction, double eta_min = 0)
    {
        CheckStep(step);
        if (warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warmup_steps must be >= 0");
        if (double.IsNaN(fraction)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction of the run must be a number");
        double warm = warmup_steps == 0 ? 1 : Math.Min(1.0, (step + 1) / (double)warmup_steps);
        double f = Math.Clamp(fraction, 0, 1);
        return warm * (eta_min + (base_lr - eta_min) * (1 + Math.Cos(Math.PI * f)) / 2);
    }

    static void CheckStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "the step index must be >= 0");
    }
}

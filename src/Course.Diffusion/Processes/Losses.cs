using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>Training losses for denoising diffusion models.</summary>
public static class Losses
{
    /// <summary>
    /// L_simple (Ho et al. eq. 14): E_{t, x_0, eps} ||target - model(x_t, t)||^2 with t uniform over the
    /// schedule and x_t = sqrt(alpha-bar_t) x_0 + sqrt(1 - alpha-bar_t) eps; the target is eps, x_0 or v
    /// according to <paramref name="kind"/>. Returns the mean over batch and dimensions (a scalar that keeps its graph).
    /// Pass <paramref name="t"/> or <paramref name="noise"/> to fix them; otherwise they are drawn from <paramref name="generator"/>.
    /// </summary>
    public static Tensor LSimple(this NoiseSchedule schedule, Denoiser model, Tensor x0, ModelOutput kind = ModelOutput.Epsilon,
        Tensor? classLabels = null, Generator? generator = null, Tensor? t = null, Tensor? noise = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x0);
        using var scope = NewDisposeScope();
        // Drawn where the generator lives, then moved, so a CPU generator seeds training on any device.
        var timesteps = t ?? randint(0, schedule.Length, new[] { x0.shape[0] }, int64, generator?.device ?? x0.device, generator: generator).to(x0.device);
        var eps = noise ?? Noise.RandnLike(x0, generator);
        var xT = schedule.QSample(x0, timesteps, eps);
        var modelT = schedule.ModelTimesteps(timesteps);
        var output = model(xT, modelT, classLabels);
        ForwardProcess.CheckSameShape(output, x0, "the model's output", "x0");
        var target = schedule.Target(kind, x0, eps, timesteps);
        var loss = (output - target).square().mean();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The timesteps to give the model for schedule indices t (the same, unless the schedule was respaced).</summary>
    public static Tensor ModelTimesteps(this NoiseSchedule schedule, Tensor t)
    {
        bool identity = true;
        for (int i = 0; i < schedule.Length && identity; i++) identity = schedule.Timesteps[i] == i;
        if (identity) return t.alias();
        using var map = torch.tensor(schedule.Timesteps, device: t.device);
        return map.gather(0, t);
    }
}

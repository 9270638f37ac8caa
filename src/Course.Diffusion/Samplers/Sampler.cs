using Course.Diffusion.Processes;
using Course.Interrupts;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Samplers;

/// <summary>
/// A reverse-process sampler in the diffusers style: it owns a schedule and the step rule; the model only predicts.
/// <see cref="Sample"/> starts from x_T ~ N(0, I) and applies <see cref="Step"/> from the last index down to 0.
/// </summary>
public abstract class Sampler
{
    protected Sampler(NoiseSchedule schedule, ModelOutput prediction, bool clipDenoised)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Prediction = prediction;
        ClipDenoised = clipDenoised;
    }

    /// <summary>The schedule the sampler walks (possibly respaced); models see its <see cref="NoiseSchedule.Timesteps"/>.</summary>
    public NoiseSchedule Schedule { get; }
    /// <summary>What the model predicts.</summary>
    public ModelOutput Prediction { get; }
    /// <summary>Whether the predicted x_0 is clamped to [-1, 1] (image data).</summary>
    public bool ClipDenoised { get; }

    /// <summary>One reverse step from x at schedule index <paramref name="index"/> to index - 1 (to the sample, at index 0).</summary>
    public abstract Tensor Step(Tensor modelOutput, long index, Tensor x, Generator? generator = null);

    /// <summary>
    /// Draws samples of the given shape ([B, ...]). Deterministic given <paramref name="generator"/> (or <paramref name="initialNoise"/>).
    /// With a <paramref name="trajectory"/> list, x_T and then x after every <paramref name="trajectoryEvery"/> steps
    /// (and always the final sample) are added to it; they join the caller's dispose scope, as the result does.
    /// Stopping the cell (or cancelling <paramref name="cancellationToken"/>) stops it before the next step with
    /// <see cref="OperationStoppedException"/>: no sample is returned (x would still be partly noise).
    /// </summary>
    public Tensor Sample(Denoiser model, long[] shape, Generator? generator = null, Tensor? classLabels = null,
        Device? device = null, ScalarType dtype = ScalarType.Float32, Tensor? initialNoise = null,
        IList<Tensor>? trajectory = null, int trajectoryEvery = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0) throw new ArgumentException("the sample shape needs a batch dimension", nameof(shape));
        if (trajectoryEvery < 1) throw new ArgumentOutOfRangeException(nameof(trajectoryEvery), "trajectoryEvery must be at least 1");
        device ??= initialNoise?.device ?? CPU;
        Tensor x;
        if (initialNoise is null) x = Noise.Randn(shape, dtype, device, generator).DetachFromDisposeScope();
        else
        {
            if (!initialNoise.shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException(LearnerMessages.InitialNoiseShape(string.Join(", ", initialNoise.shape), string.Join(", ", shape)), nameof(initialNoise));
            using var moved = initialNoise.to(dtype, device);
            x = moved.clone().DetachFromDisposeScope();
        }
        trajectory?.Add(x.clone());
        using var stop = StopRequest.Watch(cancellationToken);
        using (no_grad())
        {
            int taken = 0;
            for (long i = Schedule.Length - 1; i >= 0; i--)
            {
                if (stop.IsRequested)
                {
                    x.Dispose();
                    throw stop.Stopped(SamplingStops.Describe(GetType().Name, taken, Schedule.Length, trajectory));
                }
                Tensor next;
                using (NewDisposeScope())
                {
                    var modelT = Coefficients.Timestep(Schedule.Timesteps[i], shape[0], device);
                    var output = model(x, modelT, classLabels);
                    next = Step(output, i, x, generator).DetachFromDisposeScope();
                }
                x.Dispose();
                x = next;
                taken++;
                if (trajectory != null && (taken % trajectoryEvery == 0 || i == 0))
                    trajectory.Add(x.clone());
            }
        }
        // Hand the result to the caller's dispose scope, like any other operation.
        var result = x.clone();
        x.Dispose();
        return result;
    }
}

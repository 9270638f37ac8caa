using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>
/// Predictor-corrector sampling (Song et al. 2021, "Score-Based Generative Modeling through SDEs", Algorithm 5, VP SDE;
/// ordered as in their code: correct at t, then predict t -> t-1). Corrector: Langevin steps
/// x = x + e g + sqrt(2 e) z with g = s(x, t) and e = 2 alpha_t (r ||z|| / ||g||)^2 (norms averaged over the batch), r the target
/// signal-to-noise ratio. Predictor: the DDPM ancestral step (Ho et al. Algorithm 2) with eps = -sqrt(1 - alpha-bar_t) s.
/// </summary>
public sealed class PredictorCorrectorSampler
{
    /// <param name="schedule">The schedule to walk: the training schedule or a respacing of it; the score function is
    /// called with the training timesteps (<see cref="NoiseSchedule.Timesteps"/>).</param>
    /// <param name="signalToNoise">r, the corrector's target signal-to-noise ratio (0.16 in Song et al. for CIFAR-10).</param>
    /// <param name="correctorSteps">Langevin steps per noise level (M).</param>
    public PredictorCorrectorSampler(NoiseSchedule schedule, double signalToNoise = 0.16, int correctorSteps = 1,
        ReverseVariance variance = ReverseVariance.FixedSmall)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        if (!(signalToNoise >= 0) || !double.IsFinite(signalToNoise)) throw new ArgumentOutOfRangeException(nameof(signalToNoise), signalToNoise, "the signal-to-noise ratio must be finite and non-negative");
        if (correctorSteps < 0) throw new ArgumentOutOfRangeException(nameof(correctorSteps), correctorSteps, "the number of corrector steps cannot be negative");
        SignalToNoise = signalToNoise;
        CorrectorSteps = correctorSteps;
        _predictor = new DdpmSampler(schedule, ModelOutput.Epsilon, variance);
    }

    readonly DdpmSampler _predictor;
    public NoiseSchedule Schedule { get; }
    public double SignalToNoise { get; }
    public int CorrectorSteps { get; }

    /// <summary>Samples of the given shape from score(x_t, t) (t int64 timesteps [B]); deterministic given the generator.</summary>
    /// <remarks>A stopped cell (or a cancelled token) stops it before the next predictor step, as <see cref="Sampler.Sample"/>.</remarks>
    public Tensor Sample(Func<Tensor, Tensor, Tensor> score, long[] shape, Generator? generator = null, Device? device = null,
        ScalarType dtype = ScalarType.Float32, Tensor? initialNoise = null, IList<Tensor>? trajectory = null, int trajectoryEvery = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(score);
        // The corrector runs inside the denoiser the predictor calls, so the sampler's loop, trajectory and seeding are shared.
        Denoiser correctThenPredict = (x, t, _) =>
        {
            long index = IndexOf(t);
            Correct(score, x, t, index, generator);
            using var s = score(x, t);
            // t holds the score function's (original) timesteps; this schedule is indexed by position.
            using var position = Coefficients.Timestep(index, x.shape[0], x.device);
            return ScoreFunctions.EpsilonFromScore(Schedule, s, position);
        };
        return _predictor.Sample(correctThenPredict, shape, generator, null, device, dtype, initialNoise, trajectory, trajectoryEvery,
            cancellationToken);
    }

    /// <summary>
    /// The corrector's Langevin steps at schedule index <paramref name="index"/>, in place on x. As in Song et al.'s code,
    /// ||z|| and ||g|| are per-sample norms averaged over the batch, so one step size serves the batch (a per-sample
    /// ratio explodes in low dimensions, where ||g|| can be near 0 at a mode).
    /// </summary>
    public void Correct(Func<Tensor, Tensor, Tensor> score, Tensor x, Tensor t, long index, Generator? generator = null)
    {
        double alpha = Schedule.Alphas[index];
        var dims = Enumerable.Range(1, (int)x.ndim - 1).Select(d => (long)d).ToArray();
        for (int j = 0; j < CorrectorSteps; j++)
        {
            using var scope = NewDisposeScope();
            var g = score(x, t);
            var z = Noise.RandnLike(x, generator);
            double gradNorm = (dims.Length == 0 ? g.abs() : g.square().sum(dims).sqrt()).mean().ToDouble();
            double noiseNorm = (dims.Length == 0 ? z.abs() : z.square().sum(dims).sqrt()).mean().ToDouble();
            if (gradNorm == 0) continue;
            double step = 2 * alpha * Math.Pow(SignalToNoise * noiseNorm / gradNorm, 2);
            x.add_(g, step).add_(z, Math.Sqrt(2 * step));
        }
    }

    long IndexOf(Tensor t)
    {
        using var first = t.min();
        long timestep = first.item<long>();
        int index = Array.IndexOf(Schedule.Timesteps, timestep);
        if (index < 0) throw new ArgumentException($"timestep {timestep} is not in the schedule", nameof(t));
        return index;
    }
}

using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using Course.Diffusion.Training;

namespace Course.Diffusion.TrainLive;

/// <summary>
/// Lesson 10's recipe for training a class-conditional image model from random weights in a few
/// minutes of a CPU: every choice in one place, each an ordinary setting of the course's library
/// (<see cref="CompactUNet"/>, <see cref="DiffusionTrainer"/>, <see cref="DpmSolverSampler"/>,
/// <see cref="ClassifierFreeGuidance"/>). The defaults were chosen by measurement on a 2-core CPU
/// against a plain PyTorch recipe (bench/README.md, "Training live").
/// </summary>
public sealed record LiveTrainingRecipe
{
    /// <summary>The network: 2x2 patches folded into channels, 32 channels at 14x14 and 64 at 7x7.</summary>
    public CompactUNetConfig Model { get; init; } = CompactUNetConfig.ForFashionMnist(numClasses: 10);

    /// <summary>T of the cosine noise schedule (Nichol &amp; Dhariwal 2021, eq. 17).</summary>
    public int ScheduleSteps { get; init; } = 1000;

    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW's peak rate, reached after <see cref="WarmupSteps"/> and then falling along a cosine
    /// over the time budget to zero at its end.</summary>
    public double LearningRate { get; init; } = 2e-3;

    public long WarmupSteps { get; init; } = 100;

    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW's β₂: 0.99 rather than 0.999, so the first steps' large gradients are forgotten within
    /// about a hundred steps instead of a thousand.</summary>
    public double AdamBeta2 { get; init; } = 0.99;

    /// <summary>The largest EMA decay; the warm-up (1 + n) / (10 + n) keeps the average about the last
    /// tenth of the steps, whatever the run's length.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Label dropout for classifier-free guidance (Ho &amp; Salimans 2022).</summary>
    public double UnconditionalProbability { get; init; } = 0.1;

    /// <summary>How the noise levels are drawn: normal in log-SNR, N(<see cref="LogSnrMean"/>, <see cref="LogSnrStd"/>²),
    /// so most steps practise the middle levels (<see cref="Training.TimestepSampling.LogSnrNormal"/>).</summary>
    public TimestepSampling TimestepSampling { get; init; } = TimestepSampling.LogSnrNormal;

    public double LogSnrMean { get; init; }

    public double LogSnrStd { get; init; } = 2;

    /// <summary>The network predicts v = √ᾱ ε − √(1 − ᾱ) x_0 (Salimans &amp; Ho 2022).</summary>
    public ModelOutput Prediction { get; init; } = ModelOutput.V;

    /// <summary>DPM-Solver++(2M) steps per sample.</summary>
    public int SamplerSteps { get; init; } = 10;

    /// <summary>Classifier-free guidance scale s (1: the conditional model alone).</summary>
    public double Guidance { get; init; } = 4;

    /// <summary>Seed of the trainer's generator (batches, timesteps, noise, label dropout).</summary>
    public long Seed { get; init; }

    /// <summary>The cosine schedule the model is trained and sampled on.</summary>
    public NoiseSchedule Schedule() => NoiseSchedule.Cosine(ScheduleSteps);

    /// <summary>A fresh network of <see cref="Model"/>'s shape (random weights; output layer zero).</summary>
    public CompactUNet CreateModel() => new(Model);

    /// <summary>The trainer's settings for a run of <paramref name="budget"/> wall-clock time.</summary>
    public TrainingOptions TrainingOptions(TimeSpan budget, int progressEvery = 25) => new()
    {
        TotalSteps = long.MaxValue, TimeBudget = budget, BatchSize = BatchSize, LearningRate = LearningRate,
        WarmupSteps = WarmupSteps, Decay = LearningRateDecay.Cosine, WeightDecay = WeightDecay, AdamBeta2 = AdamBeta2, GradientClipNorm = 1.0,
        EmaDecay = EmaDecay, EmaWarmup = true, UnconditionalProbability = UnconditionalProbability, Prediction = Prediction,
        TimestepSampling = TimestepSampling, LogSnrMean = LogSnrMean, LogSnrStd = LogSnrStd,
        Seed = Seed, ProgressEvery = progressEvery,
    };

    /// <summary>The sampler: DPM-Solver++(2M) on <see cref="SamplerSteps"/> steps, x̂_0 clipped to the pixel range.</summary>
    public Sampler Sampler() => new DpmSolverSampler(Schedule(), SamplerSteps, Prediction, clipDenoised: true);

    /// <summary>The model with classifier-free guidance at <see cref="Guidance"/>.</summary>
    public Denoiser Guided(DenoisingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Guidance == 1 ? model.call : ClassifierFreeGuidance.Guide(model.call, Guidance, model.NullClass);
    }
}

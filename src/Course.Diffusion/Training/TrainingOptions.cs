using System.Text.Json;
using Course.Diffusion.Processes;

namespace Course.Diffusion.Training;

/// <summary>What the learning rate does after the linear warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>Stays at the base learning rate (Ho et al. 2020).</summary>
    Constant,
    /// <summary>Falls along a half cosine to <see cref="TrainingOptions.MinLearningRate"/> at <see cref="TrainingOptions.TotalSteps"/>.</summary>
    Cosine,
}

/// <summary>
/// Settings of a <see cref="DiffusionTrainer"/>. The defaults suit the 2-D toy MLP; Ho et al. 2020
/// used Adam at 2e-4 (CIFAR-10), batch 128, warm-up 5000 steps, gradient clipping at 1 and EMA 0.9999.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Steps that <see cref="DiffusionTrainer.Train"/> runs to (also the end of a cosine decay).</summary>
    public long TotalSteps { get; init; } = 2000;

    public int BatchSize { get; init; } = 512;

    /// <summary>AdamW's base learning rate (reached at the end of the warm-up).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW's β₂, the decay of its running mean of squared gradients (Kingma &amp; Ba 2015): 0.999 by
    /// default; 0.99 forgets the large gradients of the first steps sooner, which suits runs of minutes.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW's decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Steps of linear warm-up from LearningRate / WarmupSteps to LearningRate; 0 for none.</summary>
    public long WarmupSteps { get; init; } = 100;

    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Constant;

    /// <summary>What the network predicts, and so the target of the squared error: the noise ε (Ho et al.
    /// 2020, eq. 14), x_0, or the velocity v = √ᾱ_t ε − √(1 − ᾱ_t) x_0 (Salimans &amp; Ho 2022, §4), whose
    /// error weighs the noise levels more evenly. Samplers must be told the same.</summary>
    public ModelOutput Prediction { get; init; } = ModelOutput.Epsilon;

    /// <summary>How the noise level t of each example is drawn (uniform, or normal in log-SNR).</summary>
    public TimestepSampling TimestepSampling { get; init; } = TimestepSampling.Uniform;

    /// <summary>Mean of the log-SNR for <see cref="TimestepSampling.LogSnrNormal"/> (0: signal and noise equally strong).</summary>
    public double LogSnrMean { get; init; }

    /// <summary>Standard deviation of the log-SNR for <see cref="TimestepSampling.LogSnrNormal"/>.</summary>
    public double LogSnrStd { get; init; } = 2;

    /// <summary>Wall-clock time to train for in all (over every call to Train, and across a resume):
    /// training stops when <see cref="DiffusionTrainer.TrainingTime"/> reaches it, and a
    /// <see cref="LearningRateDecay.Cosine"/> decay runs over this time instead of over
    /// <see cref="TotalSteps"/>, so a run of any length ends with the rate at its minimum. Null: steps only.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Where the cosine decay ends.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>The largest joint gradient norm (Pascanu et al. 2013); 0 or ∞ turns clipping off.</summary>
    public double GradientClipNorm { get; init; } = 1.0;

    /// <summary>Decay of the exponential moving average of the weights.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Whether the EMA decay ramps up as (1 + n) / (10 + n) (useful for short runs).</summary>
    public bool EmaWarmup { get; init; } = true;

    /// <summary>For a class-conditional model: the probability p_uncond that a label is replaced by the
    /// null class (Ho &amp; Salimans 2022, Algorithm 1), so one network learns both branches of guidance.</summary>
    public double UnconditionalProbability { get; init; } = 0.1;

    /// <summary>Seed of the trainer's own generator (batches, timesteps, noise, label dropout).</summary>
    public long Seed { get; init; }

    /// <summary>A progress report every this many steps (and at the end).</summary>
    public int ProgressEvery { get; init; } = 50;

    /// <summary>Where <see cref="DiffusionTrainer.Train"/> writes checkpoints; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A checkpoint every this many steps (and at the end of Train); 0: only at the end.</summary>
    public long CheckpointEvery { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Throws an ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (TotalSteps < 1) throw new ArgumentException(LearnerMessages.AtLeast("TotalSteps", 1, TotalSteps));
        if (BatchSize < 1) throw new ArgumentException(LearnerMessages.AtLeast("BatchSize", 1, BatchSize));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException(LearnerMessages.Positive("LearningRate", LearningRate));
        if (!(AdamBeta2 >= 0 && AdamBeta2 < 1)) throw new ArgumentException(LearnerMessages.Within("AdamBeta2", "[0, 1)", AdamBeta2));
        if (!(WeightDecay >= 0)) throw new ArgumentException(LearnerMessages.NotNegative("WeightDecay", WeightDecay));
        if (WarmupSteps < 0) throw new ArgumentException(LearnerMessages.NotNegative("WarmupSteps", WarmupSteps));
        if (TimeBudget is { } budget && !(budget > TimeSpan.Zero)) throw new ArgumentException(LearnerMessages.Positive("TimeBudget (seconds)", budget.TotalSeconds));
        if (!Enum.IsDefined(TimestepSampling)) throw new ArgumentException(LearnerMessages.NotOneOf("TimestepSampling", TimestepSampling.ToString(), string.Join(", ", Enum.GetNames<TimestepSampling>())));
        if (!double.IsFinite(LogSnrMean) || !(LogSnrStd > 0) || double.IsInfinity(LogSnrStd))
            throw new ArgumentException(LearnerMessages.LogSnrDistribution(LogSnrMean, LogSnrStd));
        if (!Enum.IsDefined(Prediction)) throw new ArgumentException(LearnerMessages.NotOneOf("Prediction", Prediction.ToString(), "ε, x_0, v"));
        if (Decay == LearningRateDecay.Cosine && TimeBudget is null && TotalSteps <= WarmupSteps)
            throw new ArgumentException(LearnerMessages.CosineDecayNeedsSteps(TotalSteps, WarmupSteps));
        if (!(MinLearningRate >= 0)) throw new ArgumentException(LearnerMessages.NotNegative("MinLearningRate", MinLearningRate));
        if (!(GradientClipNorm >= 0)) throw new ArgumentException(LearnerMessages.NotNegative("GradientClipNorm", GradientClipNorm, zeroTurnsOff: true));
        if (!(EmaDecay >= 0 && EmaDecay <= 1)) throw new ArgumentException(LearnerMessages.Within("EmaDecay", "[0, 1]", EmaDecay));
        if (!(UnconditionalProbability >= 0 && UnconditionalProbability <= 1)) throw new ArgumentException(LearnerMessages.Within("UnconditionalProbability", "[0, 1]", UnconditionalProbability));
        if (ProgressEvery < 1) throw new ArgumentException(LearnerMessages.AtLeast("ProgressEvery", 1, ProgressEvery));
        if (CheckpointEvery < 0) throw new ArgumentException(LearnerMessages.NotNegative("CheckpointEvery", CheckpointEvery));
    }
}

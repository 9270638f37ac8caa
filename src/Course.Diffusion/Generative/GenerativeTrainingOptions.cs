using System.Text.Json;

namespace Course.Diffusion.Generative;

/// <summary>
/// Settings of a <see cref="VaeTrainer"/> or a <see cref="GanTrainer"/>. The defaults follow common practice:
/// Adam at 1e-3 for the VAE; for the GAN Adam at 2e-4 with β₁ = 0.5 (Radford et al. 2016, §4), which damps
/// the momentum that otherwise carries the two players past each other.
/// </summary>
public sealed record GenerativeTrainingOptions
{
    /// <summary>Steps that Train runs to. A GAN step is one generator update (with <see cref="DiscriminatorSteps"/> discriminator updates before it).</summary>
    public long TotalSteps { get; init; } = 2000;

    public int BatchSize { get; init; } = 512;

    /// <summary>Adam's learning rate (both players of a GAN).</summary>
    public double LearningRate { get; init; } = 1e-3;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    /// <summary>The largest joint gradient norm of each update; 0 turns clipping off.</summary>
    public double GradientClipNorm { get; init; }

    /// <summary>VAE: the weight β of the KL term (1: the ELBO itself; Higgins et al. 2017 vary it).</summary>
    public double KlWeight { get; init; } = 1.0;

    /// <summary>GAN: discriminator updates per generator update (k of Goodfellow et al. 2014, Algorithm 1).</summary>
    public int DiscriminatorSteps { get; init; } = 1;

    /// <summary>GAN: decay of the moving average of the generator's weights (sample with it); 0 leaves the average equal to the weights.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Seed of the trainer's own generator (batches, latent codes, reparameterization noise).</summary>
    public long Seed { get; init; }

    /// <summary>A progress report every this many steps (and at the end).</summary>
    public int ProgressEvery { get; init; } = 50;

    /// <summary>Where Train writes checkpoints; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A checkpoint every this many steps (and at the end of Train); 0: only at the end.</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>The VAE defaults.</summary>
    public static GenerativeTrainingOptions ForVae() => new();

    /// <summary>The GAN defaults: Adam 2e-4, β = (0.5, 0.999).</summary>
    public static GenerativeTrainingOptions ForGan() => new() { LearningRate = 2e-4, Beta1 = 0.5 };

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Throws an ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (TotalSteps < 1) throw new ArgumentException(LearnerMessages.AtLeast("TotalSteps", 1, TotalSteps));
        if (BatchSize < 2) throw new ArgumentException(LearnerMessages.AtLeast("BatchSize", 2, BatchSize));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException(LearnerMessages.Positive("LearningRate", LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException(LearnerMessages.Within("Beta1", "[0, 1)", Beta1));
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException(LearnerMessages.Within("Beta2", "[0, 1)", Beta2));
        if (!(GradientClipNorm >= 0)) throw new ArgumentException(LearnerMessages.NotNegative("GradientClipNorm", GradientClipNorm, zeroTurnsOff: true));
        if (!(KlWeight >= 0) || double.IsInfinity(KlWeight)) throw new ArgumentException(LearnerMessages.FiniteNotNegative("KlWeight", KlWeight));
        if (DiscriminatorSteps < 1) throw new ArgumentException(LearnerMessages.AtLeast("DiscriminatorSteps", 1, DiscriminatorSteps));
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ArgumentException(LearnerMessages.Within("EmaDecay", "[0, 1)", EmaDecay));
        if (ProgressEvery < 1) throw new ArgumentException(LearnerMessages.AtLeast("ProgressEvery", 1, ProgressEvery));
        if (CheckpointEvery < 0) throw new ArgumentException(LearnerMessages.NotNegative("CheckpointEvery", CheckpointEvery));
    }
}

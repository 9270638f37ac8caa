using System.Globalization;

namespace Course.Diffusion.Generative;

/// <summary>Progress of a <see cref="VaeTrainer"/>: means over the steps since the previous report, in nats per example.</summary>
/// <param name="Loss">−ELBO (reconstruction + β · KL).</param>
public sealed record VaeTrainingReport(long Step, long TotalSteps, double Loss, double Reconstruction, double Kl, double StepsPerSecond, TimeSpan Elapsed)
{
    public override string ToString() => LearnerMessages.VaeProgressLine(Step, TotalSteps, Loss, Reconstruction, Kl, StepsPerSecond, Elapsed);
}

/// <summary>Progress of a <see cref="GanTrainer"/>: means over the steps since the previous report.</summary>
/// <param name="DiscriminatorLoss">L_D of eq. 1 (2 log 2 ≈ 1.386 when D cannot tell real from fake and outputs ½).</param>
/// <param name="GeneratorLoss">The non-saturating −log D(G(z)) (log 2 ≈ 0.693 at that equilibrium).</param>
/// <param name="RealProbability">Mean D(x) on data.</param>
/// <param name="FakeProbability">Mean D(G(z)) on generated examples.</param>
public sealed record GanTrainingReport(long Step, long TotalSteps, double DiscriminatorLoss, double GeneratorLoss, double RealProbability,
    double FakeProbability, double StepsPerSecond, TimeSpan Elapsed)
{
    public override string ToString() =>
        LearnerMessages.GanProgressLine(Step, TotalSteps, DiscriminatorLoss, GeneratorLoss, RealProbability, FakeProbability, StepsPerSecond, Elapsed);
}

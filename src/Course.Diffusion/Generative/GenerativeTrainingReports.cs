using System.Globalization;

namespace Course.Diffusion.Generative;

/// <summary>Progress of a <see cref="VaeTrainer"/>: means over the steps since the previous report, in nats per example.</summary>
/// <param name="Loss">−ELBO (reconstruction + β · KL).</param>
public sealed record VaeTrainingReport(long Step, long TotalSteps, double Loss, double Reconstruction, double Kl, double StepsPerSecond, TimeSpan Elapsed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step {Step}/{TotalSteps}  -ELBO {Loss:0.0000} (reconstruction {Reconstruction:0.0000}, KL {Kl:0.0000})  {StepsPerSecond:0.0} steps/s  elapsed {Elapsed:m\\:ss}");
}

/// <summary>Progress of a <see cref="GanTrainer"/>: means over the steps since the previous report.</summary>
/// <param name="DiscriminatorLoss">L_D of eq. 1 (2 log 2 ≈ 1.386 when D cannot tell real from fake and outputs ½).</param>
/// <param name="GeneratorLoss">The non-saturating −log D(G(z)) (log 2 ≈ 0.693 at that equilibrium).</param>
/// <param name="RealProbability">Mean D(x) on data.</param>
/// <param name="FakeProbability">Mean D(G(z)) on generated examples.</param>
public sealed record GanTrainingReport(long Step, long TotalSteps, double DiscriminatorLoss, double GeneratorLoss, double RealProbability,
    double FakeProbability, double StepsPerSecond, TimeSpan Elapsed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"step {Step}/{TotalSteps}  L_D {DiscriminatorLoss:0.0000}  L_G {GeneratorLoss:0.0000}  D(x) {RealProbability:0.000}  D(G(z)) {FakeProbability:0.000}  {StepsPerSecond:0.0} steps/s  elapsed {Elapsed:m\\:ss}");
}

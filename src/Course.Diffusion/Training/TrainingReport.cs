using System.Globalization;

namespace Course.Diffusion.Training;

/// <summary>A progress report from a <see cref="DiffusionTrainer"/>.</summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="TotalSteps">Where this training run ends.</param>
/// <param name="Loss">L_simple of the latest step.</param>
/// <param name="AverageLoss">Mean L_simple over the steps since the previous report.</param>
/// <param name="LearningRate">The rate the latest step used.</param>
/// <param name="GradientNorm">The joint gradient norm of the latest step, before clipping.</param>
/// <param name="StepsPerSecond">Over the steps since the previous report.</param>
/// <param name="Elapsed">Wall time of this call to Train.</param>
/// <param name="EstimatedRemaining">Remaining steps at the current speed.</param>
public sealed record TrainingReport(long Step, long TotalSteps, double Loss, double AverageLoss, double LearningRate,
    double GradientNorm, double StepsPerSecond, TimeSpan Elapsed, TimeSpan EstimatedRemaining)
{
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;

    public override string ToString() =>
        LearnerMessages.TrainingProgressLine(Step, TotalSteps, Fraction, AverageLoss, LearningRate, StepsPerSecond, Format(Elapsed), Format(EstimatedRemaining));

    static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}

/// <summary>What a call to <see cref="DiffusionTrainer.Train"/> did.</summary>
public sealed record TrainingSummary(long FirstStep, long LastStep, double FinalAverageLoss, TimeSpan Elapsed, double StepsPerSecond, bool StoppedByTimeLimit);

/// <summary>
/// The loss (or the gradient norm) became NaN or infinite: training stopped before the bad step
/// changed the weights, and no checkpoint was written after it. Lower the learning rate, check the
/// data for NaN/∞, or clip gradients.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(long step, string quantity, double value)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"training diverged at step {step}: the {quantity} is {value} (not finite). The weights were not updated by this step and the last checkpoint was kept. Lower the learning rate, check the data for NaN or infinity, or enable gradient clipping."))
    {
        Step = step;
        Quantity = quantity;
        Value = value;
    }

    /// <summary>The step (counting from 1) whose loss or gradient was not finite.</summary>
    public long Step { get; }

    /// <summary>"loss" or "gradient norm".</summary>
    public string Quantity { get; }

    public double Value { get; }
}

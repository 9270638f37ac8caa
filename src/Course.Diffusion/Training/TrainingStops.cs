namespace Course.Diffusion.Training;

/// <summary>The one line a trainer ends a stopped cell with: where it stopped and what is kept.</summary>
internal static class TrainingStops
{
    /// <param name="kept">What the trainer holds of that step, e.g. "weights, EMA and optimizer state".</param>
    /// <param name="checkpoint">The checkpoint written at that step, if any.</param>
    public static string Describe(long step, long target, string kept, string? checkpoint) =>
        LearnerMessages.TrainingStopped(step, target, kept, checkpoint);
}

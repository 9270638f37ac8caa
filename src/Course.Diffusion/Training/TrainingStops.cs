using System.Globalization;

namespace Course.Diffusion.Training;

/// <summary>The one line a trainer ends a stopped cell with: where it stopped and what is kept.</summary>
internal static class TrainingStops
{
    /// <param name="kept">What the trainer holds of that step, e.g. "weights, EMA and optimizer state".</param>
    /// <param name="checkpoint">The checkpoint written at that step, if any.</param>
    public static string Describe(long step, long target, string kept, string? checkpoint) =>
        string.Create(CultureInfo.InvariantCulture,
            $"stopped at step {step:N0} of {target:N0}; {kept} of step {step:N0} kept") +
        (checkpoint is null ? "" : $", checkpoint written to {checkpoint}") +
        "; Train() again continues";
}

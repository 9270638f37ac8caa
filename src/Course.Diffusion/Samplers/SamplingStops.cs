using System.Globalization;
using TorchSharp;

namespace Course.Diffusion.Samplers;

/// <summary>The one line a sampler ends a stopped cell with.</summary>
internal static class SamplingStops
{
    public static string Describe(string sampler, long taken, long total, ICollection<torch.Tensor>? trajectory) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{sampler} stopped after {taken:N0} of {total:N0} steps; no sample returned (x was still partly noise); ") +
        (trajectory is null ? "" : string.Create(CultureInfo.InvariantCulture, $"the trajectory keeps its {trajectory.Count:N0} states so far; ")) +
        "the model is unchanged";
}

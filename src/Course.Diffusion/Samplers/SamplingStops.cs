using TorchSharp;

namespace Course.Diffusion.Samplers;

/// <summary>The one line a sampler ends a stopped cell with.</summary>
internal static class SamplingStops
{
    public static string Describe(string sampler, long taken, long total, ICollection<torch.Tensor>? trajectory) =>
        LearnerMessages.SamplingStopped(sampler, taken, total, trajectory?.Count);
}

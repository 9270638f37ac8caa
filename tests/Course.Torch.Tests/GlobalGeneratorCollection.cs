namespace Course.Torch.Tests;

/// <summary>Tests that compare values drawn after <c>manual_seed</c> with PyTorch's bit for bit run alone:
/// the default generator is process-wide, and a test in another class that builds a module (its
/// initialisation draws from that generator) or calls randn in parallel would shift the stream.
/// A clean-clone CI run failed SeededRandnMatchesPyTorch this way.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "global random generator (runs alone)";
}

using System.Runtime.CompilerServices;

namespace Course.Testing;

/// <summary>
/// The course checks its engine before anything trains (EngineNumericsCheck, run by every trainer
/// and lesson 00), and switches to kernels that are right where the CPU's are not (TorchSharp's
/// oneDNN on AMD Zen 5). The tests test the engine as the course runs it, so they run the check first.
/// </summary>
static class EngineCheckedBeforeTests
{
#pragma warning disable CA2255 // a test assembly's set-up, before any test touches the engine
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void CheckTheEngine() => Course.Diffusion.EngineNumericsCheck.EnsureRightNumbers();
}

using System.Runtime.CompilerServices;
using Course.Interrupts;

namespace Course.Diffusion;

/// <summary>From the first use of the library on (a lesson's first cell), SIGINT stops the running
/// course operation instead of ending the notebook kernel (<see cref="InterruptSignal"/>).</summary>
internal static class InterruptHandling
{
#pragma warning disable CA2255 // must be in place before any operation starts, whichever runs first
    [ModuleInitializer]
    internal static void InstallOnLoad() => InterruptSignal.Install();
#pragma warning restore CA2255
}

using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Course.Interrupts;

/// <summary>
/// SIGINT (a Jupyter front end's stop in signal mode, a raw <c>kill -INT</c>, a terminal's Ctrl-C)
/// stops the course operations that are running, instead of ending the process.
/// </summary>
/// <remarks>
/// Inside a .NET Interactive kernel SIGINT is always absorbed, so the kernel and the learner's
/// variables live. The kernel's host (Microsoft.Extensions.Hosting's ConsoleLifetime) registers its
/// own SIGINT handler, which shuts the whole application down whatever other handlers decide
/// (measured with dotnet-interactive 1.0.712001: "Application is shutting down..." and the process
/// is gone). <see cref="Install"/> takes that one handler off SIGINT; SIGTERM and SIGQUIT still end
/// the kernel as before. Outside a kernel, SIGINT with no course operation running keeps its usual
/// meaning (the process ends), so Ctrl-C still quits a command-line tool.
/// </remarks>
public static class InterruptSignal
{
    const string HostLifetimeType = "Microsoft.Extensions.Hosting.Internal.ConsoleLifetime";

    static readonly object s_gate = new();
    static readonly HashSet<StopRequest> s_running = new();
    static PosixSignalRegistration? s_registration;

    /// <summary>What <see cref="Install"/> did with the kernel host's shutdown on SIGINT: null outside
    /// a kernel host, else a sentence (for diagnostics and tests).</summary>
    public static string? HostShutdownOnInterrupt { get; private set; }

    /// <summary>Registers the course's SIGINT handler (once per process; later calls do nothing).</summary>
    public static void Install()
    {
        lock (s_gate)
        {
            if (s_registration is not null) return;
            try
            {
                s_registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);
            }
            catch (PlatformNotSupportedException)
            {
                return;   // no signals here (browser WebAssembly): cells stop through the kernel only
            }
            if (KernelCellCancellation.InKernel) HostShutdownOnInterrupt = DetachHostShutdownFromInterrupt();
        }
    }

    internal static void Add(StopRequest stop)
    {
        lock (s_gate) s_running.Add(stop);
    }

    internal static void Remove(StopRequest stop)
    {
        lock (s_gate) s_running.Remove(stop);
    }

    static void OnInterrupt(PosixSignalContext context)
    {
        StopRequest[] running;
        lock (s_gate) running = s_running.ToArray();
        foreach (var stop in running) stop.Request();
        if (running.Length > 0 || KernelCellCancellation.InKernel) context.Cancel = true;
    }

    /// <summary>
    /// Removes the host's SIGINT registration from the runtime's table of handlers (by reflection:
    /// the host offers no switch for it). Our handler is registered first, so SIGINT stays handled.
    /// </summary>
    static string DetachHostShutdownFromInterrupt()
    {
        var table = typeof(PosixSignalRegistration)
            .GetField("s_registrations", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as IDictionary;
        if (table is null)
            return "not detached: this runtime keeps its signal handlers where the course does not look; SIGINT ends the kernel";
        int removed = 0;
        lock (table)
        {
            foreach (var registrations in table.Values.OfType<IEnumerable>().ToList())
            {
                var hostTokens = registrations.Cast<object>().Where(IsHostInterruptHandler).ToList();
                var remove = registrations.GetType().GetMethod("Remove");
                foreach (var token in hostTokens)
                    if (remove?.Invoke(registrations, new[] { token }) is true) removed++;
            }
        }
        return removed > 0
            ? "detached: SIGINT stops the running course operation and the kernel lives"
            : "nothing to detach: no host handler on SIGINT";
    }

    static bool IsHostInterruptHandler(object token)
    {
        var type = token.GetType();
        var signal = type.GetProperty("Signal")?.GetValue(token);
        var handler = type.GetProperty("Handler")?.GetValue(token) as Delegate;
        return signal is PosixSignal.SIGINT && handler?.Target?.GetType().FullName == HostLifetimeType;
    }
}

using System.Reflection;

namespace Course.Interrupts;

/// <summary>
/// The cancellation of the notebook cell that is running on this thread: .NET Interactive's
/// <c>KernelInvocationContext.Current.CancellationToken</c>, which the kernel cancels when a front
/// end stops the cell (Polyglot Notebooks' stop, the course runner's deadline). Found by name, as the
/// kernel finds formatters, so the course's libraries need no reference to the kernel.
/// </summary>
internal static class KernelCellCancellation
{
    const string KernelAssembly = "Microsoft.DotNet.Interactive";
    const string ContextType = "Microsoft.DotNet.Interactive.KernelInvocationContext";

    static (PropertyInfo Current, PropertyInfo Token)? s_properties;

    /// <summary>Whether this process hosts a .NET Interactive kernel.</summary>
    public static bool InKernel => FindProperties() is not null;

    /// <summary>The current cell's token, or none outside a kernel or outside a cell.</summary>
    public static CancellationToken Current()
    {
        if (FindProperties() is not { } properties) return CancellationToken.None;
        var context = properties.Current.GetValue(null);
        return context is null ? CancellationToken.None
            : properties.Token.GetValue(context) is CancellationToken token ? token : CancellationToken.None;
    }

    static (PropertyInfo Current, PropertyInfo Token)? FindProperties()
    {
        if (s_properties is { } found) return found;
        // Not cached while missing: a host may load the kernel after the course's libraries.
        var assembly = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == KernelAssembly);
        var type = assembly?.GetType(ContextType);
        var current = type?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static);
        var token = type?.GetProperty("CancellationToken", BindingFlags.Public | BindingFlags.Instance);
        if (current is null || token is null || token.PropertyType != typeof(CancellationToken)) return null;
        s_properties = (current, token);
        return s_properties;
    }
}

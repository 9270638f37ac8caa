using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Course.Visuals;

/// <summary>
/// Lets Plotly.NET run on the FSharp.Core its host already has.
/// <para>
/// Plotly.NET 6.0.0 (and DynamicObj 8 under it) are built against FSharp.Core 10.1.0.0 (package
/// 10.1.403). The .NET Interactive kernel (dotnet-interactive 1.0.712001) carries FSharp.Core
/// 10.0.0.0 (file 10.1.326) in its own dependency list, so in the kernel the runtime refuses the
/// newer request and the first Plotly.NET call throws FileNotFoundException for FSharp.Core 10.1.0.0.
/// Shipping FSharp.Core 10.1 next to Plotly.NET is worse: the kernel's script loader loads it beside
/// the kernel's copy, Giraffe.ViewEngine binds to the kernel's, and Plotly.NET's first HTML call
/// fails with MissingMethodException because FSharpFunc now exists twice. Measured in the real
/// kernel through a Jupyter client (the three cases are in the Course.Visuals README).
/// </para>
/// <para>
/// What works: one FSharp.Core for everybody, the host's. When the default load context cannot
/// satisfy a request for FSharp.Core (a newer version than the host's), this hands it the copy the
/// host has. Plotly.NET uses nothing of FSharp.Core that 10.0 lacks on the paths the course and the
/// tests take (every trace kind, layout, HTML and JSON; Plotly.NET.Interactive's formatter too).
/// It is installed when Course.Visuals is first touched; a cell that calls Plotly.NET before any
/// course type can call <see cref="Install"/> itself.
/// </para>
/// </summary>
public static class KernelFSharpCore
{
    private static int _installed;
    [ThreadStatic] private static bool _resolving;

    // CA2255 warns libraries off module initializers; this one must run before any Plotly.NET call
    // that the library makes, in hosts we do not control, which is what a module initializer is for
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void OnLoad() => Install();
#pragma warning restore CA2255

    /// <summary>Registers the fallback once; later calls do nothing.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core" || _resolving) return null;
        // the copy already loaded wins, so F# types stay one set of types
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        if (loaded is not null) return loaded;
        // any version the host lists; the flag stops this handler from answering its own request
        _resolving = true;
        try { return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("FSharp.Core")); }
        catch (FileNotFoundException) { return null; }
        finally { _resolving = false; }
    }
}

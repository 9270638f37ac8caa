using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace Course.Notebooks.Kernel;

/// <summary>
/// Loads <c>#r</c> assemblies once, into the default AssemblyLoadContext, for the whole process.
/// Roslyn's script loader would otherwise load each referenced file into a context of its own, and a
/// second copy of a library means second copies of its static state. Its contexts ask the default
/// context first, so an assembly loaded here (or resolved by the handler below) is the one scripts
/// bind to. Loading from the file's path also lets the runtime find native libraries next to it
/// (DllImport probes the assembly's directory).
/// </summary>
internal static class AssemblyReferences
{
    private static readonly object Gate = new();
    private static readonly List<string> ProbeDirectories = [];
    private static readonly Dictionary<string, Assembly> ByName = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, PortableExecutableReference> MetadataCache = new(StringComparer.Ordinal);
    private static bool _installed;

    /// <summary>Loads the assembly at <paramref name="path"/> (or returns the copy already loaded).</summary>
    public static Assembly Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"#r: assembly not found: {fullPath}", fullPath);
        Install();
        var name = AssemblyName.GetAssemblyName(fullPath);
        lock (Gate)
        {
            var directory = Path.GetDirectoryName(fullPath)!;
            if (!ProbeDirectories.Contains(directory)) ProbeDirectories.Add(directory);
            if (ByName.TryGetValue(name.Name!, out var known)) return known;
            var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => NameEquals(a, name.Name!));
            if (loaded is not null && loaded.Location.Length > 0 && !string.Equals(Path.GetFullPath(loaded.Location), fullPath, StringComparison.Ordinal))
                Console.Error.WriteLine($"#r: {name.Name} is already loaded from {loaded.Location}; using that copy (restart to load {fullPath}).");
            var assembly = loaded ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
            ByName[name.Name!] = assembly;
            return assembly;
        }
    }

    /// <summary>Makes an assembly the host already has (in any load context) resolvable by scripts.</summary>
    public static void Register(Assembly assembly)
    {
        Install();
        lock (Gate) ByName[assembly.GetName().Name!] = assembly;
    }

    public static PortableExecutableReference Metadata(string path) =>
        MetadataCache.GetOrAdd(Path.GetFullPath(path), p => MetadataReference.CreateFromFile(p));

    public static IReadOnlyList<string> Directories
    {
        get { lock (Gate) return ProbeDirectories.ToArray(); }
    }

    private static bool NameEquals(Assembly a, string name) =>
        !a.IsDynamic && string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase);

    private static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            _installed = true;
            AssemblyLoadContext.Default.Resolving += Resolve;
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null) return null;
        lock (Gate)
        {
            if (ByName.TryGetValue(name.Name, out var known)) return known;
            foreach (var directory in ProbeDirectories)
            {
                var candidate = Path.Combine(directory, name.Name + ".dll");
                if (!File.Exists(candidate)) continue;
                var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(candidate);
                ByName[name.Name] = assembly;
                return assembly;
            }
        }
        return null;
    }

    /// <summary>Framework assemblies a cell can use without a #r (the running runtime's own files).</summary>
    public static ImmutableArray<MetadataReference> FrameworkReferences { get; } = LoadFrameworkReferences();

    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return tpa
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .Where(p =>
            {
                var n = Path.GetFileNameWithoutExtension(p);
                return (n.StartsWith("System.", StringComparison.Ordinal) || n is "System" or "netstandard" or "mscorlib" or "Microsoft.CSharp" or "Microsoft.Win32.Primitives")
                       && !n.StartsWith("System.Private.", StringComparison.Ordinal) || n == "System.Private.CoreLib";
            })
            .Select(p => (MetadataReference)Metadata(p))
            .ToImmutableArray();
    }
}

/// <summary>
/// Resolves #load/#r the way Roslyn scripting does, and also finds assemblies a referenced library
/// depends on (next to it, in any #r folder, or in the runtime), so a notebook only needs to #r the
/// library it uses.
/// </summary>
internal sealed class KernelMetadataResolver(ScriptMetadataResolver inner) : MetadataReferenceResolver
{
    private ScriptMetadataResolver Inner => inner;

    public override bool ResolveMissingAssemblies => true;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        inner.ResolveReference(reference, baseFilePath, properties);

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity)
    {
        var directories = new List<string>();
        if (definition is PortableExecutableReference { FilePath: { } path } && Path.GetDirectoryName(path) is { } own)
            directories.Add(own);
        directories.AddRange(AssemblyReferences.Directories);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, referenceIdentity.Name + ".dll");
            if (File.Exists(candidate)) return AssemblyReferences.Metadata(candidate);
        }
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a =>
            !a.IsDynamic && a.Location.Length > 0 && string.Equals(a.GetName().Name, referenceIdentity.Name, StringComparison.OrdinalIgnoreCase));
        return loaded is null ? null : AssemblyReferences.Metadata(loaded.Location);
    }

    public override bool Equals(object? other) => other is KernelMetadataResolver r && r.Inner.Equals(inner);

    public override int GetHashCode() => inner.GetHashCode();
}

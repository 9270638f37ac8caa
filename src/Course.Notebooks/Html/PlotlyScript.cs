using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Course.Notebooks.Html;

/// <summary>The plotly.js the lessons' charts were made for: the copy Plotly.NET carries in its assembly
/// (lib/Plotly.NET.dll), read from the file without loading it, since this runner references no course library.</summary>
public static class PlotlyScript
{
    /// <summary>The first embedded resource of <paramref name="assemblyPath"/> whose name ends in .min.js, or null.</summary>
    public static byte[]? ReadFrom(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        var resources = pe.PEHeaders.CorHeader?.ResourcesDirectory;
        if (resources is null) return null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || !metadata.GetString(resource.Name).EndsWith(".min.js", StringComparison.Ordinal)) continue;
            var block = pe.GetSectionData(resources.Value.RelativeVirtualAddress);
            var reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
            return reader.ReadBytes(reader.ReadInt32());
        }
        return null;
    }

    /// <summary>Writes plotly.min.js next to the course page from the lib/ beside <paramref name="notebooksDirectory"/>
    /// (or the current folder's); returns its address relative to the page, or null when there is no lib/Plotly.NET.dll.</summary>
    public static string? CopyNextTo(string outDirectory, string notebooksDirectory)
    {
        foreach (var lib in new[] { Path.Combine(notebooksDirectory, "..", "lib"), Path.Combine(Directory.GetCurrentDirectory(), "lib") })
        {
            var assembly = Path.Combine(lib, "Plotly.NET.dll");
            if (!File.Exists(assembly) || ReadFrom(assembly) is not { } script) continue;
            Directory.CreateDirectory(Path.Combine(outDirectory, "plotly"));
            File.WriteAllBytes(Path.Combine(outDirectory, "plotly", "plotly.min.js"), script);
            return "plotly/plotly.min.js";
        }
        return null;
    }
}

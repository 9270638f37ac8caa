using System.Reflection;

namespace TorchSharp;

/// <summary>
/// Notebook display for tensors by the .NET Interactive convention: the kernel looks for an attribute
/// named TypeFormatterSourceAttribute, by name, so no kernel package is referenced. Text shows shape,
/// dtype, device and values. The HTML view, which front ends prefer, shows the same values first;
/// for tensors of more than a few values, when Course.Visuals is loaded, its tensor summary
/// (statistics, and a picture for image batches) follows. Course.Torch cannot reference Visuals
/// (Visuals depends on Torch), so it is found by name at display time. Every formatter writes
/// something: a front end would draw an empty body as a broken output.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute : Attribute
{
    public TypeFormatterSourceAttribute(Type formatterSourceType) => FormatterSourceType = formatterSourceType;
    public Type FormatterSourceType { get; }
    public string[]? PreferredMimeTypes { get; set; }
}

internal sealed class TensorFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new TensorFormatter("text/plain", (t, w) => { w.Write(t.ToString(maxElements: 200)); return true; });
        yield return new TensorFormatter("text/html", (t, w) =>
        {
            w.Write("<div><pre>");
            w.Write(System.Net.WebUtility.HtmlEncode(t.ToString(maxElements: 200)));
            w.Write("</pre>");
            if (!t.IsInvalid && t.numel() > SummaryFromElements) VisualsSummary(t, w);
            w.Write("</div>");
            return true;
        });
    }

    /// <summary>Tensors up to this many values show only their values (a summary picture says less).</summary>
    const long SummaryFromElements = 16;

    /// <summary>Course.Visuals when it is loaded, or next to the engine assembly (TorchSharp.dll, as in lib/).</summary>
    static Assembly? FindVisuals()
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Course.Visuals");
        if (loaded != null) return loaded;
        var dir = Path.GetDirectoryName(typeof(TensorFormatterSource).Assembly.Location);
        var path = string.IsNullOrEmpty(dir) ? null : Path.Combine(dir, "Course.Visuals.dll");
        try { return path != null && File.Exists(path) ? Assembly.LoadFrom(path) : null; }
        catch (Exception e) when (e is IOException or BadImageFormatException) { return null; }
    }

    /// <summary>Writes Course.Visuals' TensorSummary HTML (its picture) when that assembly is loaded.</summary>
    static bool VisualsSummary(torch.Tensor tensor, TextWriter writer)
    {
        if (tensor.IsInvalid) return false;
        var visuals = FindVisuals();
        var summaryType = visuals?.GetType("Course.Visuals.TensorSummary");
        var sourceType = visuals?.GetType("Course.Visuals.Display.VisualsFormatterSource");
        var of = summaryType?.GetMethod("Of", BindingFlags.Public | BindingFlags.Static, new[] { typeof(torch.Tensor), typeof(string) });
        if (summaryType is null || sourceType is null || of is null) return false;
        var summary = of.Invoke(null, new object?[] { tensor, null });
        var source = Activator.CreateInstance(sourceType);
        var formatters = sourceType.GetMethod("CreateTypeFormatters")?.Invoke(source, null) as IEnumerable<object>;
        foreach (var f in formatters ?? Enumerable.Empty<object>())
        {
            var ft = f.GetType();
            if (ft.GetProperty("MimeType")?.GetValue(f) as string != "text/html") continue;
            if (ft.GetProperty("Type")?.GetValue(f) is not Type handled || !handled.IsAssignableFrom(summaryType)) continue;
            return ft.GetMethod("Format", new[] { typeof(object), typeof(TextWriter) })?.Invoke(f, new[] { summary, writer }) is true;
        }
        return false;
    }
}

internal sealed class TensorFormatter
{
    readonly Func<torch.Tensor, TextWriter, bool> _format;
    public TensorFormatter(string mimeType, Func<torch.Tensor, TextWriter, bool> format) { MimeType = mimeType; _format = format; }
    public string MimeType { get; }
    public Type Type => typeof(torch.Tensor);
    public bool Format(object instance, TextWriter writer) => instance is torch.Tensor t && _format(t, writer);
}

public static partial class torch
{
    [TypeFormatterSource(typeof(TensorFormatterSource), PreferredMimeTypes = new[] { "text/html", "text/plain" })]
    public partial class Tensor { }
}

using System.Reflection;
using Giraffe.ViewEngine;
using Microsoft.FSharp.Collections;
using Plotly.NET;

namespace Course.Visuals;

/// <summary>Where the interactive figures get plotly.js from.</summary>
public enum PlotlySource
{
    /// <summary>The plot.ly CDN (needs the internet where the notebook is viewed).</summary>
    Cdn,
    /// <summary>The plotly.js that Plotly.NET carries, embedded in the first figure of the session (works offline).</summary>
    Inline,
    /// <summary>A script URL of your choosing (a locally served or relative plotly.min.js).</summary>
    Url,
}

/// <param name="Source">Where plotly.js comes from.</param>
/// <param name="Url">For <see cref="PlotlySource.Url"/>: the script address.</param>
public sealed record PlotlyOptions(PlotlySource Source = PlotlySource.Cdn, string? Url = null)
{
    public static PlotlyOptions Cdn { get; } = new();
    public static PlotlyOptions Offline { get; } = new(PlotlySource.Inline);
    public static PlotlyOptions FromUrl(string url) => new(PlotlySource.Url, Url: url);
}

/// <summary>plotly.js: the copy Plotly.NET carries, and how figures load it.</summary>
public static class PlotlyJs
{
    /// <summary>The CDN address Plotly.NET uses (the same plotly.js version as the copy it carries).</summary>
    public static string CdnUrl => DisplayOptions.getPlotlyReference(Defaults.DefaultDisplayOptions) is PlotlyJSReference.CDN cdn
        ? cdn.Item : throw new InvalidOperationException("Plotly.NET's default display options name no CDN.");

    /// <summary>Used when a figure is rendered without explicit options.</summary>
    public static PlotlyOptions DefaultOptions { get; set; } = PlotlyOptions.Cdn;

    /// <summary>Makes every interactive figure work offline: the first one of the session embeds plotly.js.</summary>
    public static void UseOffline()
    {
        DefaultOptions = PlotlyOptions.Offline;
        InlineIncluded = false;
    }

    /// <summary>The plotly.min.js embedded in Plotly.NET.dll.</summary>
    public static string Script => _script ??= ReadBundledScript();
    private static string? _script;

    /// <summary>Writes Plotly.NET's plotly.min.js to a file, for pages that load it by URL.</summary>
    public static void WriteScript(string path) => Saving.WriteText(path, Script);

    private static string ReadBundledScript()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{assembly.GetName()} carries no plotly.min.js.");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    /// <summary>Whether the inline library was already written into this session's output.</summary>
    internal static bool InlineIncluded { get; set; }

    /// <summary>Forget that the library was embedded (call after reopening a notebook in the same kernel).</summary>
    public static void ResetInlineInclusion() => InlineIncluded = false;
}

/// <summary>Plotly.NET's HTML for a chart: a fragment for notebooks and a standalone page for files.</summary>
internal static class PlotlyHtml
{
    // A notebook output cannot wait for a <script src>, so fragments load plotly.js through
    // RequireJS as Plotly.NET.Interactive does; pages name the script in their head.
    public static string Fragment(GenericChart chart, PlotlyOptions? options)
    {
        var (prefix, reference) = FragmentReference(options);
        return prefix + GenericChart.toChartHTML(WithReference(chart, reference));
    }

    public static string Page(GenericChart chart, PlotlyOptions? options, string title)
    {
        options ??= PlotlyJs.DefaultOptions;
        var reference = options.Source == PlotlySource.Inline ? PlotlyJSReference.Full : PlotlyJSReference.NewCDN(ScriptUrl(options));
        var display = DisplayOptions.setDocumentTitle(title).Invoke(DisplayOptions.setDocumentCharset("utf-8").Invoke(new DisplayOptions()));
        return GenericChart.toEmbeddedHTML(GenericChart.addDisplayOptions(display, WithReference(chart, reference)));
    }

    /// <summary>A chart given as figure JSON ({data, layout, frames, config}): plotly.js's newPlot takes
    /// the whole figure as its second argument, frames included, which GenericChart cannot hold.</summary>
    public static string FigureFragment(string figureJson, PlotlyOptions? options)
    {
        var (prefix, reference) = FragmentReference(options);
        return prefix + Render(HTML.CreateChartHTML(figureJson, "undefined", "undefined", reference));
    }

    public static string FigurePage(string figureJson, PlotlyOptions? options, string title)
    {
        options ??= PlotlyJs.DefaultOptions;
        var head = options.Source == PlotlySource.Inline ? InlineScript()
            : $"<script src=\"{System.Security.SecurityElement.Escape(ScriptUrl(options))}\" charset=\"utf-8\"></script>\n";
        return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + System.Security.SecurityElement.Escape(title) + "</title>\n"
            + head + "</head>\n<body>\n" + Render(HTML.CreateChartHTML(figureJson, "undefined", "undefined", PlotlyJSReference.NoReference)) + "\n</body>\n</html>\n";
    }

    private static (string Prefix, PlotlyJSReference Reference) FragmentReference(PlotlyOptions? options)
    {
        options ??= PlotlyJs.DefaultOptions;
        if (options.Source != PlotlySource.Inline) return ("", PlotlyJSReference.NewRequire(WithoutJs(ScriptUrl(options))));
        if (PlotlyJs.InlineIncluded) return ("", PlotlyJSReference.NoReference);
        PlotlyJs.InlineIncluded = true;
        return (InlineScript(), PlotlyJSReference.NoReference);
    }

    private static GenericChart WithReference(GenericChart chart, PlotlyJSReference reference) =>
        GenericChart.addDisplayOptions(DisplayOptions.setPlotlyReference(reference).Invoke(new DisplayOptions()), chart);

    private static string ScriptUrl(PlotlyOptions options) =>
        options.Source == PlotlySource.Url ? options.Url ?? "plotly.min.js" : PlotlyJs.CdnUrl;

    // RequireJS names modules without the .js
    private static string WithoutJs(string url) => url.EndsWith(".js", StringComparison.Ordinal) ? url[..^3] : url;

    private static string Render(FSharpList<HtmlElements.XmlNode> nodes) => RenderView.AsString.htmlNodes(nodes);

    // shadow AMD/CommonJS globals so the UMD bundle sets window.Plotly even where RequireJS is loaded
    private static string InlineScript() =>
        "<script type=\"text/javascript\">(function(){var define=undefined,module=undefined,exports=undefined;\n"
        + PlotlyJs.Script.Replace("</script", "<\\/script") + "\n}).call(window);</script>\n";
}

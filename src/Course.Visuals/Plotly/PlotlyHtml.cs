using System.Diagnostics;
using System.Text;

namespace Course.Visuals;

/// <summary>Where the interactive figures get plotly.js from.</summary>
public enum PlotlySource
{
    /// <summary>The plot.ly CDN (needs the internet where the notebook is viewed).</summary>
    Cdn,
    /// <summary>The library text itself, embedded in the first figure of the session (works offline).</summary>
    Inline,
    /// <summary>A script URL of your choosing (a locally served or relative plotly.min.js).</summary>
    Url,
}

/// <param name="Source">Where plotly.js comes from.</param>
/// <param name="Url">For <see cref="PlotlySource.Url"/>: the script address.</param>
/// <param name="LocalPath">For <see cref="PlotlySource.Inline"/>: plotly.min.js on disk (found automatically when null).</param>
public sealed record PlotlyOptions(PlotlySource Source = PlotlySource.Cdn, string? Url = null, string? LocalPath = null)
{
    public static PlotlyOptions Cdn { get; } = new();
    public static PlotlyOptions Offline(string? localPath = null) => new(PlotlySource.Inline, LocalPath: localPath);
    public static PlotlyOptions FromUrl(string url) => new(PlotlySource.Url, Url: url);
}

/// <summary>plotly.js: where to find it and how figures load it.</summary>
public static class PlotlyJs
{
    public const string NpmPackage = "plotly.js-dist-min";
    public static string CdnUrl { get; set; } = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    /// <summary>Used when a figure is rendered without explicit options.</summary>
    public static PlotlyOptions DefaultOptions { get; set; } = PlotlyOptions.Cdn;

    /// <summary>Makes every interactive figure load plotly.js from a local copy (embedded once per session).</summary>
    public static void UseOffline(string? localPath = null)
    {
        var path = localPath ?? Locate() ?? throw new FileNotFoundException(
            $"No local {NpmPackage} found. Run `npm install {NpmPackage}` in the course folder, set COURSE_PLOTLY_JS to plotly.min.js, or call PlotlyJs.InstallWithNpm().");
        DefaultOptions = PlotlyOptions.Offline(path);
        InlineIncluded = false;
    }

    /// <summary>Cache folder for a plotly.js fetched with npm: ~/.cache/course-visuals.</summary>
    public static string CacheDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "course-visuals");

    /// <summary>Finds plotly.min.js: $COURSE_PLOTLY_JS, node_modules above the working directory or
    /// this assembly, then the cache folder. Null when there is none.</summary>
    public static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("COURSE_PLOTLY_JS") is { Length: > 0 } env && File.Exists(env)) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var f = Path.Combine(d.FullName, "node_modules", NpmPackage, "plotly.min.js");
                if (File.Exists(f)) return f;
            }
        }
        var cached = Path.Combine(CacheDirectory, "node_modules", NpmPackage, "plotly.min.js");
        return File.Exists(cached) ? cached : null;
    }

    /// <summary>Returns a local plotly.min.js, installing it with npm into the cache folder if needed.</summary>
    public static string InstallWithNpm(TimeSpan? timeout = null)
    {
        if (Locate() is { } found) return found;
        Directory.CreateDirectory(CacheDirectory);
        var psi = new ProcessStartInfo("npm", $"install --no-audit --no-fund --no-save --prefix \"{CacheDirectory}\" {NpmPackage}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = CacheDirectory,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm.");
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit((int)(timeout ?? TimeSpan.FromMinutes(3)).TotalMilliseconds))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("npm install of plotly.js-dist-min timed out.");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"npm install {NpmPackage} failed: {err.Result}");
        return Locate() ?? throw new FileNotFoundException("npm reported success but plotly.min.js is missing.");
    }

    /// <summary>Whether the inline library was already written into this session's output.</summary>
    internal static bool InlineIncluded { get; set; }

    /// <summary>Forget that the library was embedded (call after reopening a notebook in the same kernel).</summary>
    public static void ResetInlineInclusion() => InlineIncluded = false;
}

/// <summary>HTML around plotly figure JSON: a fragment for notebooks and a standalone page for files.</summary>
internal static class PlotlyHtml
{
    public static string Fragment(string figureJson, PlotlyOptions? options, int? width = null, int? height = null)
    {
        options ??= PlotlyJs.DefaultOptions;
        var id = "course-plot-" + Guid.NewGuid().ToString("N")[..12];
        var sb = new StringBuilder();
        if (options.Source == PlotlySource.Inline && !PlotlyJs.InlineIncluded)
        {
            sb.Append(InlineScript(options));
            PlotlyJs.InlineIncluded = true;
        }
        string style = width is { } w && height is { } h ? $" style=\"width:{w}px;height:{h}px\"" : "";
        sb.Append($"<div id=\"{id}\" class=\"course-plotly\"{style}></div>\n");
        string url = options.Source switch { PlotlySource.Url => options.Url ?? "plotly.min.js", _ => PlotlyJs.CdnUrl };
        bool mayFetch = options.Source != PlotlySource.Inline;
        sb.Append("<script type=\"text/javascript\">\n(function () {\n");
        sb.Append("  var fig = ").Append(figureJson).Append(";\n");
        sb.Append($"  var target = '{id}', url = {Js(url)}, mayFetch = {(mayFetch ? "true" : "false")};\n");
        sb.Append(LoaderJs);
        sb.Append("})();\n</script>\n");
        return sb.ToString();
    }

    public static string Page(string figureJson, PlotlyOptions? options, string title, int width, int height)
    {
        options ??= PlotlyJs.DefaultOptions;
        var head = options.Source switch
        {
            PlotlySource.Inline => InlineScript(options),
            PlotlySource.Url => $"<script src=\"{System.Security.SecurityElement.Escape(options.Url ?? "plotly.min.js")}\" charset=\"utf-8\"></script>\n",
            _ => $"<script src=\"{PlotlyJs.CdnUrl}\" charset=\"utf-8\"></script>\n",
        };
        // the page loads the library itself, so the fragment must not embed it again
        var fragment = Fragment(figureJson, options with { Source = PlotlySource.Url, Url = options.Url ?? PlotlyJs.CdnUrl }, width, height);
        return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + System.Security.SecurityElement.Escape(title) + "</title>\n"
            + head + "<style>body{margin:0;background:white}</style>\n</head>\n<body>\n" + fragment + "</body>\n</html>\n";
    }

    private static string InlineScript(PlotlyOptions options)
    {
        var path = options.LocalPath ?? PlotlyJs.Locate() ?? throw new FileNotFoundException(
            $"Offline plotly needs a local {PlotlyJs.NpmPackage}: `npm install {PlotlyJs.NpmPackage}`, COURSE_PLOTLY_JS, or PlotlyJs.InstallWithNpm().");
        // shadow AMD/CommonJS globals so the UMD bundle sets window.Plotly even where RequireJS is loaded
        return "<script type=\"text/javascript\">(function(){var define=undefined,module=undefined,exports=undefined;\n"
            + File.ReadAllText(path).Replace("</script", "<\\/script")
            + "\n}).call(window);</script>\n";
    }

    private static string Js(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    // Draw now if plotly.js is present; otherwise load it once (RequireJS-aware) or wait for the inline copy.
    private const string LoaderJs = """
          function draw() {
            var el = document.getElementById(target);
            if (!el) return;
            window.Plotly.newPlot(el, fig.data, fig.layout, {displaylogo: false, responsive: false}).then(function (gd) {
              if (fig.frames) { window.Plotly.addFrames(gd, fig.frames); }
            });
          }
          if (window.Plotly) { draw(); return; }
          if (!mayFetch) {
            var tries = 0;
            (function wait() { if (window.Plotly) { draw(); } else if (tries++ < 200) { setTimeout(wait, 50); } })();
            return;
          }
          if (typeof window.requirejs === 'function' && typeof window.define === 'function' && window.define.amd) {
            window.requirejs.config({paths: {plotly: url.replace(/\.js$/, '')}});
            window.requirejs(['plotly'], function (P) { window.Plotly = P; draw(); });
            return;
          }
          window.__coursePlotlyLoading = window.__coursePlotlyLoading || new Promise(function (resolve, reject) {
            var s = document.createElement('script');
            s.src = url; s.charset = 'utf-8';
            s.onload = function () { resolve(); };
            s.onerror = function () { window.__coursePlotlyLoading = null; reject(new Error('could not load ' + url)); };
            document.head.appendChild(s);
          });
          window.__coursePlotlyLoading.then(draw, function (e) {
            var el = document.getElementById(target);
            if (el) { el.textContent = 'plotly.js could not be loaded (' + url + '): use PlotlyJs.UseOffline() or the PNG output.'; }
          });

        """;
}

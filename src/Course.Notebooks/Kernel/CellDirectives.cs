using System.Text;
using System.Text.RegularExpressions;

namespace Course.Notebooks.Kernel;

/// <summary>
/// The .NET Interactive directives a C# cell may carry, taken out of the code before Roslyn sees it
/// (each directive line becomes an empty line, so compiler line numbers still match the cell):
/// <c>#r "path.dll"</c> (relative to the notebook's folder, or absolute), kernel selectors
/// (<c>#!csharp</c>, <c>#!c#</c>: ignored) and <c>#!time</c>. <c>#r "nuget:..."</c> and other
/// kernels' selectors are errors with an explanation.
/// </summary>
public sealed partial class CellDirectives
{
    private CellDirectives(string code, IReadOnlyList<string> references, IReadOnlyList<string> errors, bool time)
    {
        Code = code;
        References = references;
        Errors = errors;
        Time = time;
    }

    /// <summary>The cell's code with directive lines blanked.</summary>
    public string Code { get; }

    /// <summary>Full paths of the assemblies referenced with #r.</summary>
    public IReadOnlyList<string> References { get; }

    /// <summary>Directives that cannot be honoured, with the reason.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>True when the cell asked for its wall time (#!time).</summary>
    public bool Time { get; }

    private static readonly HashSet<string> CSharpSelectors = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#", "cs" };

    public static CellDirectives Parse(string cell, string baseDirectory)
    {
        var references = new List<string>();
        var errors = new List<string>();
        var time = false;
        var code = new StringBuilder();
        var lines = cell.Replace("\r\n", "\n").Split('\n');
        var lineNumber = 0;
        foreach (var line in lines)
        {
            lineNumber++;
            if (lineNumber > 1) code.Append('\n');
            var trimmed = line.Trim();
            if (trimmed.StartsWith("#r", StringComparison.Ordinal) && ReferenceDirective().Match(trimmed) is { Success: true } r)
            {
                var target = r.Groups["target"].Value;
                if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
                    errors.Add($"line {lineNumber}: #r \"{target}\": NuGet package references are not supported by the course's notebook engine " +
                               "(the package feed is not reachable offline); reference a built assembly instead, e.g. #r \"../src/Course.Torch/bin/Release/net8.0/Course.Torch.dll\".");
                else
                    references.Add(Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(baseDirectory, target)));
                continue;
            }
            if (trimmed.StartsWith("#i", StringComparison.Ordinal) && IncludeDirective().IsMatch(trimmed))
            {
                errors.Add($"line {lineNumber}: {trimmed}: package sources (#i) are not supported by the course's notebook engine.");
                continue;
            }
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                var magic = trimmed[2..].Split(' ', 2)[0];
                if (CSharpSelectors.Contains(magic)) continue;
                if (magic == "time") { time = true; continue; }
                errors.Add($"line {lineNumber}: {trimmed}: only C# cells are supported; magic command '#!{magic}' is not available in the course's notebook engine.");
                continue;
            }
            code.Append(line);
        }
        return new CellDirectives(code.ToString(), references, errors, time);
    }

    [GeneratedRegex("^#r\\s+\"(?<target>[^\"]+)\"\\s*;?\\s*(//.*)?$")]
    private static partial Regex ReferenceDirective();

    [GeneratedRegex("^#i\\s+\"")]
    private static partial Regex IncludeDirective();
}

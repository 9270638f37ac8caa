using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Course.Notebooks.Kernel;

/// <summary>
/// Builds the kernel a notebook runs in: the real .NET Interactive C# kernel inside a CompositeKernel,
/// with the same extensions `dotnet interactive jupyter` (tool 1.0.712001) gives its C# kernel:
/// `#r "nuget:"` (references added as the tool adds them), the kernel helpers (`display()`,
/// `.Update()`, `HTML()`...), `#!who`/`#!whos`, value sharing, `#!import`, and the kernel extensions that
/// NuGet packages bring (Plotly.NET.Interactive's formatters, for one). Formatting is set up as for a
/// Jupyter front end: HTML by default, strings as plain text. The tool's F#, PowerShell, HTTP and
/// SQL kernels are left out: the lessons are C#.
/// </summary>
public static class InteractiveKernelFactory
{
    public const string CSharpKernelName = "csharp";

    public static CompositeKernel Create()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();

        var composite = new CompositeKernel();
        composite.Add(csharp, ["c#", "C#"]);
        composite.UseImportMagicCommand();
        NuGetKernelExtensions.Use(composite);
        composite.DefaultKernelName = CSharpKernelName;

        // What the tool's Jupyter front end sets (HtmlNotebookFrontendEnvironment is a browser front end).
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        return composite;
    }
}

using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;

namespace Course.Notebooks.Kernel;

/// <summary>
/// Loads the kernel extensions a NuGet package ships in its `interactive-extensions/dotnet` folder
/// after the `#r "nuget:"` that added it, as the dotnet-interactive tool does (its loader is internal
/// to the tool, so the course's host has its own). This is how `#r "nuget: Plotly.NET.Interactive"`
/// registers Plotly.NET's chart formatters.
/// </summary>
internal static class NuGetKernelExtensions
{
    public static void Use(CompositeKernel kernel)
    {
        var added = new ConcurrentQueue<string>();
        var seenRoots = new ConcurrentDictionary<string, bool>();
        var loadedAssemblies = new ConcurrentDictionary<string, bool>();
        kernel.RegisterForDisposal(kernel.KernelEvents.Subscribe(new KernelEventObserver(e =>
        {
            if (e is PackageAdded { PackageReference.PackageRoot: { } root } && seenRoots.TryAdd(root, true))
                added.Enqueue(root);
        })));
        kernel.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context);
            while (added.TryDequeue(out var root))
            {
                var folder = Path.Combine(root, "interactive-extensions", "dotnet");
                if (!Directory.Exists(folder)) continue;
                foreach (var dll in Directory.GetFiles(folder, "*.dll"))
                {
                    if (!loadedAssemblies.TryAdd(AssemblyName.GetAssemblyName(dll).FullName, true)) continue;
                    var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
                    var extensionTypes = assembly.ExportedTypes
                        .Where(t => !t.IsAbstract && !t.IsInterface && !t.IsGenericTypeDefinition && typeof(IKernelExtension).IsAssignableFrom(t))
                        .ToList();
                    if (extensionTypes.Count > 0) KernelInvocationContextExtensions.Display(context, $"Loading extensions from `{assembly.Location}`", "text/markdown");
                    foreach (var type in extensionTypes)
                    {
                        var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                        try
                        {
                            await extension.OnLoadAsync(kernel);
                            context.Publish(new KernelExtensionLoaded(extension, context.Command));
                        }
                        catch (Exception e)
                        {
                            context.Publish(new ErrorProduced($"Failed to load kernel extension \"{type.Name}\" from assembly {assembly.Location}", context.Command));
                            context.Fail(context.Command, new KernelExtensionLoadException(e));
                        }
                    }
                }
            }
        }, nameof(NuGetKernelExtensions));
    }
}

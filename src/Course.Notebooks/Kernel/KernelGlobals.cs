namespace Course.Notebooks.Kernel;

/// <summary>
/// Members every cell can use without qualification, as in the .NET Interactive C# kernel.
/// Lower-case names follow that kernel's API.
/// </summary>
public class KernelGlobals
{
    private readonly NotebookKernel _kernel;

    internal KernelGlobals(NotebookKernel kernel) => _kernel = kernel;

    /// <summary>Shows <paramref name="value"/> as an output of the running cell, formatted with its
    /// registered formatters (or as the given MIME types), and returns a handle that replaces it in place.</summary>
#pragma warning disable IDE1006 // the kernel's API is lower-case
    public DisplayedValue display(object? value, params string[] mimeTypes) => _kernel.Display(value, mimeTypes);
#pragma warning restore IDE1006
}

/// <summary>A displayed output that can be replaced in place (Jupyter's update_display_data).</summary>
public sealed class DisplayedValue
{
    private readonly NotebookKernel _kernel;
    private readonly DisplayOutput _output;
    private readonly string[] _mimeTypes;

    internal DisplayedValue(NotebookKernel kernel, DisplayOutput output, string[] mimeTypes)
    {
        _kernel = kernel;
        _output = output;
        _mimeTypes = mimeTypes;
    }

    public string DisplayId => _output.DisplayId!;

    /// <summary>Replaces the displayed value with <paramref name="value"/>.</summary>
    public void Update(object? value) => _kernel.UpdateDisplay(_output, value, _mimeTypes);
}

using System.Globalization;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>
/// What the command-line verbs that run course code (train-fashion, train-generative,
/// train-classifier, evaluate) share: they check that the libraries they load are built, write a
/// C# script with the options as literals, and run it as one cell in the real kernel.
/// </summary>
static class CourseScript
{
    /// <summary>Writes one line and returns true where a library the script loads is missing from <paramref name="lib"/>.</summary>
    public static bool LibrariesMissing(string lib, TextWriter error)
    {
        foreach (var dll in new[] { "TorchSharp.dll", "Course.Data.dll", "Course.Diffusion.dll" })
            if (!File.Exists(Path.Combine(lib, dll)))
            {
                error.WriteLine($"{Path.Combine(lib, dll)} is missing: run `dotnet build Course.sln -c Release` first (or pass --lib)");
                return true;
            }
        return false;
    }

    /// <summary>Runs a training script as one cell, its output streamed; 0 on success, 1 with the failure and its traceback.</summary>
    public static async Task<int> RunTrainingAsync(string script, TextWriter output, TextWriter error)
    {
        using var kernel = new NotebookKernel();
        kernel.StreamWritten += (name, text) => (name == "stderr" ? error : output).Write(text);
        var result = await kernel.ExecuteCellAsync(script).ConfigureAwait(false);
        if (result.Error is null) return 0;
        error.WriteLine($"training failed: {result.Failure}");
        foreach (var line in result.Error.Traceback) error.WriteLine(line);
        return 1;
    }

    /// <summary>A C# string literal of <paramref name="s"/>.</summary>
    public static string Literal(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>A C# number literal that reads back to exactly <paramref name="v"/>.</summary>
    public static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

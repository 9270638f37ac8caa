using System.Diagnostics;

namespace Course.Notebooks.Cli;

/// <summary>
/// <c>install-kernel</c>: restores the dotnet-interactive tool pinned in .config/dotnet-tools.json and
/// copies the course's kernelspec (jupyter/kernels/.net-csharp: that tool as a Jupyter kernel, its
/// HTTP port on loopback only) into a Jupyter data folder, so that VS Code's Jupyter extension,
/// JupyterLab and nbclient run the lessons in the same kernel the course's runner uses.
/// </summary>
public static class InstallKernelCommand
{
    public const string KernelName = ".net-csharp";

    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -- install-kernel [--jupyter-dir DIR]

        Restores the pinned dotnet-interactive tool (dotnet tool restore) and installs the course's
        kernelspec as DIR/kernels/.net-csharp. DIR defaults to your Jupyter data folder
        ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter on Linux, ~/Library/Jupyter on macOS,
        %APPDATA%\jupyter on Windows). A kernel.json already there is kept as kernel.json.bak.
        The kernel starts the tool with `dotnet tool run`, so it serves notebooks inside this repository.
        """;

    public static async Task<int> MainAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? jupyterDirectory = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "-h" or "--help") { output.WriteLine(Usage); return 0; }
            if (args[i] == "--jupyter-dir" && i + 1 < args.Count) { jupyterDirectory = args[++i]; continue; }
            error.WriteLine($"unknown or incomplete option '{args[i]}'\n\n{Usage}");
            return 2;
        }
        var root = FindRepositoryRoot(Directory.GetCurrentDirectory());
        if (root is null)
        {
            error.WriteLine("install-kernel: run it inside the course's repository (no .config/dotnet-tools.json above the current folder)");
            return 2;
        }
        var restore = await RunDotnetAsync(root, "tool", "restore").ConfigureAwait(false);
        if (restore.ExitCode != 0)
        {
            error.WriteLine($"install-kernel: `dotnet tool restore` failed in {root}:\n{restore.Output}");
            return 1;
        }
        var target = Install(root, jupyterDirectory ?? DefaultJupyterDataDirectory(), out var replaced);
        output.WriteLine($"dotnet-interactive restored; kernel '{KernelName}' installed in {target}");
        if (replaced) output.WriteLine($"  (the kernel.json that was there is kept as {Path.Combine(target, "kernel.json.bak")})");
        return 0;
    }

    /// <summary>Copies the kernelspec folder; kernel.json is written to a temporary name, then renamed.</summary>
    public static string Install(string repositoryRoot, string jupyterDataDirectory, out bool replaced)
    {
        var source = Path.Combine(repositoryRoot, "jupyter", "kernels", KernelName);
        if (!File.Exists(Path.Combine(source, "kernel.json")))
            throw new FileNotFoundException($"the course's kernelspec is missing: {Path.Combine(source, "kernel.json")}");
        var target = Path.Combine(Path.GetFullPath(jupyterDataDirectory), "kernels", KernelName);
        Directory.CreateDirectory(target);
        var kernelJson = Path.Combine(target, "kernel.json");
        var incoming = File.ReadAllText(Path.Combine(source, "kernel.json"));
        replaced = File.Exists(kernelJson) && File.ReadAllText(kernelJson) != incoming;
        if (replaced) File.Copy(kernelJson, kernelJson + ".bak", overwrite: true);
        foreach (var file in Directory.GetFiles(source))
        {
            var destination = Path.Combine(target, Path.GetFileName(file));
            var temporary = destination + ".partial";
            File.Copy(file, temporary, overwrite: true);
            File.Move(temporary, destination, overwrite: true);
        }
        return target;
    }

    public static string DefaultJupyterDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } explicitDirectory) return explicitDirectory;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter");
        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".local", "share");
        return Path.Combine(dataHome, "jupyter");
    }

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, ".config", "dotnet-tools.json"))) return dir.FullName;
        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}

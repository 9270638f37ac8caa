using System.Diagnostics;

namespace Course.Testing;

/// <summary>Runs Debian's python3 with python3-torch (the same libtorch as the shim) for reference values.</summary>
public static class Python
{
    /// <summary>/usr/bin/python3 rather than whatever python3 is first on PATH (pyenv shims lack torch).</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs a script and returns its standard output; throws with stderr when it fails.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("-");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python3 failed ({p.ExitCode}):\n{stderr}");
        return stdout.Result;
    }

    /// <summary>The folder with the fixture files copied next to the test assembly.</summary>
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);
}

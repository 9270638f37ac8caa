using System.Diagnostics;

namespace Course.Visuals.Tests;

/// <summary>Independent checkers the tests lean on: Debian's python3 + PIL, ImageMagick, Chromium.</summary>
internal static class Tools
{
    public const string Python = "/usr/bin/python3";

    public static string TempDir(string name)
    {
        var d = Path.Combine(Path.GetTempPath(), "course-visuals-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }

    public static (int Code, string Out, string Err) Run(string exe, IEnumerable<string> args, int timeoutMs = 120_000, string? stdin = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); throw new TimeoutException($"{exe} timed out"); }
        return (p.ExitCode, output.Result, err.Result);
    }

    /// <summary>Runs a Python snippet with the system interpreter (which has PIL); args go to sys.argv[1:].</summary>
    public static string Py(string script, params string[] args)
    {
        if (!File.Exists(Python)) Assert.Fail("/usr/bin/python3 is missing: apt-get install -y python3-pil");
        var (code, output, err) = Run(Python, new[] { "-c", script }.Concat(args));
        if (code != 0) Assert.Fail($"python failed ({code}): {err}");
        return output;
    }

    public static string? Chromium()
    {
        foreach (var c in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
            if (File.Exists(c)) return c;
        return null;
    }

    /// <summary>Headless screenshot of a URL into a PNG file.</summary>
    public static void Screenshot(string url, string png, int width, int height, int budgetMs = 8000)
    {
        var chromium = Chromium() ?? throw new InvalidOperationException("chromium is not installed: apt-get install -y chromium");
        var profile = TempDir("chromium-profile");
        var (code, _, err) = Run(chromium, new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
            $"--user-data-dir={profile}", $"--screenshot={png}", $"--window-size={width},{height}",
            $"--virtual-time-budget={budgetMs}", url,
        }, timeoutMs: 120_000);
        if (!File.Exists(png)) Assert.Fail($"chromium wrote no screenshot (exit {code}): {err}");
    }
}

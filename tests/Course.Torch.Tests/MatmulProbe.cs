using System.Diagnostics;

namespace Course.Torch.Tests;

/// <summary>
/// The two bad matmuls whose outcome depends on the engine, runnable in this process or in a child
/// one (the test assembly is also a program: <c>dotnet Course.Torch.Tests.dll matmul KIND</c>), so that
/// a test can watch a process die without dying itself.
/// </summary>
public static class MatmulProbe
{
    public const string ShapeMismatch = "shape-mismatch";
    public const string FloatByInt64 = "float-by-int64";

    public static void Run(string kind)
    {
        using var scope = NewDisposeScope();
        var (a, b) = kind switch
        {
            ShapeMismatch => (randn(2, 3), randn(4, 5)),
            FloatByInt64 => (randn(2, 3), ones(new long[] { 3, 2 }, int64)),
            _ => throw new ArgumentException($"unknown matmul probe '{kind}' (known: {ShapeMismatch}, {FloatByInt64})", nameof(kind)),
        };
        a.matmul(b);
    }

    /// <summary>Runs <see cref="Run"/> in a child process; returns its exit code and standard error.</summary>
    public static (int ExitCode, string Stderr) RunInChildProcess(string kind)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
            dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(MatmulProbe).Assembly.Location);
        psi.ArgumentList.Add("matmul");
        psi.ArgumentList.Add(kind);
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"matmul probe '{kind}' did not finish in 120 s"); }
        stdout.Wait();
        return (p.ExitCode, stderr);
    }
}

/// <summary>The entry point of the test assembly when run as a program (see <see cref="MatmulProbe"/>).</summary>
public static class ProbeProgram
{
    public static int Main(string[] args)
    {
        if (args is ["matmul", var kind])
        {
            MatmulProbe.Run(kind);
            Console.WriteLine("matmul returned");
            return 0;
        }
        Console.Error.WriteLine("usage: dotnet Course.Torch.Tests.dll matmul shape-mismatch|float-by-int64");
        return 2;
    }
}

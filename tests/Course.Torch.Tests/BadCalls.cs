using System.Diagnostics;

namespace Course.Torch.Tests;

/// <summary>
/// Mistakes a learner makes, by name, runnable in this process or in a child one (the test assembly is
/// also a program: <c>dotnet Course.Torch.Tests.dll probe NAME</c>), so that a test can watch a process
/// die without dying itself. Some of them end the process on TorchSharp 0.107 (SIGABRT: its native
/// matmul and linear have no exception guard); every one raises a .NET exception on Course.Torch.
/// <c>dotnet Course.Torch.Tests.dll probe all</c> prints what each one does on the engine built in.
/// </summary>
public static class BadCalls
{
    public const string MatmulShapeMismatch = "matmul-shape-mismatch";
    public const string MatmulFloatByInt64 = "matmul-float-by-int64";
    public const string LinearFloat64Input = "linear-float64-input";
    public const string LinearWrongWidth = "linear-wrong-width";

    static readonly Dictionary<string, Action> s_calls = new()
    {
        [MatmulShapeMismatch] = () => randn(2, 3).matmul(randn(4, 5)),
        [MatmulFloatByInt64] = () => randn(2, 3).matmul(ones(new long[] { 3, 2 }, int64)),
        [LinearFloat64Input] = () => nn.Linear(4, 2).call(randn(new long[] { 3, 4 }, ScalarType.Float64)),
        [LinearWrongWidth] = () => nn.Linear(4, 2).call(randn(3, 5)),
        ["add-shape-mismatch"] = () => { var _ = randn(2, 3) + randn(4, 5); },
        ["view-wrong-size"] = () => randn(2, 3).view(7),
        ["cat-shape-mismatch"] = () => cat(new[] { randn(2, 3), randn(4, 5) }, 0),
        ["index-select-out-of-range"] = () => randn(3, 4).index_select(0, tensor(new long[] { 0, 5 })),
        ["size-of-missing-dimension"] = () => randn(3, 4).size(2),
        ["indexer-out-of-range"] = () => { var _ = arange(24).reshape(2, 3, 4)[0, 3]; },
        ["indexer-too-many-indices"] = () => { var _ = arange(24).reshape(2, 3, 4)[0, 0, 0, 0]; },
        ["use-after-dispose"] = () => { var x = randn(2, 2); x.Dispose(); var _ = x + 1; },
        ["backward-of-non-scalar"] = () => (randn(new long[] { 3 }, requires_grad: true) * 2).backward(),
        ["backward-without-grad"] = () => randn(3).sum().backward(),
        ["tensor-data-shape-mismatch"] = () => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 }),
        ["zeros-negative-size"] = () => zeros(-1, 2),
        ["to-cuda-without-gpu"] = () => randn(2).to(CUDA),
        ["conv2d-2d-input"] = () => nn.Conv2d(3, 8, 3).call(randn(5, 5)),
        ["conv2d-channel-mismatch"] = () => nn.Conv2d(3, 8, 3).call(randn(2, 4, 8, 8)),
        ["conv2d-bad-groups"] = () => nn.Conv2d(3, 8, 3, groups: 2),
        ["group-norm-bad-groups"] = () => nn.GroupNorm(4, 6),
        ["group-norm-channel-mismatch"] = () => nn.GroupNorm(2, 6).call(randn(2, 4, 3, 3)),
        ["batch-norm-one-value"] = () => nn.BatchNorm2d(3).call(randn(1, 3, 1, 1)),
        ["embedding-index-out-of-range"] = () => nn.Embedding(5, 2).call(tensor(new long[] { 1, 5 })),
        ["embedding-float-input"] = () => nn.Embedding(5, 2).call(randn(3)),
        ["mse-loss-shape-mismatch"] = () => nn.functional.mse_loss(randn(4, 1), randn(4)),
        ["cross-entropy-int32-target"] = () => nn.functional.cross_entropy(randn(4, 3), tensor(new[] { 0, 1, 2, 0 })),
        ["interpolate-size-and-scale"] = () => nn.functional.interpolate(randn(1, 1, 4, 4), new long[] { 8, 8 }, new[] { 2.0, 2.0 }),
        ["interpolate-nearest-align-corners"] = () => nn.functional.interpolate(randn(1, 1, 4, 4), scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest, align_corners: true),
        ["interpolate-one-scale-factor"] = () => nn.functional.interpolate(randn(1, 1, 4, 4), scale_factor: new[] { 2.0 }),
        ["reflect-pad-too-wide"] = () => nn.functional.pad(randn(1, 1, 3, 3), new long[] { 3, 3, 0, 0 }, PaddingModes.Reflect),
        ["attention-key-width-mismatch"] = () => nn.functional.scaled_dot_product_attention(randn(2, 3, 4), randn(2, 5, 3), randn(2, 5, 4)),
        ["attention-mask-and-causal"] = () => nn.functional.scaled_dot_product_attention(randn(2, 3, 4), randn(2, 3, 4), randn(2, 3, 4), attn_mask: ones(3, 3), is_casual: true),
        ["dropout-probability-above-one"] = () => nn.Dropout(1.5),
        ["item-of-wrong-dtype"] = () => tensor(1.5f).item<double>(),
        ["adam-without-parameters"] = () => optim.Adam(Array.Empty<Parameter>()),
        ["sgd-parameter-twice"] = () => { var p = new Parameter(zeros(3)); optim.SGD(new[] { p, p }, 0.1); },
        ["sgd-nesterov-without-momentum"] = () => optim.SGD(new[] { new Parameter(zeros(3)) }, 0.1, nesterov: true),
        ["adam-beta1-one"] = () => optim.Adam(new[] { new Parameter(zeros(3)) }, beta1: 1.0),
    };

    public static IEnumerable<string> Names => s_calls.Keys;

    public static void Run(string name)
    {
        if (!s_calls.TryGetValue(name, out var call))
            throw new ArgumentException($"unknown bad call '{name}' (known: {string.Join(", ", s_calls.Keys)})", nameof(name));
        using var scope = NewDisposeScope();
        call();
    }

    /// <summary>Runs <see cref="Run"/> in a child process; returns its exit code and standard error.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunInChildProcess(string name) =>
        RunThisAssembly(new[] { "probe", name }, new Dictionary<string, string?>());

    /// <summary>Runs this test assembly as a program with <paramref name="args"/>, its environment changed by
    /// <paramref name="environment"/> (a null value removes the variable); returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunThisAssembly(IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
            dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(BadCalls).Assembly.Location);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name); else psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"'{string.Join(" ", psi.ArgumentList)}' did not finish in 120 s"); }
        return (p.ExitCode, stdout.Result, stderr);
    }
}

/// <summary>The entry point of the test assembly when run as a program (see <see cref="BadCalls"/>).</summary>
public static class ProbeProgram
{
    public static int Main(string[] args)
    {
        if (args is ["probe", "all"])
        {
            foreach (var name in BadCalls.Names)
            {
                var (code, stdout, stderr) = BadCalls.RunInChildProcess(name);
                var firstError = stderr.Split('\n').FirstOrDefault(l => l.Contains("what()")) ?? "";
                Console.WriteLine($"{name}: exit {code}; {stdout.Trim()} {firstError.Trim()}");
            }
            return 0;
        }
        if (args is ["probe", var kind])
        {
            try
            {
                BadCalls.Run(kind);
                Console.WriteLine("returned normally");
            }
            catch (Exception e)
            {
                Console.WriteLine($"raised {e.GetType().FullName}: {e.Message.Split('\n')[0]}");
            }
            return 0;
        }
        if (args is ["threads"])
        {
            // The assembly's module initializer (EngineCheckedBeforeTests) has already run the course's
            // engine check, as a course program's first call; this loads libtorch if it did not.
            Console.WriteLine($"libtorch threads: {get_num_threads()}");
            return 0;
        }
        Console.Error.WriteLine($"usage: dotnet Course.Torch.Tests.dll threads | probe all|{string.Join("|", BadCalls.Names)}");
        return 2;
    }
}

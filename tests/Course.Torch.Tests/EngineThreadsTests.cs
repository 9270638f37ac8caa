namespace Course.Torch.Tests;

/// <summary>
/// The course's thread defaults hold on either engine: one libtorch thread unless COURSE_TORCH_THREADS
/// asks for more, and OpenMP workers that sleep rather than spin, unless the user chose otherwise.
/// Course.Torch sets them when its assembly loads; on TorchSharp the course's first engine call does
/// (EngineThreads in Course.Diffusion), since TorchSharp keeps libtorch's defaults (a thread per core,
/// spinning workers), which made lesson 09's small MLPs ten times slower on a busy 2-core machine
/// (bench/README.md). libtorch and OpenMP read the settings once, when libtorch loads, so each case
/// runs in a fresh process (this assembly as a program, whose module initializer runs the course's
/// engine check first, as a trainer does), where OpenMP prints what it read (OMP_DISPLAY_ENV=VERBOSE).
/// </summary>
public class EngineThreadsTests
{
    static (int Threads, string OpenMp) RunFreshProcess(IDictionary<string, string?> environment)
    {
        var all = new Dictionary<string, string?>
        {
            ["OMP_DISPLAY_ENV"] = "VERBOSE", ["OMP_WAIT_POLICY"] = null, ["GOMP_SPINCOUNT"] = null,
            ["OMP_NUM_THREADS"] = null, ["MKL_NUM_THREADS"] = null, ["COURSE_TORCH_THREADS"] = null,
        };
        foreach (var (name, value) in environment) all[name] = value;
        var (code, stdout, stderr) = BadCalls.RunThisAssembly(new[] { "threads" }, all);
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("libtorch threads: ", StringComparison.Ordinal));
        Assert.True(code == 0 && line is not null, $"the child process failed ({code}):\n{stdout}\n{stderr}");
        Assert.True(stderr.Contains("OMP_WAIT_POLICY = '"), $"libtorch's OpenMP printed no environment (OMP_DISPLAY_ENV):\n{stderr}");
        return (int.Parse(line!["libtorch threads: ".Length..].Trim()), stderr);
    }

    [Fact]
    public void ByDefaultOneThreadAndOpenMpWorkersThatSleep()
    {
        var (threads, openMp) = RunFreshProcess(new Dictionary<string, string?>());
        Assert.Equal(1, threads);
        Assert.Contains("OMP_WAIT_POLICY = 'PASSIVE'", openMp);
        // GNU OpenMP prints PASSIVE for an unset policy too; its spin count tells them apart (0 when
        // passive, 300000 when unset, 30000000000 when active).
        if (openMp.Contains("GOMP_SPINCOUNT = '")) Assert.Contains("GOMP_SPINCOUNT = '0'", openMp);
    }

    [Fact]
    public void CourseTorchThreadsSetsTheCount()
    {
        // 2: TorchSharp's libtorch 2.10 takes a count from the environment only up to the number of cores
        // (measured: OMP_NUM_THREADS=3 gave 2 threads on 2 cores), and the course's machines have 2.
        var (threads, _) = RunFreshProcess(new Dictionary<string, string?> { ["COURSE_TORCH_THREADS"] = "2" });
        Assert.Equal(Math.Min(2, Environment.ProcessorCount), threads);
    }

    [Fact]
    public void AUsersOwnWaitPolicyIsKept()
    {
        var (_, openMp) = RunFreshProcess(new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = "ACTIVE" });
        Assert.Contains("OMP_WAIT_POLICY = 'ACTIVE'", openMp);
    }

#if COURSE_ENGINE_TORCHSHARP
    /// <summary>On TorchSharp libtorch reads OMP_NUM_THREADS itself; the course keeps a user's value (Course.Torch
    /// reads only COURSE_TORCH_THREADS).</summary>
    [Fact]
    public void AUsersOwnOpenMpThreadCountIsKeptOnTorchSharp()
    {
        var (threads, _) = RunFreshProcess(new Dictionary<string, string?> { ["OMP_NUM_THREADS"] = "2" });
        Assert.Equal(2, threads);
    }
#endif
}

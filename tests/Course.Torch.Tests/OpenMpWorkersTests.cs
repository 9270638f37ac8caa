namespace Course.Torch.Tests;

/// <summary>
/// libtorch's OpenMP workers sleep while they wait for work in a course process, on either engine
/// (Course.Torch sets OMP_WAIT_POLICY=PASSIVE when its assembly loads, the course's first engine call
/// does it on TorchSharp: OpenMpWorkers in Course.Diffusion), unless the user chose a policy. Spinning
/// workers made lesson 09's small MLPs about ten times slower on TorchSharp on a busy 2-core machine
/// (bench/README.md). OpenMP reads the variable once, when libtorch loads, so each case runs in a fresh
/// process (this assembly as a program), where OpenMP prints what it read (OMP_DISPLAY_ENV=VERBOSE).
/// </summary>
public class OpenMpWorkersTests
{
    static string OpenMpEnvironment(string? waitPolicy)
    {
        var (code, stdout, stderr) = BadCalls.RunThisAssembly(new[] { "threads" }, new Dictionary<string, string?>
        {
            ["OMP_DISPLAY_ENV"] = "VERBOSE", ["OMP_WAIT_POLICY"] = waitPolicy, ["GOMP_SPINCOUNT"] = null,
        });
        Assert.True(code == 0 && stdout.Contains("libtorch threads:"), $"the child process failed ({code}):\n{stdout}\n{stderr}");
        Assert.True(stderr.Contains("OMP_WAIT_POLICY = '"), $"libtorch's OpenMP printed no environment (OMP_DISPLAY_ENV):\n{stderr}");
        return stderr;
    }

    [Fact]
    public void OpenMpWorkersSleepInsteadOfSpinningInACourseProcess()
    {
        var display = OpenMpEnvironment(waitPolicy: null);
        Assert.Contains("OMP_WAIT_POLICY = 'PASSIVE'", display);
        // GNU OpenMP prints PASSIVE for an unset policy too; its spin count tells them apart (0 when
        // passive, 300000 when unset, 30000000000 when active).
        if (display.Contains("GOMP_SPINCOUNT = '")) Assert.Contains("GOMP_SPINCOUNT = '0'", display);
    }

    [Fact]
    public void AUsersOwnWaitPolicyIsKept()
    {
        var display = OpenMpEnvironment(waitPolicy: "ACTIVE");
        Assert.Contains("OMP_WAIT_POLICY = 'ACTIVE'", display);
    }
}

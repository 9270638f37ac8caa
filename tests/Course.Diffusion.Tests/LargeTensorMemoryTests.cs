namespace Course.Diffusion.Tests;

/// <summary>What the allocator set-up changes is measured in bench/README.md (lesson 06 in quick mode, back to back
/// on one machine); here, that it is made where it can be.</summary>
public class LargeTensorMemoryTests
{
    [Fact]
    public void On_Linux_glibc_accepts_the_thresholds()
    {
        if (!OperatingSystem.IsLinux()) { Assert.False(LargeTensorMemory.KeepForReuse()); return; }
        bool chosenByUser = Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null;
        Assert.Equal(!chosenByUser, LargeTensorMemory.KeepForReuse());
        Assert.Equal(LargeTensorMemory.KeepForReuse(), LargeTensorMemory.KeepForReuse());   // once per process
    }
}

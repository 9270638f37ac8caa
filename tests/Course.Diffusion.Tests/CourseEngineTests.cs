using System.Text;

namespace Course.Diffusion.Tests;

/// <summary>
/// The engine check: where TorchSharp is the engine and the process's libstdc++ lacks GLIBCXX_3.4.32
/// (Debian 12, Ubuntu 22.04), one clear exception names the library and the fix; elsewhere the check
/// passes and the engine loads. Which case applies is read here from the libstdc++ the process mapped.
/// </summary>
public class CourseEngineTests
{
    static string? MappedLibStdCxx() => File.ReadLines("/proc/self/maps")
        .Select(l => l.IndexOf('/') is var at and >= 0 ? l[at..].Trim() : "")
        .FirstOrDefault(p => p.Contains("/libstdc++.so"));

    [Fact]
    public void TheCheckFailsClearlyExactlyWhereTorchSharpCannotLoad()
    {
        var libstdcxx = MappedLibStdCxx();
        bool hasSymbol = libstdcxx is null || Encoding.Latin1.GetString(File.ReadAllBytes(libstdcxx)).Contains("GLIBCXX_3.4.32");
        if (CourseEngine.IsTorchSharp && !hasSymbol)
        {
            var ex = Assert.Throws<PlatformNotSupportedException>(CourseEngine.EnsureLoadable);
            Assert.Contains("GLIBCXX_3.4.32", ex.Message);
            Assert.Contains(libstdcxx!, ex.Message);
            Assert.Contains("Debian 13", ex.Message);
            Assert.Contains("COURSE_ENGINE=course", ex.Message);
            Assert.Contains("apt-get install --no-install-recommends libtorch-dev cmake g++ make", ex.Message);
            Assert.Throws<PlatformNotSupportedException>(() => CourseEngine.Describe());
        }
        else
        {
            CourseEngine.EnsureLoadable();
            var line = CourseEngine.Describe();
            Assert.StartsWith(CourseEngine.IsTorchSharp ? "TorchSharp 0.107" : "Course.Torch", line);
            Assert.Contains(torch.__version__, line);
        }
    }
}

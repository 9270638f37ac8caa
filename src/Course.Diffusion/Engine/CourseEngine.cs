using TorchSharp;

namespace Course.Diffusion;

/// <summary>
/// Which tensor engine this build of the course runs on (chosen at build time: COURSE_ENGINE /
/// -p:CourseEngine), and a check that it can load here, made before anything touches <c>torch</c>:
/// where TorchSharp cannot load, the learner gets one message that says why and what to do instead
/// of a TypeInitializationException from TorchSharp's static constructor.
/// </summary>
public static class CourseEngine
{
    /// <summary>GCC 13's libstdc++ symbol version that TorchSharp 0.107's native library needs.</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";

    /// <summary>True where this build runs on TorchSharp, false on Course.Torch.</summary>
    public static bool IsTorchSharp =>
#if COURSE_ENGINE_TORCHSHARP
        true;
#else
        false;
#endif

    /// <summary>"TorchSharp 0.107.0" or "Course.Torch", from the engine assembly this process loaded.</summary>
    public static string Name => IsTorchSharp
        ? $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}"
        : "Course.Torch";

    static readonly Lazy<(string LibStdCxx, string? Newest)?> s_problem = new(FindLoadProblem);

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> with the cause and the fix where this
    /// engine cannot load on this machine; returns at once otherwise (the check runs once). Every lesson's
    /// first cell calls it, before the first call into the engine, so it also puts the course's thread
    /// defaults in place on TorchSharp (<see cref="EngineThreads"/>) and sets the allocator up for large
    /// tensors (<see cref="LargeTensorMemory"/>).</summary>
    public static void EnsureLoadable()
    {
        if (s_problem.Value is { } problem)
            throw new PlatformNotSupportedException(LearnerMessages.TorchSharpCannotLoad(RequiredGlibcxx, problem.LibStdCxx, problem.Newest));
        EngineThreads.ApplyCourseDefaults();
        LargeTensorMemory.KeepForReuse();
    }

    /// <summary>As <see cref="EnsureLoadable()"/>, after setting the language the course's libraries write in for the
    /// learner (<see cref="Course.Interrupts.LearnerLanguage"/>): "en" in the English lessons, "ja" in the Japanese
    /// edition, whose code is otherwise the English lessons' code.</summary>
    /// <exception cref="ArgumentException">a language other than "en" or "ja".</exception>
    public static void EnsureLoadable(string language)
    {
        Course.Interrupts.LearnerLanguage.Set(language);
        EnsureLoadable();
    }

    /// <summary>One line for a learner: the engine, its libtorch and threads (loads the engine).</summary>
    public static string Describe()
    {
        EnsureLoadable();
        return LearnerMessages.EngineDescription(Name, torch.__version__);
    }

    static (string LibStdCxx, string? Newest)? FindLoadProblem()
    {
        if (!IsTorchSharp || !OperatingSystem.IsLinux()) return null;
        var libstdcxx = LoadedLibStdCxx();
        if (libstdcxx is null || ContainsAscii(libstdcxx, RequiredGlibcxx)) return null;
        return (libstdcxx, NewestGlibcxx(libstdcxx));
    }

    /// <summary>The libstdc++ the dynamic loader gave this process (the .NET runtime itself links it),
    /// read from /proc/self/maps; null where it cannot be told.</summary>
    static string? LoadedLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at >= 0 && line.AsSpan(at).Contains("/libstdc++.so", StringComparison.Ordinal)) return line[at..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    static bool ContainsAscii(string path, string text) => File.ReadAllBytes(path).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(text)) >= 0;

    static string? NewestGlibcxx(string path)
    {
        var bytes = File.ReadAllText(path, System.Text.Encoding.Latin1);
        return System.Text.RegularExpressions.Regex.Matches(bytes, @"GLIBCXX_3\.4\.(\d+)")
            .Select(m => (Version: int.Parse(m.Groups[1].Value), Text: m.Value))
            .OrderByDescending(v => v.Version).Select(v => v.Text).FirstOrDefault();
    }
}

namespace Course.Interrupts;

/// <summary>
/// The language of what the course's libraries write for a learner: stop lines, progress labels, verdicts, the
/// engine check, errors that a learner's mistake causes. A lesson's first cell sets it
/// (<c>CourseEngine.EnsureLoadable("ja")</c> in the Japanese edition, <c>"en"</c> in the English one), so the code of
/// both editions is the same program. Numbers, units and identifiers are the same in every language.
/// </summary>
/// <remarks>Each notebook's kernel loads its own copy of the libraries, so each notebook has its own setting.
/// <see cref="Use"/> sets it for the current flow of execution only (tests).</remarks>
public static class LearnerLanguage
{
    /// <summary>The languages the libraries speak: English and Japanese.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["en", "ja"];

    static volatile string s_language = "en";
    static readonly AsyncLocal<string?> s_scoped = new();

    /// <summary>"en" (the default) or "ja".</summary>
    public static string Current => s_scoped.Value ?? s_language;

    /// <summary>Whether the libraries write Japanese.</summary>
    public static bool IsJapanese => Current == "ja";

    /// <summary>Sets the language for this process's copy of the libraries.</summary>
    /// <exception cref="ArgumentException">a language other than "en" or "ja" (in both languages).</exception>
    public static void Set(string language) => s_language = Checked(language);

    /// <summary>Sets the language for the current flow of execution (this thread and what it awaits) until disposed.</summary>
    public static IDisposable Use(string language)
    {
        var previous = s_scoped.Value;
        s_scoped.Value = Checked(language);
        return new Restore(previous);
    }

    /// <summary>The English or the Japanese text, by <see cref="Current"/>.</summary>
    public static string Choose(string english, string japanese) => IsJapanese ? japanese : english;

    static string Checked(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        if (!Supported.Contains(language))
            throw new ArgumentException($"the language must be \"en\" (English) or \"ja\" (Japanese), not \"{language}\" "
                + $"(言語は \"en\"（英語）か \"ja\"（日本語）で指定してください。\"{language}\" は使えません)", nameof(language));
        return language;
    }

    sealed class Restore(string? previous) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            s_scoped.Value = previous;
        }
    }
}

using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Course.Notebooks.Ipynb;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Course.Notebooks.Translation;

/// <summary>A unit whose translation cannot be used, and why.</summary>
public sealed record UnitProblem(TranslationUnit Unit, string Reason);

/// <summary>How a lesson's translation stands against its English lesson.</summary>
public sealed class LessonTranslationReport(string lesson, int units)
{
    public string Lesson { get; } = lesson;

    /// <summary>How many units the English lesson has.</summary>
    public int Units { get; } = units;

    /// <summary>English units with no translation (new or changed in English since the translation, or left
    /// empty): the Japanese lesson shows their English.</summary>
    public List<TranslationUnit> Stale { get; } = [];

    /// <summary>Translations that cannot stand where their English stands (<see cref="CodeText.WhyNotInterchangeable"/>):
    /// the Japanese lesson shows their English.</summary>
    public List<UnitProblem> Invalid { get; } = [];

    /// <summary>Entries whose English is no longer in the lesson.</summary>
    public List<TranslationEntry> Obsolete { get; } = [];

    /// <summary>English texts the file has more than once.</summary>
    public List<string> Duplicates { get; } = [];

    /// <summary>Code cells (index among all cells) whose program differs from the English one after translation;
    /// the checks on each unit make this impossible, so any entry here is a bug of the generator.</summary>
    public List<int> ProgramMismatches { get; } = [];

    /// <summary>Whether the generated lesson holds text that is not the current translation of its English.</summary>
    public bool HasStaleOrInvalid => Stale.Count > 0 || Invalid.Count > 0 || Duplicates.Count > 0 || ProgramMismatches.Count > 0;

    public bool IsClean => !HasStaleOrInvalid && Obsolete.Count == 0;
}

/// <summary>
/// Builds a lesson of a language edition from the English lesson and its translation file: each markdown cell is
/// replaced by its translation, each code cell is the English code with each comment and string literal replaced by
/// its translation, so the program is the English one. Relative paths that lead out of the lessons' folder (the
/// libraries in <c>#r "../lib/..."</c>, <c>checkpoints/...</c>) are rebased by one folder, since the edition's lessons
/// sit one folder deeper. The first markdown cell gains the edition's line linking the glossary and the English lesson.
/// </summary>
public static partial class EditionBuilder
{
    public static (NotebookDocument Lesson, LessonTranslationReport Report) Build(NotebookDocument english, TranslationFile translation,
        Edition edition, IReadOnlySet<string> englishSubfolders, string targetPath)
    {
        var units = LessonUnits.Of(english);
        var report = new LessonTranslationReport(english.Name, units.Count);
        var entries = new Dictionary<string, TranslationEntry>(StringComparer.Ordinal);
        foreach (var entry in translation.Entries)
            if (!entries.TryAdd(entry.English, entry)) report.Duplicates.Add(entry.English);
        var unitTexts = units.Select(u => u.English).ToHashSet(StringComparer.Ordinal);
        report.Obsolete.AddRange(translation.Entries.Where(e => !unitTexts.Contains(e.English)));

        // The text each unit becomes: its translation where there is a usable one, else its English.
        var usable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            if (!entries.TryGetValue(unit.English, out var entry) || entry.Translation.Length == 0)
            {
                report.Stale.Add(unit);
                continue;
            }
            if (CodeText.WhyNotInterchangeable(unit.Kind, unit.English, entry.Translation) is { } why)
            {
                report.Invalid.Add(new UnitProblem(unit, why));
                continue;
            }
            usable[unit.English] = entry.Translation;
        }
        string Translate(string english) => usable.TryGetValue(english, out var t) ? t : english;

        var root = (JsonObject)english.Root.DeepClone();
        var cells = root["cells"]!.AsArray().OfType<JsonObject>().ToList();
        var linked = false;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            var source = NotebookDocument.Source(cell);
            switch (NotebookDocument.CellType(cell))
            {
                case "markdown":
                    var text = RebaseMarkdownLinks(Translate(source), englishSubfolders, edition);
                    if (!linked)
                    {
                        text = text.TrimEnd('\n') + "\n\n" + edition.LinkLine(Path.GetFileName(english.Path));
                        linked = true;
                    }
                    cell["source"] = NotebookDocument.Lines(text);
                    break;
                case "code":
                    var code = TranslateCode(source, Translate, englishSubfolders, edition);
                    if (!CodeText.Program(source).SequenceEqual(CodeText.Program(code))) report.ProgramMismatches.Add(i);
                    cell["source"] = NotebookDocument.Lines(code);
                    cell["outputs"] = new JsonArray();
                    cell["execution_count"] = null;
                    break;
            }
        }
        return (NotebookDocument.FromJson(targetPath, root), report);
    }

    static string TranslateCode(string code, Func<string, string> translate, IReadOnlySet<string> englishSubfolders, Edition edition)
    {
        var result = new StringBuilder(code.Length);
        var at = 0;
        foreach (var span in CodeText.Find(code))
        {
            result.Append(code, at, span.Start - at);
            var text = translate(span.Text);
            result.Append(span.Kind == UnitKind.StringLiteral ? RebaseLiteral(text, englishSubfolders, edition) : text);
            at = span.Start + span.Length;
        }
        result.Append(code, at, code.Length - at);
        return result.ToString();
    }

    /// <summary>Whether <paramref name="path"/>, relative to the English lessons' folder, leads out of it or into one
    /// of its subfolders (other than the edition's own): then, from the edition's folder, it needs one more "../".</summary>
    internal static bool LeadsOutOfTheLessons(string path, IReadOnlySet<string> englishSubfolders, Edition edition)
    {
        if (path.Length == 0 || path.Any(char.IsWhiteSpace) || path.Contains(':') || Path.IsPathRooted(path)) return false;
        var first = path.Split('/', '\\')[0];
        return first == ".." || (first != edition.Folder && englishSubfolders.Contains(first) && first != ".");
    }

    /// <summary>A plain or verbatim string literal whose value is such a path, with "../" put in front of it.</summary>
    internal static string RebaseLiteral(string literal, IReadOnlySet<string> englishSubfolders, Edition edition)
    {
        if (SyntaxFactory.ParseExpression(literal, options: CodeText.ScriptOptions) is not LiteralExpressionSyntax literalExpression)
            return literal;
        var token = literalExpression.Token;
        if (!token.IsKind(SyntaxKind.StringLiteralToken) || token.Text != literal) return literal;
        if (!LeadsOutOfTheLessons(token.ValueText, englishSubfolders, edition)) return literal;
        var quote = literal.IndexOf('"');
        return literal[..(quote + 1)] + "../" + literal[(quote + 1)..];
    }

    /// <summary>Markdown links and image sources that lead out of the lessons' folder, rebased the same way.</summary>
    internal static string RebaseMarkdownLinks(string markdown, IReadOnlySet<string> englishSubfolders, Edition edition) =>
        MarkdownLink().Replace(markdown, m =>
        {
            var target = m.Groups["target"].Value;
            return LeadsOutOfTheLessons(target, englishSubfolders, edition) ? m.Groups["open"].Value + "../" + target : m.Value;
        });

    [GeneratedRegex(@"(?<open>\]\(|<img\s[^>]*?src="")(?<target>[^)""\s#?]+)")]
    private static partial Regex MarkdownLink();

    /// <summary>The folders next to the English lessons (checkpoints/, solutions/, the editions' own).</summary>
    public static IReadOnlySet<string> Subfolders(string englishFolder) =>
        Directory.GetDirectories(englishFolder).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>A translation file for the lesson as it is now: every unit in order, with the file's translation where
    /// it has one (usable or not, so its translator sees it) and "" where it has none. A unit with no translation gets,
    /// as hints, the most similar obsolete entry's English and translation (what it was before English changed).
    /// Obsolete entries are left out.</summary>
    public static TranslationFile Skeleton(NotebookDocument english, TranslationFile? existing, Edition edition)
    {
        var units = LessonUnits.Of(english);
        var entries = new Dictionary<string, TranslationEntry>(StringComparer.Ordinal);
        foreach (var entry in existing?.Entries ?? []) entries.TryAdd(entry.English, entry);
        var unitTexts = units.Select(u => u.English).ToHashSet(StringComparer.Ordinal);
        var obsolete = (existing?.Entries ?? []).Where(e => !unitTexts.Contains(e.English) && e.Translation.Length > 0).ToList();
        var result = new List<TranslationEntry>();
        foreach (var unit in units)
        {
            if (entries.TryGetValue(unit.English, out var entry) && entry.Translation.Length > 0)
            {
                result.Add(new TranslationEntry(unit.English, entry.Translation));
                continue;
            }
            var hint = entry?.PreviousEnglish is not null ? (entry.PreviousEnglish, entry.PreviousTranslation)
                : obsolete.Select(o => (o, Score: Similarity(o.English, unit.English))).Where(x => x.Score >= 0.3)
                    .OrderByDescending(x => x.Score).Select(x => ((string?)x.o.English, (string?)x.o.Translation)).FirstOrDefault();
            result.Add(new TranslationEntry(unit.English, "", hint.Item1, hint.Item2));
        }
        return new TranslationFile(english.Name, edition.Language, result);
    }

    /// <summary>How much two texts share: the Jaccard index of their sets of words.</summary>
    internal static double Similarity(string a, string b)
    {
        static HashSet<string> Words(string s) => WordPattern().Matches(s).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var (x, y) = (Words(a), Words(b));
        if (x.Count == 0 && y.Count == 0) return a == b ? 1 : 0;
        return (double)x.Intersect(y).Count() / x.Union(y).Count();
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();
}

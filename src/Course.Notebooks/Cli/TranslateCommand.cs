using Course.Notebooks.Ipynb;
using Course.Notebooks.Translation;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>translate</c>.</summary>
public sealed class TranslateOptions
{
    public string Language { get; set; } = "ja";

    public string NotebooksDirectory { get; set; } = "notebooks";

    /// <summary>Write nothing: exit 1 when a generated lesson differs from the file on disk.</summary>
    public bool Check { get; set; }

    /// <summary>Print this lesson's units as a translation file (with the translations it has) instead.</summary>
    public string? Skeleton { get; set; }
}

/// <summary><c>translate --lang ja</c>: regenerates the edition's lessons from the English lessons and the translation
/// files, and reports per lesson the units that are stale (no translation of the current English), invalid or
/// obsolete. <c>--skeleton LESSON</c> prints a lesson's units as a translation file to fill in.</summary>
public static class TranslateCommand
{
    public const string Usage = """
        translate: builds a language edition of the lessons from the English lessons and their translations.

        usage: dotnet run --project src/Course.Notebooks -- translate [--lang ja] [options]

          --lang CODE          the edition (default: ja): notebooks/CODE/*.ipynb from notebooks/CODE/translations/*.CODE.json
          --notebooks DIR      folder of the English lessons (default: notebooks)
          --check              write nothing; exit 1 when a lesson on disk is not what its translation gives
          --skeleton LESSON    print LESSON's units as a translation file (JSON) with the translations the file has;
                               units with none get "" (and, where English changed, the old text as previous_en/previous_CODE)

        Stale units (English new or changed since it was translated, or left ""), invalid ones (not the same kind of
        comment or string literal, or other interpolation holes) and obsolete entries (their English is gone) are
        listed per lesson; such a lesson shows the English text of the units it lacks. notebooks/ja/README.md has the format.
        Exit code: 0 when every translated lesson is current, 1 when one has stale or invalid units (or, with --check,
        differs on disk), 2 for bad usage.
        """;

    public static TranslateOptions Parse(IReadOnlyList<string> args)
    {
        var options = new TranslateOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--lang": options.Language = Value(); break;
                case "--notebooks": options.NotebooksDirectory = Value(); break;
                case "--check": options.Check = true; break;
                case "--skeleton": options.Skeleton = Value(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        Edition.For(options.Language);
        return options;
    }

    public static int Run(TranslateOptions options, TextWriter output, TextWriter error)
    {
        var edition = Edition.For(options.Language);
        var folder = Path.GetFullPath(options.NotebooksDirectory);
        if (!Directory.Exists(folder))
        {
            error.WriteLine($"no notebooks folder at {folder}");
            return 2;
        }
        return options.Skeleton is { } lesson ? PrintSkeleton(folder, lesson, edition, output, error) : Generate(folder, edition, options.Check, output, error);
    }

    static int PrintSkeleton(string folder, string lesson, Edition edition, TextWriter output, TextWriter error)
    {
        var matches = EditionGenerator.EnglishLessons(folder).Where(p => Path.GetFileName(p).StartsWith(lesson, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count != 1)
        {
            error.WriteLine(matches.Count == 0 ? $"no English lesson in {folder} starts with '{lesson}'"
                : $"'{lesson}' names {matches.Count} lessons: {string.Join(", ", matches.Select(Path.GetFileName))}");
            return 2;
        }
        var english = NotebookDocument.Load(matches[0]);
        var translationPath = Path.Combine(edition.TranslationsFolder(folder), TranslationFile.FileName(english.Name, edition.Language));
        TranslationFile? existing = null;
        try
        {
            if (File.Exists(translationPath)) existing = TranslationFile.Load(translationPath, edition.Language);
        }
        catch (InvalidDataException e)
        {
            error.WriteLine(e.Message);
            return 1;
        }
        output.Write(EditionBuilder.Skeleton(english, existing, edition).ToJson());
        return 0;
    }

    static int Generate(string folder, Edition edition, bool check, TextWriter output, TextWriter error)
    {
        var results = EditionGenerator.Generate(folder, edition);
        var failed = false;
        foreach (var r in results)
        {
            var target = Path.GetRelativePath(Directory.GetCurrentDirectory(), r.TargetPath);
            if (r.Error is { } message)
            {
                error.WriteLine($"{r.Name}: {message}");
                failed = true;
                continue;
            }
            if (r.Lesson is null || r.Report is null)
            {
                output.WriteLine($"{r.Name}: not translated yet (no {Path.GetRelativePath(Directory.GetCurrentDirectory(), r.TranslationPath)})");
                continue;
            }
            var report = r.Report;
            string state;
            if (check)
            {
                state = r.UpToDate ? "up to date" : File.Exists(r.TargetPath) ? "DIFFERS from what its translation gives" : "MISSING";
                failed |= !r.UpToDate;
            }
            else if (r.UpToDate) state = "unchanged";
            else
            {
                r.Lesson.Save(r.TargetPath);
                state = "written";
            }
            output.WriteLine($"{r.Name}: {target} {state}; {report.Units} units, {report.Stale.Count} stale, {report.Invalid.Count} invalid, {report.Obsolete.Count} obsolete");
            failed |= report.HasStaleOrInvalid;
            foreach (var unit in report.Stale)
                output.WriteLine($"  stale    (cell {unit.Cell}, {Kind(unit.Kind)}): {Excerpt(unit.English)}");
            foreach (var problem in report.Invalid)
                output.WriteLine($"  invalid  (cell {problem.Unit.Cell}, {Kind(problem.Unit.Kind)}): {problem.Reason}: {Excerpt(problem.Unit.English)}");
            foreach (var duplicate in report.Duplicates)
                output.WriteLine($"  duplicate entry: {Excerpt(duplicate)}");
            foreach (var obsolete in report.Obsolete)
                output.WriteLine($"  obsolete (its English is no longer in the lesson): {Excerpt(obsolete.English)}");
            foreach (var cell in report.ProgramMismatches)
                output.WriteLine($"  PROGRAM DIFFERS from the English in cell {cell} (a bug of the generator: please report it)");
        }
        foreach (var orphan in EditionGenerator.Orphans(folder, edition))
            output.WriteLine($"no English lesson for {Path.GetRelativePath(Directory.GetCurrentDirectory(), orphan)}");
        var stale = results.Where(r => r.Report?.HasStaleOrInvalid == true).Select(r => r.Name).ToList();
        if (stale.Count > 0)
            error.WriteLine($"Stale or invalid translations in {string.Join(", ", stale)}: their lessons show the English of those units. " +
                            $"`translate --lang {edition.Language} --skeleton LESSON` prints a lesson's file with the units to translate.");
        return failed ? 1 : 0;
    }

    static string Kind(UnitKind kind) => kind switch
    {
        UnitKind.Markdown => "markdown",
        UnitKind.LineComment or UnitKind.BlockComment => "comment",
        _ => "string",
    };

    static string Excerpt(string text)
    {
        var line = text.Replace("\n", "\\n");
        return line.Length <= 100 ? line : line[..97] + "...";
    }
}

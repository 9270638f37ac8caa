using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Translation;

/// <summary>One English lesson and its edition: the translation file (if any), the lesson built from it, how the
/// translation stands, and whether the file on disk already holds exactly that lesson.</summary>
public sealed record GeneratedLesson(string Name, string TranslationPath, string TargetPath, NotebookDocument? Lesson,
    LessonTranslationReport? Report, bool UpToDate, string? Error)
{
    public bool HasTranslation => File.Exists(TranslationPath);
}

/// <summary>Builds every lesson of an edition that has a translation file, in memory.</summary>
public static class EditionGenerator
{
    /// <summary>The English lessons of <paramref name="englishFolder"/> (its top-level .ipynb files, in name order).</summary>
    public static IReadOnlyList<string> EnglishLessons(string englishFolder) =>
        Directory.GetFiles(englishFolder, "*.ipynb")
            .Where(p => !Path.GetFileName(p).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<GeneratedLesson> Generate(string englishFolder, Edition edition)
    {
        var subfolders = EditionBuilder.Subfolders(englishFolder);
        var results = new List<GeneratedLesson>();
        foreach (var path in EnglishLessons(englishFolder))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var translationPath = Path.Combine(edition.TranslationsFolder(englishFolder), TranslationFile.FileName(name, edition.Language));
            var targetPath = Path.Combine(edition.LessonsFolder(englishFolder), name + ".ipynb");
            if (!File.Exists(translationPath))
            {
                results.Add(new GeneratedLesson(name, translationPath, targetPath, null, null, !File.Exists(targetPath), null));
                continue;
            }
            try
            {
                var translation = TranslationFile.Load(translationPath, edition.Language);
                if (translation.Lesson != name)
                    throw new InvalidDataException($"{translationPath}: \"lesson\" is \"{translation.Lesson}\", not \"{name}\"");
                var (lesson, report) = EditionBuilder.Build(NotebookDocument.Load(path), translation, edition, subfolders, targetPath);
                var upToDate = File.Exists(targetPath) && File.ReadAllText(targetPath) == lesson.ToJson();
                results.Add(new GeneratedLesson(name, translationPath, targetPath, lesson, report, upToDate, null));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException)
            {
                results.Add(new GeneratedLesson(name, translationPath, targetPath, null, null, false, e.Message));
            }
        }
        return results;
    }

    /// <summary>Translation files that name no English lesson, and edition lessons with no translation file.</summary>
    public static IReadOnlyList<string> Orphans(string englishFolder, Edition edition)
    {
        var lessons = EnglishLessons(englishFolder).Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<string>();
        var translations = edition.TranslationsFolder(englishFolder);
        if (Directory.Exists(translations))
        {
            var suffix = $".{edition.Language}.json";
            foreach (var file in Directory.GetFiles(translations, "*" + suffix).Order(StringComparer.Ordinal))
                if (!lessons.Contains(Path.GetFileName(file)[..^suffix.Length])) orphans.Add(file);
        }
        var folder = edition.LessonsFolder(englishFolder);
        if (Directory.Exists(folder))
            foreach (var file in Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (!File.Exists(Path.Combine(translations, TranslationFile.FileName(name, edition.Language)))) orphans.Add(file);
            }
        return orphans;
    }
}

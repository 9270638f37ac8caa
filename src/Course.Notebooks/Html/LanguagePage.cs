using System.Text.RegularExpressions;
using Course.Notebooks.Translation;

namespace Course.Notebooks.Html;

/// <summary>
/// The course page in each language: the English page links the Japanese one (artifacts/ja/course.html, made by
/// <c>./run-course.sh --lang ja</c>) and back; the Japanese page carries the glossary after the lessons, and its
/// lessons' links to the glossary, to each other and to their English originals lead to the right sections.
/// </summary>
public static partial class LanguagePage
{
    public static CoursePageOptions Options(string language, string notebooksDirectory, CoursePageOptions page)
    {
        if (language == "en")
        {
            var japanese = Edition.Japanese.LessonsFolder(notebooksDirectory);
            var hasJapanese = Directory.Exists(japanese) && Directory.GetFiles(japanese, "*.ipynb").Length > 0;
            return With(page, "en", hasJapanese ? ($"{Edition.Japanese.Folder}/course.html", "日本語版 (Japanese)") : null, null, null);
        }
        var edition = Edition.For(language);
        var glossaryPath = Path.Combine(notebooksDirectory, edition.Glossary);
        var glossary = File.Exists(glossaryPath) ? (edition.Glossary, File.ReadAllText(glossaryPath)) : ((string, string)?)null;
        return With(page, language, ("../course.html", "English"), glossary, url => LinkTarget(url, edition));
    }

    /// <summary>Where a link of a lesson of <paramref name="edition"/> leads on its page, or null to keep it.</summary>
    public static string? LinkTarget(string url, Edition edition)
    {
        var path = Uri.UnescapeDataString(url);
        if (path == edition.Glossary) return "#" + CoursePage.GlossaryId;
        if (path.StartsWith(edition.Glossary + "#", StringComparison.Ordinal)) return "#" + CoursePage.GlossaryId;
        var lesson = LessonLink().Match(path);
        if (!lesson.Success) return null;
        var section = "#" + CoursePage.SectionId(lesson.Groups["name"].Value);
        return lesson.Groups["up"].Success ? "../course.html" + section : section;
    }

    [GeneratedRegex(@"^(?<up>\.\./)?(?<name>\d\d-[A-Za-z0-9-]+)\.ipynb$")]
    private static partial Regex LessonLink();

    static CoursePageOptions With(CoursePageOptions page, string language, (string, string)? other, (string, string)? glossary,
        Func<string, string?>? linkTarget) => new()
    {
        Title = page.Title,
        Subtitle = page.Subtitle,
        KatexBase = page.KatexBase,
        PlotlyScript = page.PlotlyScript,
        Language = language,
        OtherLanguage = other,
        Glossary = glossary,
        LinkTarget = linkTarget,
    };
}

namespace Course.Notebooks.Translation;

/// <summary>
/// A language edition of the course: its lessons live in <c>notebooks/&lt;Folder&gt;/</c>, generated from the English
/// lessons and <c>notebooks/&lt;Folder&gt;/translations/&lt;lesson&gt;.&lt;Language&gt;.json</c>, next to a glossary page
/// that every lesson links to.
/// </summary>
/// <param name="Language">the language code of the translation files' key ("ja").</param>
/// <param name="Folder">the edition's folder under the English lessons' folder.</param>
/// <param name="Glossary">the glossary page's file name in that folder.</param>
/// <param name="LinkLine">the line the generator adds to each lesson's first markdown cell, given the English
/// lesson's file name: the glossary and the English original.</param>
/// <param name="Title">the course page's title in this language.</param>
public sealed record Edition(string Language, string Folder, string Glossary, Func<string, string> LinkLine, string Title)
{
    public static readonly Edition Japanese = new(
        "ja", "ja", "用語集.md",
        englishFile => $"> この講座の用語と英語の対応は[用語集](用語集.md)にまとめてあります。英語の原文: [{englishFile}](../{Uri.EscapeDataString(englishFile)})",
        "C# で学ぶ拡散モデル");

    public static IReadOnlyList<Edition> All { get; } = [Japanese];

    /// <summary>The edition of <paramref name="language"/>; an <see cref="ArgumentException"/> names the ones there are.</summary>
    public static Edition For(string language) =>
        All.FirstOrDefault(e => e.Language == language)
        ?? throw new ArgumentException($"no edition in language '{language}' (there is: {string.Join(", ", All.Select(e => e.Language))})");

    public string TranslationsFolder(string englishFolder) => Path.Combine(englishFolder, Folder, "translations");

    public string LessonsFolder(string englishFolder) => Path.Combine(englishFolder, Folder);
}

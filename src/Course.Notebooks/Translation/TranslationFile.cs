using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Notebooks.Translation;

/// <summary>One unit of a translation file: the English text as it stood when it was translated, and its
/// translation. <see cref="PreviousEnglish"/> and <see cref="PreviousTranslation"/> are hints that
/// <c>translate --skeleton</c> writes next to a unit whose English changed (the old text and its old translation);
/// nothing else reads them.</summary>
public sealed record TranslationEntry(string English, string Translation, string? PreviousEnglish = null, string? PreviousTranslation = null);

/// <summary>
/// <c>notebooks/&lt;lang&gt;/translations/&lt;lesson&gt;.&lt;lang&gt;.json</c>:
/// <c>{"lesson": "01-gaussian-noise", "units": [{"en": "...", "ja": "..."}, ...]}</c>. The English text is the key:
/// a unit whose English changed no longer finds its entry (the lesson's text is stale there) and the entry no longer
/// finds its English (it is obsolete). Fields other than these are ignored.
/// </summary>
public sealed class TranslationFile
{
    public TranslationFile(string lesson, string language, IReadOnlyList<TranslationEntry> entries)
    {
        Lesson = lesson;
        Language = language;
        Entries = entries;
    }

    public string Lesson { get; }

    public string Language { get; }

    public IReadOnlyList<TranslationEntry> Entries { get; }

    public static string FileName(string lesson, string language) => $"{lesson}.{language}.json";

    /// <summary>Reads a translation file; a malformed one is an <see cref="InvalidDataException"/> naming the file
    /// and what is wrong.</summary>
    public static TranslationFile Load(string path, string language)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        if (node is not JsonObject root) throw new InvalidDataException($"{path}: a translation file is a JSON object");
        var lesson = (root["lesson"] as JsonValue)?.TryGetValue<string>(out var l) == true ? l
            : throw new InvalidDataException($"{path}: \"lesson\" (the lesson's file name without .ipynb) is missing");
        if (root["units"] is not JsonArray units) throw new InvalidDataException($"{path}: \"units\" (an array) is missing");
        var entries = new List<TranslationEntry>();
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i] is not JsonObject unit) throw new InvalidDataException($"{path}: units[{i}] is not an object");
            string? Text(string key) => unit[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var english = Text("en") ?? throw new InvalidDataException($"{path}: units[{i}] has no \"en\" text");
            var translation = Text(language) ?? (unit[language] is null ? "" : throw new InvalidDataException($"{path}: units[{i}].{language} is not a string"));
            entries.Add(new TranslationEntry(english, translation, Text("previous_en"), Text("previous_" + language)));
        }
        return new TranslationFile(lesson, language, entries);
    }

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson()
    {
        var units = new JsonArray();
        foreach (var e in Entries)
        {
            var unit = new JsonObject { ["en"] = e.English, [Language] = e.Translation };
            if (e.PreviousEnglish is not null) unit["previous_en"] = e.PreviousEnglish;
            if (e.PreviousTranslation is not null) unit["previous_" + Language] = e.PreviousTranslation;
            units.Add(unit);
        }
        return new JsonObject { ["lesson"] = Lesson, ["units"] = units }.ToJsonString(WriteOptions) + "\n";
    }
}

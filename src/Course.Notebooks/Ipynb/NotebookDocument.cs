using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Notebooks.Ipynb;

/// <summary>
/// An .ipynb file (nbformat 4) held as JSON, so that everything the engine does not touch (notebook
/// and cell metadata, attachments, ids) is written back unchanged.
/// </summary>
public sealed class NotebookDocument
{
    private NotebookDocument(string path, JsonObject root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    public JsonObject Root { get; }

    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    public JsonArray Cells => Root["cells"] as JsonArray ?? throw new InvalidDataException($"{Path}: no 'cells' array");

    public static NotebookDocument Load(string path)
    {
        var text = File.ReadAllText(path);
        var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true })
                   ?? throw new InvalidDataException($"{path}: empty notebook");
        if (node is not JsonObject root) throw new InvalidDataException($"{path}: a notebook is a JSON object");
        var major = root["nbformat"]?.GetValue<int>();
        if (major != 4) throw new InvalidDataException($"{path}: nbformat {major?.ToString() ?? "?"} is not supported (need 4)");
        return new NotebookDocument(System.IO.Path.GetFullPath(path), root);
    }

    public static NotebookDocument FromJson(string path, JsonObject root) => new(path, root);

    /// <summary>A cell's source as one string (nbformat allows a string or a list of lines).</summary>
    public static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public static string CellType(JsonObject cell) => cell["cell_type"]?.GetValue<string>() ?? "";

    /// <summary>The cell's language in Polyglot Notebooks metadata (null when not stated).</summary>
    public static string? CellLanguage(JsonObject cell)
    {
        var metadata = cell["metadata"] as JsonObject;
        return (metadata?["dotnet_interactive"] as JsonObject)?["language"]?.GetValue<string>()
               ?? (metadata?["polyglot_notebook"] as JsonObject)?["kernelName"]?.GetValue<string>();
    }

    /// <summary>Splits text into Jupyter's list-of-lines form (each line keeps its "\n").</summary>
    public static JsonArray Lines(string text)
    {
        var array = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            array.Add(JsonValue.Create(text[start..(i + 1)]));
            start = i + 1;
        }
        if (start < text.Length) array.Add(JsonValue.Create(text[start..]));
        return array;
    }

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => Root.ToJsonString(WriteOptions) + "\n";

    /// <summary>Writes the notebook atomically (temp file, then rename).</summary>
    public void Save(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }
}

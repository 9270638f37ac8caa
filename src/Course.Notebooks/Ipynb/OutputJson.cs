using System.Text.Json.Nodes;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Ipynb;

/// <summary>Kernel outputs in nbformat 4's JSON shapes.</summary>
public static class OutputJson
{
    public static JsonObject ToJson(CellOutput output, int executionCount) => output switch
    {
        StreamOutput s => new JsonObject
        {
            ["output_type"] = "stream",
            ["name"] = s.Name,
            ["text"] = NotebookDocument.Lines(s.Text),
        },
        DisplayOutput { IsResult: true } d => new JsonObject
        {
            ["output_type"] = "execute_result",
            ["execution_count"] = executionCount,
            ["data"] = Data(d.Value),
            ["metadata"] = new JsonObject(),
        },
        // The display_id is transient (kernel messages only): the file holds the final value.
        DisplayOutput d => new JsonObject
        {
            ["output_type"] = "display_data",
            ["data"] = Data(d.Value),
            ["metadata"] = new JsonObject(),
        },
        ErrorOutput e => new JsonObject
        {
            ["output_type"] = "error",
            ["ename"] = e.EName,
            ["evalue"] = e.EValue,
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(output), output.GetType().Name),
    };

    public static JsonObject Data(FormattedValue value)
    {
        var data = new JsonObject();
        foreach (var (mime, text) in value.Data)
        {
            if (data.ContainsKey(mime)) continue;
            JsonNode? node;
            if (FormattedValue.IsJsonMimeType(mime))
            {
                try { node = JsonNode.Parse(text); }
                catch (System.Text.Json.JsonException) { node = JsonValue.Create(text); }
                if (node is not JsonObject) node = new JsonObject { ["value"] = node };
            }
            else if (mime.StartsWith("text/", StringComparison.Ordinal) || mime == "image/svg+xml")
            {
                node = NotebookDocument.Lines(text);
            }
            else
            {
                node = JsonValue.Create(text);
            }
            data[mime] = node;
        }
        return data;
    }
}

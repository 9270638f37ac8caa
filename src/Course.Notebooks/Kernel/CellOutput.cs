using System.Text;

namespace Course.Notebooks.Kernel;

/// <summary>One output of a cell, in the shape of Jupyter's output types (nbformat 4).</summary>
public abstract class CellOutput
{
}

/// <summary>Text written to Console.Out ("stdout") or Console.Error ("stderr") while a cell ran.
/// Consecutive writes to the same stream are merged into one output, as Jupyter front ends do.</summary>
public sealed class StreamOutput : CellOutput
{
    private readonly StringBuilder _text = new();

    public StreamOutput(string name) => Name = name;

    public string Name { get; }

    public string Text
    {
        get { lock (_text) return _text.ToString(); }
    }

    internal void Append(string text)
    {
        lock (_text) _text.Append(text);
    }
}

/// <summary>A formatted value: data keyed by MIME type (text/plain, text/html, image/png as base64, ...).
/// <see cref="IsResult"/> marks the value of a cell's trailing expression (Jupyter's execute_result);
/// otherwise it is a display_data made by <c>display(x)</c>. <see cref="DisplayId"/> identifies it
/// for in-place updates (Jupyter's update_display_data).</summary>
public sealed class DisplayOutput : CellOutput
{
    private volatile FormattedValue _value;

    public DisplayOutput(FormattedValue value, string? displayId, bool isResult)
    {
        _value = value;
        DisplayId = displayId;
        IsResult = isResult;
    }

    public string? DisplayId { get; }

    public bool IsResult { get; }

    /// <summary>The latest value (an update replaces it in place).</summary>
    public FormattedValue Value => _value;

    internal void Replace(FormattedValue value) => _value = value;
}

/// <summary>A compile or runtime error in a cell (Jupyter's error output).</summary>
public sealed class ErrorOutput : CellOutput
{
    public ErrorOutput(string ename, string evalue, IReadOnlyList<string> traceback)
    {
        EName = ename;
        EValue = evalue;
        Traceback = traceback;
    }

    public string EName { get; }

    public string EValue { get; }

    public IReadOnlyList<string> Traceback { get; }
}

/// <summary>A value rendered for display, one entry per MIME type, in order of preference.
/// JSON MIME types (application/json, */*+json) hold JSON text.</summary>
public sealed class FormattedValue
{
    public FormattedValue(IReadOnlyList<KeyValuePair<string, string>> data) => Data = data;

    public IReadOnlyList<KeyValuePair<string, string>> Data { get; }

    public string? this[string mimeType] =>
        Data.FirstOrDefault(kv => kv.Key == mimeType) is { Key: not null } kv ? kv.Value : null;

    public bool Has(string mimeType) => Data.Any(kv => kv.Key == mimeType);

    public static bool IsJsonMimeType(string mimeType) =>
        mimeType == "application/json" || mimeType.EndsWith("+json", StringComparison.Ordinal);
}

/// <summary>What one cell did.</summary>
public sealed class CellExecutionResult
{
    internal CellExecutionResult(int executionCount, IReadOnlyList<CellOutput> outputs, ErrorOutput? error,
        string? failure, object? returnValue, TimeSpan elapsed)
    {
        Failure = failure;
        ExecutionCount = executionCount;
        Outputs = outputs;
        Error = error;
        ReturnValue = returnValue;
        Elapsed = elapsed;
    }

    public int ExecutionCount { get; }

    /// <summary>The cell's outputs in order. Display outputs may still change if a later cell updates them.</summary>
    public IReadOnlyList<CellOutput> Outputs { get; }

    /// <summary>The error output as the kernel's Jupyter front end shows it, or null.</summary>
    public ErrorOutput? Error { get; }

    /// <summary>What went wrong, in one line for a report: "CompilationError: (3,5): error CS0103: ..."
    /// or "InvalidOperationException: message".</summary>
    public string? Failure { get; }

    public bool Succeeded => Error is null;

    /// <summary>The trailing expression's value, or null.</summary>
    public object? ReturnValue { get; }

    public TimeSpan Elapsed { get; }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Ipynb;

/// <summary>How a notebook is run.</summary>
public sealed class NotebookRunOptions
{
    /// <summary>Stop at the first cell that fails (the default), or run the remaining cells anyway.</summary>
    public bool ContinueOnError { get; init; }

    /// <summary>Time allowed for the whole notebook; null for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Environment variables set while the notebook runs (and restored after). The rest of
    /// the process's environment passes through unchanged.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Run with the notebook's folder as the current directory, as Polyglot Notebooks does.</summary>
    public bool UseNotebookDirectory { get; init; } = true;

    /// <summary>Called after each code cell.</summary>
    public Action<CellProgress>? Progress { get; init; }

    /// <summary>Cancelled when the run should end after the cell that is running (the runner's Ctrl-C;
    /// the course library itself stops the operation that cell is in).</summary>
    public CancellationToken StopAfterCell { get; init; }
}

/// <summary>Progress of one notebook: code cell <see cref="CodeCellNumber"/> of <see cref="CodeCellCount"/> is done.</summary>
public sealed record CellProgress(string Notebook, int CodeCellNumber, int CodeCellCount, bool Succeeded, TimeSpan CellElapsed, TimeSpan NotebookElapsed);

/// <summary>A cell that failed: its number among code cells (1-based) and its index among all cells (0-based).</summary>
public sealed record CellFailure(int CodeCellNumber, int CellIndex, string Message)
{
    public override string ToString() => $"cell {CodeCellNumber} (index {CellIndex} in the notebook): {Message}";
}

/// <summary>What running a notebook produced: the executed copy and any failures.</summary>
public sealed class NotebookRunResult
{
    internal NotebookRunResult(NotebookDocument source, NotebookDocument executed, IReadOnlyList<CellFailure> failures,
        int codeCells, int cellsRun, bool timedOut, TimeSpan elapsed)
    {
        Source = source;
        Executed = executed;
        Failures = failures;
        CodeCells = codeCells;
        CellsRun = cellsRun;
        TimedOut = timedOut;
        Elapsed = elapsed;
    }

    public NotebookDocument Source { get; }

    public NotebookDocument Executed { get; }

    public IReadOnlyList<CellFailure> Failures { get; }

    public int CodeCells { get; }

    public int CellsRun { get; }

    public bool TimedOut { get; }

    public TimeSpan Elapsed { get; }

    public bool Succeeded => Failures.Count == 0;
}

/// <summary>Runs the C# cells of a notebook in a fresh <see cref="NotebookKernel"/> (the real .NET Interactive
/// C# kernel) and builds the executed copy.</summary>
public static class NotebookRunner
{
    private static readonly HashSet<string> CSharp = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#", "cs", "C#" };

    public static async Task<NotebookRunResult> RunAsync(NotebookDocument notebook, NotebookRunOptions? options = null)
    {
        options ??= new NotebookRunOptions();
        var stopwatch = Stopwatch.StartNew();
        var executedRoot = (JsonObject)notebook.Root.DeepClone();
        var executed = NotebookDocument.FromJson(notebook.Path, executedRoot);
        var cells = executed.Cells.OfType<JsonObject>().ToList();
        var codeCells = cells.Where(c => NotebookDocument.CellType(c) == "code").ToList();
        foreach (var cell in codeCells)
        {
            cell["execution_count"] = null;
            cell["outputs"] = new JsonArray();
        }

        var directory = Path.GetDirectoryName(notebook.Path)!;
        var failures = new List<CellFailure>();
        var savedEnvironment = options.Environment.ToDictionary(kv => kv.Key, kv => Environment.GetEnvironmentVariable(kv.Key));
        var savedDirectory = Environment.CurrentDirectory;
        var timedOut = false;
        var cellsRun = 0;
        using var deadline = options.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();

        // Outputs are written as they come, so a cell that times out keeps what it showed.
        var live = new Dictionary<CellOutput, JsonObject>();
        JsonArray? currentOutputs = null;
        var currentCount = 0;
        var gate = new object();

        try
        {
            foreach (var (name, value) in options.Environment) Environment.SetEnvironmentVariable(name, value);
            if (options.UseNotebookDirectory) Environment.CurrentDirectory = directory;
            using var kernel = new NotebookKernel();
            kernel.OutputAdded += output =>
            {
                lock (gate)
                {
                    if (currentOutputs is null) return;
                    var json = OutputJson.ToJson(output, currentCount);
                    live[output] = json;
                    currentOutputs.Add(json);
                }
            };

            for (var number = 1; number <= codeCells.Count; number++)
            {
                var cell = codeCells[number - 1];
                var index = cells.IndexOf(cell);
                var cellWatch = Stopwatch.StartNew();
                var language = NotebookDocument.CellLanguage(cell);
                var outputs = (JsonArray)cell["outputs"]!;
                string? failure;
                lock (gate)
                {
                    currentOutputs = outputs;
                    currentCount = kernel.ExecutionCount + 1;
                }
                cell["execution_count"] = currentCount;
                if (language is not null && !CSharp.Contains(language))
                {
                    failure = $"UnsupportedLanguage: cell language '{language}' is not supported; the course's lessons are C#";
                    outputs.Add(OutputJson.ToJson(new ErrorOutput("Error", failure, []), currentCount));
                }
                else
                {
                    // On a pool thread, so that the deadline fires even while a cell runs synchronously.
                    var source = NotebookDocument.Source(cell);
                    var task = Task.Run(() => kernel.ExecuteCellAsync(source, deadline.Token));
                    try
                    {
                        var result = await task.WaitAsync(deadline.Token).ConfigureAwait(false);
                        failure = result.Failure;
                        cell["execution_count"] = result.ExecutionCount;
                    }
                    catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                    {
                        timedOut = true;
                        failure = $"TimeoutError: the notebook ran past its time limit of {options.Timeout!.Value.TotalSeconds:0.#} s during this cell";
                        lock (gate) outputs.Add(OutputJson.ToJson(new ErrorOutput("Error", failure, []), currentCount));
                    }
                }
                cellsRun++;
                lock (gate) currentOutputs = null;
                if (failure is not null)
                    failures.Add(new CellFailure(number, index, failure));
                options.Progress?.Invoke(new CellProgress(notebook.Name, number, codeCells.Count, failure is null, cellWatch.Elapsed, stopwatch.Elapsed));
                if (timedOut || (failure is not null && !options.ContinueOnError)) break;
                if (options.StopAfterCell.IsCancellationRequested) break;
            }
        }
        finally
        {
            foreach (var (name, value) in savedEnvironment) Environment.SetEnvironmentVariable(name, value);
            if (options.UseNotebookDirectory) Environment.CurrentDirectory = savedDirectory;
        }

        // Displays may have been updated after they were first written (also from later cells): write final values.
        lock (gate)
        {
            foreach (var (output, json) in live)
                if (output is DisplayOutput or StreamOutput)
                    ReplaceContent(json, OutputJson.ToJson(output, json["execution_count"]?.GetValue<int>() ?? 0));
        }
        return new NotebookRunResult(notebook, executed, failures, codeCells.Count, cellsRun, timedOut, stopwatch.Elapsed);
    }

    public static Task<NotebookRunResult> RunAsync(string path, NotebookRunOptions? options = null) =>
        RunAsync(NotebookDocument.Load(path), options);

    private static void ReplaceContent(JsonObject target, JsonObject source)
    {
        foreach (var key in target.Select(kv => kv.Key).ToList()) target.Remove(key);
        foreach (var key in source.Select(kv => kv.Key).ToList())
        {
            var value = source[key];
            source.Remove(key);
            target[key] = value;
        }
    }
}

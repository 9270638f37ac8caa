using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using InteractiveValue = Microsoft.DotNet.Interactive.Formatting.FormattedValue;

namespace Course.Notebooks.Kernel;

/// <summary>
/// One notebook session in the real .NET Interactive C# kernel (<see cref="InteractiveKernelFactory"/>),
/// in this process. Cells run in order in one shared state; the kernel's events become the outputs a
/// Jupyter front end of the same kernel shows (the mapping follows the tool's own Jupyter handler:
/// console text and diagnostics as streams, displays with their ids, the trailing value as the
/// result, a failure as an error output). Knows nothing of .ipynb files.
/// </summary>
public sealed class NotebookKernel : IDisposable
{
    private readonly CompositeKernel _kernel;
    private readonly IDisposable _subscription;
    private readonly object _outputGate = new();
    private readonly Dictionary<string, DisplayOutput> _displays = new();
    private readonly SemaphoreSlim _oneCellAtATime = new(1, 1);
    private List<CellOutput>? _currentOutputs;
    private List<string>? _currentDiagnostics;

    public NotebookKernel()
    {
        _kernel = InteractiveKernelFactory.Create();
        _subscription = _kernel.KernelEvents.Subscribe(new KernelEventObserver(OnKernelEvent));
    }

    /// <summary>The kernel itself, for a host that wants to send it other commands.</summary>
    public CompositeKernel Kernel => _kernel;

    /// <summary>How many cells have been executed (Jupyter's execution_count of the last one).</summary>
    public int ExecutionCount { get; private set; }

    /// <summary>A new output was added to the running cell (stream outputs: once, when the stream starts).</summary>
    public event Action<CellOutput>? OutputAdded;

    /// <summary>Text was written to stdout or stderr by the running cell: (stream name, text).</summary>
    public event Action<string, string>? StreamWritten;

    /// <summary>A displayed value was replaced (possibly one shown by an earlier cell).</summary>
    public event Action<DisplayOutput>? DisplayUpdated;

    /// <summary>Runs one C# cell and returns its outputs. Failures do not throw: they come back as
    /// <see cref="CellExecutionResult.Error"/> (also the last output). The current directory is the
    /// base of relative `#r` paths, as in the kernel itself.</summary>
    public async Task<CellExecutionResult> ExecuteCellAsync(string code, CancellationToken cancellationToken = default)
    {
        await _oneCellAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        var count = ++ExecutionCount;
        var outputs = new List<CellOutput>();
        var diagnostics = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        ErrorOutput? error = null;
        string? failure = null;
        object? returnValue = null;
        lock (_outputGate)
        {
            _currentOutputs = outputs;
            _currentDiagnostics = diagnostics;
        }
        try
        {
            var result = await _kernel.SendAsync(new SubmitCode(code, InteractiveKernelFactory.CSharpKernelName), cancellationToken).ConfigureAwait(false);
            returnValue = result.Events.OfType<ReturnValueProduced>().LastOrDefault()?.Value;
            if (result.Events.OfType<CommandFailed>().LastOrDefault() is { } failed)
            {
                (error, failure) = ErrorFrom(failed, diagnostics);
                AddOutput(error);
            }
        }
        finally
        {
            lock (_outputGate)
            {
                _currentOutputs = null;
                _currentDiagnostics = null;
            }
            _oneCellAtATime.Release();
        }
        return new CellExecutionResult(count, outputs.ToArray(), error, failure, returnValue, stopwatch.Elapsed);
    }

    /// <summary>The error output the tool's Jupyter handler sends for a failed submission (ename
    /// "Error"; a compile error's value is "compilation error", its diagnostics went to stderr), and a
    /// one-line description for the runner's report.</summary>
    private static (ErrorOutput Output, string Failure) ErrorFrom(CommandFailed failed, IReadOnlyList<string> diagnostics)
    {
        if (failed.Exception is CodeSubmissionCompilationErrorException)
        {
            var description = diagnostics.Count > 0 ? string.Join("\n", diagnostics) : failed.Message;
            return (new ErrorOutput("Error", "compilation error", []), "CompilationError: " + description);
        }
        if (failed.Exception is { } exception)
        {
            var traceback = new List<string> { exception.ToString() };
            traceback.AddRange((exception.StackTrace ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
            return (new ErrorOutput("Error", failed.Message, traceback), $"{exception.GetType().Name}: {exception.Message}");
        }
        return (new ErrorOutput("Error", failed.Message, [failed.Message]), failed.Message);
    }

    private void OnKernelEvent(KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced o:
                WriteStream("stdout", PlainText(o.FormattedValues, o.Value));
                break;
            case StandardErrorValueProduced o:
                WriteStream("stderr", PlainText(o.FormattedValues, o.Value));
                break;
            case ErrorProduced o:
                WriteStream("stderr", PlainText(o.FormattedValues, o.Message));
                break;
            case DiagnosticsProduced d when d.FormattedDiagnostics.Count > 0:
                lock (_outputGate)
                    _currentDiagnostics?.AddRange(d.Diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error).Select(x => x.ToString()));
                WriteStream("stderr", Environment.NewLine + string.Join(Environment.NewLine + Environment.NewLine, d.FormattedDiagnostics.Select(v => v.Value)) + Environment.NewLine + Environment.NewLine);
                break;
            case DisplayedValueUpdated u:
                DisplayOutput? shown;
                lock (_outputGate) _displays.TryGetValue(u.ValueId ?? "", out shown);
                if (shown is null) break;
                shown.Replace(Convert(u.FormattedValues));
                DisplayUpdated?.Invoke(shown);
                break;
            case DisplayedValueProduced p:
                AddDisplay(new DisplayOutput(Convert(p.FormattedValues), p.ValueId, isResult: false));
                break;
            case ReturnValueProduced r when r.Value is not DisplayedValue:
                AddDisplay(new DisplayOutput(Convert(r.FormattedValues), r.ValueId, isResult: true));
                break;
        }
    }

    private static string PlainText(IReadOnlyCollection<InteractiveValue> values, object? fallback) =>
        values.FirstOrDefault(v => v.MimeType == "text/plain")?.Value ?? fallback?.ToString() ?? "";

    private static FormattedValue Convert(IReadOnlyCollection<InteractiveValue> values) =>
        new(values.Select(v => new KeyValuePair<string, string>(v.MimeType, v.Value)).ToList());

    private void AddDisplay(DisplayOutput output)
    {
        if (output.DisplayId is { } id)
            lock (_outputGate) _displays[id] = output;
        AddOutput(output);
    }

    private void AddOutput(CellOutput output)
    {
        lock (_outputGate)
        {
            if (_currentOutputs is null) return; // shown after its cell finished (a stray task): nowhere to show it
            _currentOutputs.Add(output);
        }
        OutputAdded?.Invoke(output);
    }

    private void WriteStream(string name, string text)
    {
        StreamOutput? started = null;
        lock (_outputGate)
        {
            if (_currentOutputs is null) return;
            if (_currentOutputs.LastOrDefault() is StreamOutput last && last.Name == name)
            {
                last.Append(text);
            }
            else
            {
                started = new StreamOutput(name);
                started.Append(text);
                _currentOutputs.Add(started);
            }
        }
        if (started is not null) OutputAdded?.Invoke(started);
        StreamWritten?.Invoke(name, text);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _kernel.Dispose();
        _oneCellAtATime.Dispose();
    }
}

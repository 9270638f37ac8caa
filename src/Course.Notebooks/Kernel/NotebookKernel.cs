using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace Course.Notebooks.Kernel;

/// <summary>Settings of one kernel session.</summary>
public sealed class KernelOptions
{
    /// <summary>The folder that relative #r and #load paths start from (the notebook's folder).</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Namespaces imported before the first cell (those of the .NET Interactive C# kernel).</summary>
    public IReadOnlyList<string> Usings { get; init; } =
        ["System", "System.IO", "System.Text", "System.Collections", "System.Collections.Generic", "System.Linq", "System.Threading.Tasks"];

    /// <summary>Compile cells optimised (Release), so loops in notebooks run at library speed.</summary>
    public bool Optimize { get; init; } = true;
}

/// <summary>
/// One C# session: cells run in order in one shared state (variables, usings, types and references
/// carry over), in the dialect of the .NET Interactive C# kernel. Knows nothing of .ipynb files, so a
/// Jupyter kernel front end could drive it too: call <see cref="ExecuteCellAsync"/> per
/// execute_request and forward the events as iopub messages.
/// </summary>
public sealed class NotebookKernel : IDisposable
{
    private readonly KernelOptions _options;
    private readonly KernelGlobals _globals;
    private readonly object _outputGate = new();
    private ScriptOptions _scriptOptions;
    private ScriptState<object?>? _state;
    private List<CellOutput>? _currentOutputs;
    private readonly SemaphoreSlim _oneCellAtATime = new(1, 1);

    public NotebookKernel(KernelOptions? options = null)
    {
        _options = options ?? new KernelOptions();
        _globals = new KernelGlobals(this);
        ConsoleRouter.Install();
        _scriptOptions = ScriptOptions.Default
            .WithReferences(AssemblyReferences.FrameworkReferences)
            .AddReferences(AssemblyReferences.Metadata(typeof(KernelGlobals).Assembly.Location))
            .WithImports(_options.Usings)
            .WithMetadataResolver(new KernelMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(_options.BaseDirectory)))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(_options.BaseDirectory))
            .WithOptimizationLevel(_options.Optimize ? OptimizationLevel.Release : OptimizationLevel.Debug)
            .WithAllowUnsafe(true)
            .WithLanguageVersion(LanguageVersion.Preview)
            .WithEmitDebugInformation(false);
    }

    public string BaseDirectory => _options.BaseDirectory;

    /// <summary>How many cells have been executed (Jupyter's execution_count of the last one).</summary>
    public int ExecutionCount { get; private set; }

    /// <summary>A new output was added to the running cell (stream outputs: once, when the stream starts).</summary>
    public event Action<CellOutput>? OutputAdded;

    /// <summary>Text was written to stdout or stderr by the running cell: (stream name, text).</summary>
    public event Action<string, string>? StreamWritten;

    /// <summary>A displayed value was replaced (possibly one shown by an earlier cell).</summary>
    public event Action<DisplayOutput>? DisplayUpdated;

    /// <summary>Makes an assembly the host has loaded usable from cells, as if it had been #r'd.</summary>
    public void AddReference(Assembly assembly)
    {
        AssemblyReferences.Register(assembly);
        _scriptOptions = _scriptOptions.AddReferences(AssemblyReferences.Metadata(assembly.Location));
    }

    /// <summary>Runs one cell and returns its outputs. Compile and runtime errors do not throw: they
    /// come back as <see cref="CellExecutionResult.Error"/> (also the last output). Cancellation
    /// stops the cell between statements that Roslyn checks; a cell stuck in a loop keeps its thread.</summary>
    public async Task<CellExecutionResult> ExecuteCellAsync(string code, CancellationToken cancellationToken = default)
    {
        await _oneCellAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExecuteCoreAsync(code, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneCellAtATime.Release();
        }
    }

    private async Task<CellExecutionResult> ExecuteCoreAsync(string code, CancellationToken cancellationToken)
    {
        var count = ++ExecutionCount;
        var outputs = new List<CellOutput>();
        var stopwatch = Stopwatch.StartNew();
        ErrorOutput? error = null;
        object? returnValue = null;
        lock (_outputGate) _currentOutputs = outputs;
        try
        {
            using (ConsoleRouter.Capture(WriteStream))
            {
                var directives = CellDirectives.Parse(code, _options.BaseDirectory);
                if (directives.Errors.Count > 0)
                {
                    error = new ErrorOutput("DirectiveError", string.Join("\n", directives.Errors), directives.Errors.ToArray());
                }
                else
                {
                    foreach (var path in directives.References)
                    {
                        AssemblyReferences.Load(path);
                        _scriptOptions = _scriptOptions.AddReferences(AssemblyReferences.Metadata(path));
                    }
                    (returnValue, error) = await RunAsync(directives.Code, cancellationToken).ConfigureAwait(false);
                    if (error is null && directives.Time)
                        Console.Out.WriteLine($"Wall time: {stopwatch.Elapsed.TotalMilliseconds:0.###}ms");
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = ErrorFrom(e);
        }
        if (error is not null) AddOutput(error);
        lock (_outputGate) _currentOutputs = null;
        return new CellExecutionResult(count, outputs.ToArray(), error, returnValue, stopwatch.Elapsed);
    }

    private async Task<(object? Value, ErrorOutput? Error)> RunAsync(string code, CancellationToken cancellationToken)
    {
        ScriptState<object?> state;
        try
        {
            state = _state is null
                ? await CSharpScript.Create<object?>(code, _scriptOptions, typeof(KernelGlobals)).RunAsync(_globals, _ => true, cancellationToken).ConfigureAwait(false)
                : await _state.ContinueWithAsync<object?>(code, _scriptOptions, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(FormatDiagnostic).ToArray();
            return (null, new ErrorOutput("CompilationError", string.Join("\n", errors), errors));
        }
        // A runtime exception still yields a state: what the cell defined before it threw stays defined.
        _state = state;
        if (state.Exception is { } exception) return (null, ErrorFrom(exception));
        var value = state.ReturnValue;
        if (value is not DisplayedValue && (value is not null || HasTrailingValueExpression(state.Script)))
            AddOutput(new DisplayOutput(DisplayFormatter.Format(value), displayId: null, isResult: true));
        return (value, null);
    }

    /// <summary>True when the cell ends with a non-void expression without a semicolon (whose value
    /// may be null): then, as in .NET Interactive, the value is shown even when it is null.</summary>
    private static bool HasTrailingValueExpression(Script script)
    {
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not CompilationUnitSyntax root) return false;
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement }) return false;
        if (!statement.SemicolonToken.IsMissing) return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private static string FormatDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        var where = d.Location.IsInSource ? $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): " : "";
        return $"{where}error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static ErrorOutput ErrorFrom(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        if (e is TargetInvocationException { InnerException: { } invoked }) e = invoked;
        var traceback = new List<string> { $"{e.GetType().FullName}: {e.Message}" };
        traceback.AddRange((e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd())
            .Where(l => !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)));
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            traceback.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        return new ErrorOutput(e.GetType().Name, e.Message, traceback);
    }

    internal DisplayedValue Display(object? value, string[] mimeTypes)
    {
        var output = new DisplayOutput(DisplayFormatter.Format(value, mimeTypes), Guid.NewGuid().ToString("N"), isResult: false);
        AddOutput(output);
        return new DisplayedValue(this, output, mimeTypes);
    }

    internal void UpdateDisplay(DisplayOutput output, object? value, string[] mimeTypes)
    {
        output.Replace(DisplayFormatter.Format(value, mimeTypes));
        DisplayUpdated?.Invoke(output);
    }

    private void AddOutput(CellOutput output)
    {
        lock (_outputGate)
        {
            if (_currentOutputs is null) return; // displayed after its cell finished (a stray task): nowhere to show it
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

    public void Dispose() => _oneCellAtATime.Dispose();
}

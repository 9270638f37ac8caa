using System.Text;

namespace Course.Notebooks.Kernel;

/// <summary>
/// Console.Out and Console.Error are process-wide, so they are replaced once by writers that send
/// text to the cell currently running (as stream outputs), or to the real console when no cell runs.
/// Writes from threads a cell started (Parallel.For, tasks) are captured too.
/// </summary>
public static class ConsoleRouter
{
    private static readonly object Gate = new();
    private static TextWriter? _originalOut;
    private static TextWriter? _originalError;
    private static Action<string, string>? _sink;

    /// <summary>The process's real standard output (for progress lines of the command line).</summary>
    public static TextWriter OriginalOut
    {
        get { Install(); return _originalOut!; }
    }

    /// <summary>The process's real standard error.</summary>
    public static TextWriter OriginalError
    {
        get { Install(); return _originalError!; }
    }

    public static void Install()
    {
        lock (Gate)
        {
            if (_originalOut is not null) return;
            _originalOut = Console.Out;
            _originalError = Console.Error;
            Console.SetOut(new RoutingWriter("stdout", _originalOut));
            Console.SetError(new RoutingWriter("stderr", _originalError));
        }
    }

    /// <summary>Sends console text to <paramref name="sink"/> (stream name, text) until the result is disposed.</summary>
    internal static IDisposable Capture(Action<string, string> sink)
    {
        Install();
        lock (Gate)
        {
            var previous = _sink;
            _sink = sink;
            return new Restore(sink, previous);
        }
    }

    private static void Write(string stream, TextWriter fallback, string text)
    {
        if (text.Length == 0) return;
        var sink = _sink;
        if (sink is not null) sink(stream, text);
        else fallback.Write(text);
    }

    private sealed class Restore(Action<string, string> mine, Action<string, string>? previous) : IDisposable
    {
        public void Dispose()
        {
            // Only undo our own capture: a cell abandoned after a timeout may finish long after others began.
            lock (Gate)
                if (_sink == mine) _sink = previous;
        }
    }

    private sealed class RoutingWriter(string stream, TextWriter fallback) : TextWriter
    {
        public override Encoding Encoding => fallback.Encoding;

        public override void Write(char value) => ConsoleRouter.Write(stream, fallback, value.ToString());

        public override void Write(string? value) => ConsoleRouter.Write(stream, fallback, value ?? "");

        public override void Write(char[] buffer, int index, int count) =>
            ConsoleRouter.Write(stream, fallback, new string(buffer, index, count));

        public override void Write(ReadOnlySpan<char> buffer) => ConsoleRouter.Write(stream, fallback, new string(buffer));

        public override void WriteLine(string? value) => ConsoleRouter.Write(stream, fallback, (value ?? "") + NewLine);

        public override void Flush()
        {
            if (_sink is null) fallback.Flush();
        }
    }
}

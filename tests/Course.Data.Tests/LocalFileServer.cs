using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Course.Data.Tests;

/// <summary>
/// A small HTTP server on 127.0.0.1 for the downloader tests: serves byte arrays by path, honours
/// "Range: bytes=N-" (206 with Content-Range, 416 past the end), and can be told to fail with a
/// status code, to ignore Range, or to break the connection after some bytes.
/// </summary>
sealed class LocalFileServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Task _loop;
    readonly ConcurrentDictionary<string, byte[]> _files = new();
    readonly ConcurrentDictionary<string, int> _failures = new();

    public LocalFileServer()
    {
        // Port 0 is not accepted by HttpListener: borrow a free port from the OS first.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>Every request as (path, Range header or null).</summary>
    public ConcurrentQueue<(string path, string? range)> Requests { get; } = new();

    public bool IgnoreRange { get; set; }

    /// <summary>When set, the next full or partial answer sends only this many bytes, then breaks the connection.</summary>
    public int? BreakAfterBytes { get; set; }

    public Uri Serve(string path, byte[] content)
    {
        _files[path] = content;
        return new Uri(BaseUrl, path);
    }

    public Uri FailWith(string path, int statusCode)
    {
        _failures[path] = statusCode;
        return new Uri(BaseUrl, path);
    }

    async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try { Handle(context); }
            catch (Exception) { try { context.Response.Abort(); } catch (Exception) { } }
        }
    }

    void Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath.TrimStart('/');
        var range = context.Request.Headers["Range"];
        Requests.Enqueue((path, range));
        var response = context.Response;
        if (_failures.TryGetValue(path, out var status) || !_files.TryGetValue(path, out var content))
        {
            response.StatusCode = _failures.TryGetValue(path, out status) ? status : 404;
            response.Close();
            return;
        }
        long start = 0;
        if (range is not null && !IgnoreRange)
        {
            if (!range.StartsWith("bytes=") || !range.EndsWith("-") || !long.TryParse(range[6..^1], out start))
            {
                response.StatusCode = 400;
                response.Close();
                return;
            }
            if (start >= content.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{content.Length}";
                response.Close();
                return;
            }
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        response.ContentLength64 = content.Length - start;
        if (BreakAfterBytes is int limit)
        {
            BreakAfterBytes = null;
            response.OutputStream.Write(content, (int)start, Math.Min(limit, content.Length - (int)start));
            response.OutputStream.Flush();
            response.Abort();
            return;
        }
        response.OutputStream.Write(content, (int)start, content.Length - (int)start);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

using System.Globalization;
using Course.Interrupts;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Course.Data;

/// <summary>How far a download has come.</summary>
public readonly record struct DownloadProgress(string FileName, long BytesDone, long? BytesTotal)
{
    public override string ToString() => BytesTotal is long total && total > 0
        ? $"{FileName}: {BytesDone / 1e6:F1} / {total / 1e6:F1} MB ({100.0 * BytesDone / total:F0}%)"
        : $"{FileName}: {BytesDone / 1e6:F1} MB";

    /// <summary>A reporter that writes a line per file at every further 10% (for the command line and notebooks).</summary>
    public static IProgress<DownloadProgress> ToWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var lastDecile = new Dictionary<string, long>();
        // Progress<T> would post to a synchronisation context; report synchronously instead.
        return new SynchronousProgress(p =>
        {
            long decile = p.BytesTotal is long total && total > 0 ? 10 * p.BytesDone / total : -1;
            lock (lastDecile)
            {
                if (lastDecile.TryGetValue(p.FileName, out var last) && last == decile) return;
                lastDecile[p.FileName] = decile;
            }
            writer.WriteLine(p.ToString());
        });
    }

    sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}

/// <summary>A download that failed for a reason other than its checksum: HTTP error, network error.</summary>
public sealed class DownloadFailedException : IOException
{
    public DownloadFailedException(Uri url, string destination, string problem, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base($"downloading {url} to {destination} failed: {problem}", inner)
    {
        Url = url; Destination = destination; StatusCode = statusCode;
    }

    public Uri Url { get; }
    public string Destination { get; }
    public HttpStatusCode? StatusCode { get; }
}

/// <summary>
/// Downloads files for people with internet: into <c>file.partial</c>, resuming an interrupted
/// download with an HTTP Range request from the partial file's length, then checks the SHA-256 and
/// renames the partial file into place (atomic on one file system), so a file under its final name
/// is always complete and verified.
/// </summary>
public sealed class DatasetDownloader
{
    public const string PartialSuffix = ".partial";

    static readonly Lazy<HttpClient> s_sharedClient = new(() =>
    {
        var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Course.Data/1.0");
        return client;
    });

    readonly HttpClient _client;

    /// <param name="client">The client to use (default: one shared client).</param>
    public DatasetDownloader(HttpClient? client = null) => _client = client ?? s_sharedClient.Value;

    /// <summary>
    /// Downloads every file of a data set into <c>root/dataset.Name</c> (root defaults to
    /// <see cref="DatasetPaths.CacheRoot"/>), skipping files already there and verified. Returns the folder.
    /// </summary>
    public static async Task<string> DownloadAsync(RemoteDataset dataset, string? root = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var folder = Path.Combine(root ?? DatasetPaths.CacheRoot, dataset.Name);
        var downloader = new DatasetDownloader();
        foreach (var file in dataset.Files)
            await downloader.DownloadFileAsync(file, folder, progress, cancellationToken).ConfigureAwait(false);
        return folder;
    }

    /// <summary>Downloads one catalogued file into <paramref name="folder"/>, trying its URLs in order. Returns its path.</summary>
    public async Task<string> DownloadFileAsync(RemoteFile file, string folder, IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(folder);
        if (file.Urls.Count == 0) throw new ArgumentException($"{file.FileName} has no URL", nameof(file));
        var destination = Path.Combine(folder, file.FileName);
        if (File.Exists(destination))
            return await DownloadFileAsync(file.Urls[0], destination, file.Sha256, progress, cancellationToken).ConfigureAwait(false);
        var failures = new List<Exception>();
        foreach (var url in file.Urls)
        {
            try
            {
                return await DownloadFileAsync(url, destination, file.Sha256, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DownloadFailedException or ChecksumMismatchException && file.Urls.Count > 1)
            {
                failures.Add(e);
            }
        }
        if (failures.Count == 1) throw failures[0];
        throw new DownloadFailedException(file.Urls[^1], destination,
            "every mirror failed:" + string.Concat(failures.Select(f => Environment.NewLine + "  " + f.Message)), inner: new AggregateException(failures));
    }

    /// <summary>
    /// Downloads <paramref name="url"/> to <paramref name="destination"/> and checks its SHA-256.
    /// A file already at the destination is verified and kept (a mismatch throws and leaves it alone).
    /// A <c>destination.partial</c> left by an interrupted download is resumed with a Range request.
    /// On a checksum mismatch the partial file is deleted (after one fresh retry when it had been
    /// resumed) and <see cref="ChecksumMismatchException"/> names the file, the expected and the
    /// actual hash. HTTP and network errors throw <see cref="DownloadFailedException"/> and keep the
    /// partial file for the next call to resume.
    /// </summary>
    /// <remarks>Stopping the cell (or cancelling the token) stops the download with
    /// <see cref="OperationStoppedException"/>; the partial file is kept, and the next call resumes it.</remarks>
    public async Task<string> DownloadFileAsync(Uri url, string destination, string expectedSha256,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(destination);
        using var stop = StopRequest.Watch(cancellationToken);
        try
        {
            return await DownloadVerifiedAsync(url, destination, expectedSha256, progress, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (e is not OperationStoppedException && stop.IsRequested)
        {
            var partial = destination + PartialSuffix;
            long kept = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            throw stop.Stopped(LearnerMessages.DownloadStopped(Path.GetFileName(destination), kept, partial));
        }
    }

    async Task<string> DownloadVerifiedAsync(Uri url, string destination, string expectedSha256,
        IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var expected = NormalizeSha256(expectedSha256);
        if (File.Exists(destination))
        {
            var present = await ComputeSha256Async(destination, cancellationToken).ConfigureAwait(false);
            if (present == expected) return destination;
            throw new ChecksumMismatchException(destination, expected, present,
                "The file is not the one expected; it was left as it is: delete it and download again");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var partial = destination + PartialSuffix;

        for (int attempt = 0; ; attempt++)
        {
            long resumedFrom = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            await FetchIntoPartialAsync(url, destination, partial, resumedFrom, progress, cancellationToken).ConfigureAwait(false);
            var actual = await ComputeSha256Async(partial, cancellationToken).ConfigureAwait(false);
            if (actual == expected)
            {
                File.Move(partial, destination, overwrite: true);
                return destination;
            }
            File.Delete(partial);
            // A stale or foreign partial file can spoil a resumed download: start once from scratch.
            if (resumedFrom > 0 && attempt == 0) continue;
            throw new ChecksumMismatchException(destination, expected, actual,
                $"Downloaded from {url}; the corrupt download was deleted");
        }
    }

    async Task FetchIntoPartialAsync(Uri url, string destination, string partial, long offset, IProgress<DownloadProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DownloadFailedException(url, destination, e.Message, e.StatusCode, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DownloadFailedException(url, destination, "the server did not answer in time", inner: e);
        }

        using (response)
        {
            // 416: the partial file already holds everything the server has; the checksum decides.
            if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return;
            if (!response.IsSuccessStatusCode)
                throw new DownloadFailedException(url, destination,
                    $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}" + (offset > 0 ? $" (resuming from byte {offset}; the partial file is kept)" : ""),
                    response.StatusCode);

            bool append = false;
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != offset)
                    throw new DownloadFailedException(url, destination,
                        $"asked for bytes from {offset} but the server sent a range starting at {range?.From?.ToString() ?? "?"}", response.StatusCode);
                append = true;
            }
            // A 200 answer to a Range request is the whole file: start the partial file again.
            long? contentLength = response.Content.Headers.ContentLength;
            long? total = contentLength is long n ? (append ? offset + n : n) : null;
            long done = append ? offset : 0;
            var fileName = Path.GetFileName(destination);
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                var buffer = new byte[1 << 16];
                int read;
                progress?.Report(new DownloadProgress(fileName, done, total));
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    done += read;
                    progress?.Report(new DownloadProgress(fileName, done, total));
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException && e is not DataFileException)
            {
                throw new DownloadFailedException(url, destination,
                    $"the connection broke after {done} bytes ({e.Message}); {partial} is kept and the next call resumes from it", inner: e);
            }
            if (contentLength is long expectedLength && done - (append ? offset : 0) != expectedLength)
                throw new DownloadFailedException(url, destination,
                    $"the server announced {expectedLength} bytes but sent {done - (append ? offset : 0)}; {partial} is kept and the next call resumes from it");
        }
    }

    /// <summary>The lower-case hex SHA-256 of a file.</summary>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    public static string ComputeSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>Throws <see cref="ChecksumMismatchException"/> (naming the file, expected and actual hash) unless the file's SHA-256 matches.</summary>
    public static void VerifyFile(string path, string expectedSha256)
    {
        var expected = NormalizeSha256(expectedSha256);
        if (!File.Exists(path)) throw new FileNotFoundException($"cannot verify {path}: no such file", path);
        var actual = ComputeSha256(path);
        if (actual != expected) throw new ChecksumMismatchException(path, expected, actual);
    }

    static string NormalizeSha256(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var s = sha256.Trim().ToLowerInvariant();
        if (s.Length != 64 || !s.All(Uri.IsHexDigit))
            throw new ArgumentException($"'{sha256}' is not a SHA-256 (64 hex digits)", nameof(sha256));
        return s;
    }
}

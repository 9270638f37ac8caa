using System.Net;
using System.Security.Cryptography;
using Course.Data;

namespace Course.Data.Tests;

public class DownloaderTests
{
    static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = new();
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public async Task Full_download_is_verified_and_renamed_into_place()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(300_000, 1);
        var url = server.Serve("data/file.bin", content);
        var destination = folder.File("sub/file.bin");
        var progress = new Recorder();

        var path = await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content).ToUpperInvariant(), progress);

        Assert.Equal(destination, path);
        Assert.Equal(content, File.ReadAllBytes(destination));
        Assert.False(File.Exists(destination + DatasetDownloader.PartialSuffix));
        Assert.Equal(content.Length, progress.Reports[^1].BytesDone);
        Assert.Equal(content.Length, progress.Reports[^1].BytesTotal);
        Assert.Equal(new[] { ("data/file.bin", (string?)null) }, server.Requests.ToArray());

        // A second call finds the verified file and asks the server for nothing.
        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Partial_download_resumes_with_a_range_request()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(200_000, 2);
        var url = server.Serve("file.bin", content);
        var destination = folder.File("file.bin");
        File.WriteAllBytes(destination + DatasetDownloader.PartialSuffix, content[..123_456]);
        var progress = new Recorder();

        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content), progress);

        Assert.Equal(content, File.ReadAllBytes(destination));
        Assert.Equal(new[] { ("file.bin", (string?)"bytes=123456-") }, server.Requests.ToArray());
        Assert.Equal(123_456, progress.Reports[0].BytesDone);
        Assert.Equal(content.Length, progress.Reports[^1].BytesTotal);
        Assert.False(File.Exists(destination + DatasetDownloader.PartialSuffix));
    }

    [Fact]
    public async Task Broken_connection_keeps_the_partial_file_and_the_next_call_resumes()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(1_000_000, 3);
        var url = server.Serve("big.bin", content);
        var destination = folder.File("big.bin");
        server.BreakAfterBytes = 400_000;

        var e = await Assert.ThrowsAsync<DownloadFailedException>(() => new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content)));
        Assert.Contains(destination, e.Message);
        Assert.False(File.Exists(destination));
        var partialLength = new FileInfo(destination + DatasetDownloader.PartialSuffix).Length;
        Assert.InRange(partialLength, 0, 400_000);

        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content));
        Assert.Equal(content, File.ReadAllBytes(destination));
        var second = server.Requests.ToArray()[1];
        Assert.Equal(partialLength > 0 ? $"bytes={partialLength}-" : null, second.range);
    }

    [Fact]
    public async Task Server_that_ignores_range_restarts_the_file()
    {
        using var server = new LocalFileServer { IgnoreRange = true };
        using var folder = new TempFolder();
        var content = Content(50_000, 4);
        var url = server.Serve("file.bin", content);
        var destination = folder.File("file.bin");
        File.WriteAllBytes(destination + DatasetDownloader.PartialSuffix, content[..10_000]);

        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content));

        Assert.Equal(content, File.ReadAllBytes(destination));
    }

    [Fact]
    public async Task Complete_partial_file_is_accepted_after_a_416_answer()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(5_000, 5);
        var url = server.Serve("file.bin", content);
        var destination = folder.File("file.bin");
        File.WriteAllBytes(destination + DatasetDownloader.PartialSuffix, content);

        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content));

        Assert.Equal(content, File.ReadAllBytes(destination));
        Assert.Equal("bytes=5000-", server.Requests.Single().range);
    }

    [Fact]
    public async Task Stale_partial_file_is_discarded_and_the_download_starts_again()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(80_000, 6);
        var url = server.Serve("file.bin", content);
        var destination = folder.File("file.bin");
        File.WriteAllBytes(destination + DatasetDownloader.PartialSuffix, Content(30_000, 99));

        await new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content));

        Assert.Equal(content, File.ReadAllBytes(destination));
        Assert.Equal(new[] { "bytes=30000-", null }, server.Requests.Select(r => r.range).ToArray());
    }

    [Fact]
    public async Task Checksum_mismatch_names_the_file_and_both_hashes_and_leaves_nothing_behind()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var served = Content(40_000, 7);
        var expected = Sha256(Content(40_000, 8));
        var url = server.Serve("file.bin", served);
        var destination = folder.File("file.bin");

        var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() => new DatasetDownloader().DownloadFileAsync(url, destination, expected));

        Assert.Equal(destination, e.FilePath);
        Assert.Equal(expected, e.ExpectedSha256);
        Assert.Equal(Sha256(served), e.ActualSha256);
        Assert.Contains(destination, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(Sha256(served), e.Message);
        Assert.False(File.Exists(destination));
        Assert.False(File.Exists(destination + DatasetDownloader.PartialSuffix));
    }

    [Fact]
    public async Task Existing_file_with_the_wrong_hash_is_reported_and_left_alone()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(1_000, 9);
        var url = server.Serve("file.bin", content);
        var destination = folder.File("file.bin");
        File.WriteAllBytes(destination, new byte[] { 1, 2, 3 });

        var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() => new DatasetDownloader().DownloadFileAsync(url, destination, Sha256(content)));

        Assert.Equal(destination, e.FilePath);
        Assert.Equal(Sha256(new byte[] { 1, 2, 3 }), e.ActualSha256);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(destination));
        Assert.Empty(server.Requests);
        Assert.Throws<ChecksumMismatchException>(() => DatasetDownloader.VerifyFile(destination, Sha256(content)));
        DatasetDownloader.VerifyFile(destination, Sha256(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task Server_error_is_reported_with_its_status_and_no_file_appears()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var url = server.FailWith("file.bin", 503);
        var destination = folder.File("file.bin");

        var e = await Assert.ThrowsAsync<DownloadFailedException>(() => new DatasetDownloader().DownloadFileAsync(url, destination, new string('a', 64)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains(url.ToString(), e.Message);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task Catalogued_file_falls_back_to_the_next_mirror()
    {
        using var server = new LocalFileServer();
        using var folder = new TempFolder();
        var content = Content(10_000, 10);
        var broken = server.FailWith("mirror1/labels.gz", 500);
        var working = server.Serve("mirror2/labels.gz", content);
        var file = new RemoteFile("labels.gz", content.Length, Sha256(content), new[] { broken, working });

        var path = await new DatasetDownloader().DownloadFileAsync(file, folder.Path);

        Assert.Equal(folder.File("labels.gz"), path);
        Assert.Equal(content, File.ReadAllBytes(path));

        // When every mirror fails, the error lists each.
        var none = new RemoteFile("other.gz", 1, Sha256(content), new[] { broken, server.FailWith("mirror3/other.gz", 404) });
        var e = await Assert.ThrowsAsync<DownloadFailedException>(() => new DatasetDownloader().DownloadFileAsync(none, folder.Path));
        Assert.Contains("HTTP 500", e.Message);
        Assert.Contains("HTTP 404", e.Message);
    }

    [Fact]
    public void Progress_writer_prints_a_line_per_tenth()
    {
        var writer = new StringWriter();
        var progress = DownloadProgress.ToWriter(writer);
        for (long done = 0; done <= 2_000_000; done += 50_000) progress.Report(new DownloadProgress("a.gz", done, 2_000_000));
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.Equal("a.gz: 2.0 / 2.0 MB (100%)", lines[^1].Trim());
    }

    [Fact]
    public void Bad_checksum_strings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => DatasetDownloader.VerifyFile("x", "abc"));
    }

    [Fact]
    public void Catalog_lists_the_three_sets_with_well_formed_entries()
    {
        Assert.Equal(new[] { "mnist", "fashion-mnist", "cifar-10" }, DatasetCatalog.All.Select(d => d.Name));
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Find("Fashion_MNIST"));
        Assert.Throws<ArgumentException>(() => DatasetCatalog.Find("imagenet"));
        foreach (var file in DatasetCatalog.All.SelectMany(d => d.Files))
        {
            Assert.Matches("^[0-9a-f]{64}$", file.Sha256);
            Assert.True(file.Size > 0);
            Assert.NotEmpty(file.Urls);
            Assert.All(file.Urls, u => Assert.EndsWith(file.FileName, u.AbsolutePath));
        }
    }
}

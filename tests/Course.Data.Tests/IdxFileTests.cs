using System.IO.Compression;
using Course.Data;

namespace Course.Data.Tests;

public class IdxFileTests
{
    static byte[] RandomBytes(int count, int seed, int max = 256)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (byte)random.Next(max)).ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_plain_and_gzipped(bool gzip)
    {
        using var folder = new TempFolder();
        var path = folder.File(gzip ? "images.gz" : "images");
        var data = RandomBytes(7 * 5 * 3, 1);
        IdxFile.Write(path, new[] { 7, 5, 3 }, data, gzip);
        var first = File.ReadAllBytes(path);
        Assert.Equal(gzip, first[0] == 0x1f && first[1] == 0x8b);
        var read = IdxFile.Read(path);
        Assert.Equal(new[] { 7, 5, 3 }, read.Dimensions);
        Assert.Equal(data, read.Data);
        Assert.Equal(15, read.ItemSize);

        var firstTwo = IdxFile.Read(path, maxItems: 2);
        Assert.Equal(new[] { 2, 5, 3 }, firstTwo.Dimensions);
        Assert.Equal(data.Take(30), firstTwo.Data);
    }

    [Fact]
    public void Header_is_big_endian_as_in_the_MNIST_description()
    {
        using var folder = new TempFolder();
        var path = folder.File("labels");
        IdxFile.Write(path, new[] { 300 }, new byte[300]);
        var bytes = File.ReadAllBytes(path);
        // 0x00000801: unsigned bytes, one dimension; then 300 = 0x0000012C.
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 1, 0x2C }, bytes.Take(8));
        Assert.Equal(308, bytes.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_file_names_the_file(bool gzip)
    {
        using var folder = new TempFolder();
        var path = folder.File("t10k-images-idx3-ubyte");
        var data = RandomBytes(10 * 28 * 28, 2);
        // Write the full header but drop the last 100 bytes of data (before compression).
        var full = folder.File("full");
        IdxFile.Write(full, new[] { 10, 28, 28 }, data);
        var cut = File.ReadAllBytes(full)[..^100];
        WriteMaybeGzipped(path, cut, gzip);
        var e = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("7840", e.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_names_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("images.gz");
        IdxFile.Write(path, new[] { 50, 28, 28 }, RandomBytes(50 * 28 * 28, 3), gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Matches("truncated|corrupt gzip", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_names_the_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("images.gz");
        IdxFile.Write(path, new[] { 50, 28, 28 }, RandomBytes(50 * 28 * 28, 4, max: 4), gzip: true);
        var bytes = File.ReadAllBytes(path);
        // Flip bits in the middle of the deflate stream: either the deflate decoder or gzip's CRC-32 objects.
        for (int i = bytes.Length / 3; i < bytes.Length / 3 + 16; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<DataFileException>(() => IdxFile.Read(path));
        Assert.Equal(path, e.FilePath);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bad_magic_number_names_the_file(bool gzip)
    {
        using var folder = new TempFolder();
        var path = folder.File("not-idx");
        WriteMaybeGzipped(path, "PK\u0003\u0004 this is a zip file, not IDX"u8.ToArray(), gzip);
        var e = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("bad magic number 0x504B0304", e.Message);
    }

    [Fact]
    public void Other_element_types_are_refused_by_name()
    {
        using var folder = new TempFolder();
        var path = folder.File("floats");
        File.WriteAllBytes(path, new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0 });
        var e = Assert.Throws<DataFileException>(() => IdxFile.Read(path));
        Assert.Contains("0x0D (float32) is not supported", e.Message);
    }

    [Fact]
    public void Extra_bytes_and_short_headers_are_reported()
    {
        using var folder = new TempFolder();
        var path = folder.File("extra");
        IdxFile.Write(path, new[] { 4 }, new byte[] { 1, 2, 3, 4 });
        File.AppendAllText(path, "junk");
        Assert.Contains("extra bytes", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message);

        File.WriteAllBytes(path, new byte[] { 0, 0, 8 });
        Assert.Contains("too short", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message);
        File.WriteAllBytes(path, new byte[] { 0, 0, 8, 3, 0, 0, 0, 1 });
        Assert.Contains("declares 3 dimensions", Assert.Throws<DataFileException>(() => IdxFile.Read(path)).Message);

        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(folder.File("missing")));
    }

    static void WriteMaybeGzipped(string path, byte[] bytes, bool gzip)
    {
        if (!gzip) { File.WriteAllBytes(path, bytes); return; }
        using var file = File.Create(path);
        using var stream = new GZipStream(file, CompressionLevel.Fastest);
        stream.Write(bytes);
    }
}

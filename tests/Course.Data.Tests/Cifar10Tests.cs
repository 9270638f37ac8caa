using System.Formats.Tar;
using System.IO.Compression;
using Course.Data;

namespace Course.Data.Tests;

/// <summary>The CIFAR-10 binary-version loader on small batch files written by the test.</summary>
public class Cifar10Tests
{
    /// <summary>Batch files of a few records each: record r of batch b has label (b + r) % 10 and pixels (b * 31 + r * 7 + j) % 256.</summary>
    static Dictionary<string, byte[]> Batches(int recordsPerBatch)
    {
        var names = Cifar10.BatchFiles(DatasetSplit.Train).Concat(Cifar10.BatchFiles(DatasetSplit.Test)).ToArray();
        var result = new Dictionary<string, byte[]>();
        for (int b = 0; b < names.Length; b++)
        {
            var bytes = new byte[recordsPerBatch * Cifar10.RecordSize];
            for (int r = 0; r < recordsPerBatch; r++)
            {
                bytes[r * Cifar10.RecordSize] = (byte)((b + r) % 10);
                for (int j = 0; j < 3072; j++) bytes[r * Cifar10.RecordSize + 1 + j] = (byte)((b * 31 + r * 7 + j) % 256);
            }
            result[names[b]] = bytes;
        }
        return result;
    }

    static void WriteArchive(string path, Dictionary<string, byte[]> batches)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, Cifar10.BatchFolder + "/"));
        foreach (var (name, bytes) in batches)
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{Cifar10.BatchFolder}/{name}") { DataStream = new MemoryStream(bytes) });
    }

    static void CheckLayout(ImageDataset set, int batches, int recordsPerBatch)
    {
        Assert.Equal(new long[] { batches * recordsPerBatch, 3, 32, 32 }, set.Images.shape);
        var pixels = set.Images.data<float>().ToArray();
        var labels = set.Labels.data<long>().ToArray();
        for (int b = 0; b < batches; b++)
            for (int r = 0; r < recordsPerBatch; r++)
            {
                int n = b * recordsPerBatch + r;
                Assert.Equal((b + r) % 10, labels[n]);
                // Channel c, row y, column x is byte 1024 c + 32 y + x of the record's pixels.
                foreach (var (c, y, x) in new[] { (0, 0, 0), (1, 5, 7), (2, 31, 31) })
                {
                    int j = 1024 * c + 32 * y + x;
                    Assert.Equal(((b * 31 + r * 7 + j) % 256) / 127.5f - 1f, pixels[n * 3072 + j], 6);
                }
            }
    }

    [Fact]
    public void Reads_the_tarball_without_extracting_it()
    {
        using var folder = new TempFolder();
        WriteArchive(folder.File(Cifar10.ArchiveName), Batches(3));
        using var train = Cifar10.Load(DatasetSplit.Train, folder.Path);
        CheckLayout(train, 5, 3);
        using var test = Cifar10.Load(DatasetSplit.Test, folder.Path);
        Assert.Equal(3, test.Count);
        Assert.Equal("truck", test.ClassNames[9]);
        using var limited = Cifar10.Load(DatasetSplit.Train, folder.Path, limit: 4);
        Assert.Equal(4, limited.Count);
    }

    [Fact]
    public void Reads_extracted_batch_files()
    {
        using var folder = new TempFolder();
        var extracted = Directory.CreateDirectory(folder.File(Cifar10.BatchFolder)).FullName;
        foreach (var (name, bytes) in Batches(2)) File.WriteAllBytes(Path.Combine(extracted, name), bytes);
        using var train = Cifar10.Load(DatasetSplit.Train, folder.Path);
        CheckLayout(train, 5, 2);
    }

    [Fact]
    public void Truncated_batches_and_archives_and_missing_data_are_named()
    {
        using var folder = new TempFolder();
        var batches = Batches(2);
        batches["test_batch.bin"] = batches["test_batch.bin"][..^10];
        var extracted = Directory.CreateDirectory(folder.File(Cifar10.BatchFolder)).FullName;
        foreach (var (name, content) in batches) File.WriteAllBytes(Path.Combine(extracted, name), content);
        var e = Assert.Throws<DataFileException>(() => Cifar10.Load(DatasetSplit.Test, folder.Path));
        Assert.EndsWith("test_batch.bin", e.FilePath);
        Assert.Contains("3073-byte", e.Message);

        using var other = new TempFolder();
        Assert.Contains(Cifar10.ArchiveName, Assert.Throws<DatasetNotFoundException>(() => Cifar10.Load(DatasetSplit.Train, other.Path)).Message);

        var archive = other.File(Cifar10.ArchiveName);
        WriteArchive(archive, Batches(2));
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        var broken = Assert.ThrowsAny<DataFileException>(() => Cifar10.Load(DatasetSplit.Train, other.Path));
        Assert.Equal(archive, broken.FilePath);
    }
}

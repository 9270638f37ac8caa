using System.Formats.Tar;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>
/// CIFAR-10 (Krizhevsky 2009): 32x32 colour images in 10 classes, 50000 for training (five batch
/// files) and 10000 for testing. Reads the binary version: each record is 1 label byte and 3072
/// pixel bytes (1024 red, 1024 green, 1024 blue, each a row-major 32x32 plane).
/// </summary>
public static class Cifar10
{
    public const int RecordSize = 1 + 3 * 32 * 32;
    public const string ArchiveName = "cifar-10-binary.tar.gz";
    public const string BatchFolder = "cifar-10-batches-bin";

    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    };

    public static IReadOnlyList<string> BatchFiles(DatasetSplit split) => split == DatasetSplit.Train
        ? new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin" }
        : new[] { "test_batch.bin" };

    public static string DefaultRoot => Path.Combine(DatasetPaths.CacheRoot, DatasetCatalog.Cifar10.Name);

    /// <summary>
    /// Images float32 [N, 3, 32, 32] in [-1, 1] and labels int64 [N]. <paramref name="root"/> (default
    /// <see cref="DefaultRoot"/>) holds the extracted <c>cifar-10-batches-bin</c> folder, the batch
    /// files themselves, or the downloaded <c>cifar-10-binary.tar.gz</c> (read without extracting).
    /// </summary>
    public static ImageDataset Load(DatasetSplit split = DatasetSplit.Train, string? root = null, long? limit = null, Device? device = null)
    {
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be non-negative");
        var folder = root ?? DefaultRoot;
        var names = BatchFiles(split);
        var batches = new List<(string name, byte[] bytes)>();
        string? extracted = new[] { Path.Combine(folder, BatchFolder), folder }.FirstOrDefault(f => names.All(n => File.Exists(Path.Combine(f, n))));
        var archive = Path.Combine(folder, ArchiveName);
        if (extracted is not null)
            foreach (var n in names) batches.Add((Path.Combine(extracted, n), File.ReadAllBytes(Path.Combine(extracted, n))));
        else if (File.Exists(archive))
            batches.AddRange(ReadFromArchive(archive, names));
        else
            throw new DatasetNotFoundException(
                $"CIFAR-10 ({split.ToString().ToLowerInvariant()}) was not found in {folder}: expected {BatchFolder}/{names[0]} or {ArchiveName}. " +
                "Download it as in datasets/README.md: `await DatasetDownloader.DownloadAsync(DatasetCatalog.Cifar10)`, or pass the folder as root", archive);

        var labels = new List<byte>();
        var pixels = new MemoryStream();
        foreach (var (name, bytes) in batches)
        {
            if (bytes.Length % RecordSize != 0)
                throw new DataFileException(name, $"length {bytes.Length} is not a whole number of {RecordSize}-byte CIFAR-10 records (truncated or corrupt)");
            for (int offset = 0; offset < bytes.Length && (limit is null || labels.Count < limit); offset += RecordSize)
            {
                if (bytes[offset] >= ClassNames.Count)
                    throw new DataFileException(name, $"record {offset / RecordSize} has label {bytes[offset]}; CIFAR-10 labels are 0-9");
                labels.Add(bytes[offset]);
                pixels.Write(bytes, offset + 1, RecordSize - 1);
            }
        }

        using var scope = NewDisposeScope();
        var imageBytes = tensor(pixels.ToArray(), new long[] { labels.Count, 3, 32, 32 });
        var images = ImageScaling.BytesToSignedUnit(imageBytes);
        var labelTensor = tensor(labels.ToArray()).to(int64);
        if (device is not null) { images = images.to(device); labelTensor = labelTensor.to(device); }
        return new ImageDataset("CIFAR-10", split, images.DetachFromDisposeScope(), labelTensor.DetachFromDisposeScope(), ClassNames);
    }

    static IEnumerable<(string, byte[])> ReadFromArchive(string archive, IReadOnlyList<string> names)
    {
        var found = new Dictionary<string, byte[]>();
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                if (!names.Contains(name) || entry.DataStream is null) continue;
                using var copy = new MemoryStream();
                entry.DataStream.CopyTo(copy);
                found[name] = copy.ToArray();
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DataFileException(archive, $"corrupt or truncated archive ({e.Message})", e);
        }
        var missing = names.Where(n => !found.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new DataFileException(archive, $"does not contain {string.Join(", ", missing)}");
        return names.Select(n => ($"{archive}!{n}", found[n]));
    }
}

using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Checkpoints;

/// <summary>A file that should hold tensors is truncated or malformed. The message names the file and the problem.</summary>
public sealed class CorruptFileException : IOException
{
    public CorruptFileException(string path, string problem) : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}

/// <summary>
/// <a href="https://github.com/huggingface/safetensors">safetensors</a> files, which PyTorch (and most
/// tools) read: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__": {...}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces to a multiple of 8, then each tensor's elements, row-major and little-endian,
/// at its offsets (counted from the end of the header). Written on the API both engines share
/// (TorchSharp's own torch.save writes its own format, without metadata); TorchSharp.PyBridge's
/// reader and writer know no metadata and no atomic write, and bind to the real TorchSharp only.
/// </summary>
public static class Safetensors
{

    const string MetadataKey = "__metadata__";
    /// <summary>The safetensors reference implementation refuses headers over 100 MB; so do we.</summary>
    const long MaxHeaderBytes = 100_000_000;

    static readonly (string code, ScalarType type, int size)[] s_dtypes =
    {
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    };

    static int ElementSize(ScalarType t) => s_dtypes.First(d => d.type == t).size;

    static string CodeOf(ScalarType t, string name)
    {
        foreach (var (code, type, _) in s_dtypes) if (type == t) return code;
        throw new ArgumentException($"tensor '{name}' has dtype {t}, which safetensors files do not hold here (supported: {string.Join(", ", s_dtypes.Select(d => d.type))})");
    }

    sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    sealed record Header(Dictionary<string, string> Metadata, List<Entry> Entries, long DataStart, long FileLength);

    // ------------------------------------------------------------------ writing

    /// <summary>Writes tensors (GPU ones are copied to the CPU) with optional string metadata.</summary>
    /// <remarks>The write is atomic: the data go to a temporary file in the same folder, are flushed to
    /// disk, and the file is then renamed over <paramref name="path"/>. If anything fails, the previous
    /// file at <paramref name="path"/> is untouched and the temporary file is removed.</remarks>
    public static void Save(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"cannot save '{full}': the folder '{folder}' does not exist");

        // Everything about the header is decided (and checked) before a byte is written.
        var items = new List<(string name, Tensor tensor, ScalarType type, long[] shape, long nbytes)>();
        foreach (var (name, t) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("tensor names must be non-empty", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
            if (t is null) throw new ArgumentException($"tensor '{name}' is null", nameof(tensors));
            var type = t.dtype;
            CodeOf(type, name);
            var shape = t.shape;
            items.Add((name, t, type, shape, checked(t.numel() * ElementSize(type))));
        }

        var header = BuildHeader(items.Select(i => (i.name, CodeOf(i.type, i.name), i.shape, i.nbytes)), metadata);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var item in items) WriteData(stream, item.tensor, item.nbytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    static byte[] BuildHeader(IEnumerable<(string name, string code, long[] shape, long nbytes)> items, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps names like "model.up+1" readable in the header (still strict JSON).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata)
                {
                    if (k is null || v is null) throw new ArgumentException("metadata keys and values must be non-null strings", nameof(metadata));
                    json.WriteString(k, v);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, code, shape, nbytes) in items)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", code);
                json.WriteStartArray("shape");
                foreach (var s in shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + nbytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += nbytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data start 8-byte aligned (the header length is a multiple of 8).
        var length = (int)buffer.Length;
        var padded = (length + 7) / 8 * 8;
        for (int k = length; k < padded; k++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    const int Chunk = 1 << 26;

    static void WriteData(Stream stream, Tensor t, long nbytes)
    {
        if (nbytes == 0) return;
        using var scope = NewDisposeScope();
        var elements = t.detach().cpu().contiguous();
        stream.Write(elements.bytes);
    }

    // ------------------------------------------------------------------ reading

    /// <summary>Reads every tensor of a file (onto the CPU, or onto <paramref name="device"/>). The
    /// tensors join the current dispose scope, like any new tensor. Every part of the file is checked;
    /// a truncated or malformed file raises <see cref="CorruptFileException"/>.</summary>
    public static Dictionary<string, Tensor> Load(string path, Device? device = null) => Load(path, device, joinScope: true);

    /// <summary>The <c>__metadata__</c> strings of a file (empty when it has none).</summary>
    public static Dictionary<string, string> ReadMetadata(string path) => ReadHeader(path).Metadata;

    /// <summary>The tensors of one part of a checkpoint ("model.", "ema.", "optimizer."), names without the prefix.</summary>
    public static Dictionary<string, Tensor> Part(IReadOnlyDictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    internal static Dictionary<string, Tensor> Load(string path, Device? device, bool joinScope)
    {
        var header = ReadHeader(path, out var stream);
        var result = new Dictionary<string, Tensor>();
        try
        {
            using (stream)
            {
                foreach (var e in header.Entries)
                {
                    var t = ReadTensor(stream, header, e, path);
                    if (device is not null && device.type != DeviceType.CPU)
                    {
                        var moved = t.to(device);
                        t.Dispose();
                        t = moved;
                    }
                    if (!joinScope) t.DetachFromDisposeScope();
                    result[e.Name] = t;
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    static Tensor ReadTensor(FileStream stream, Header header, Entry e, string path)
    {
        var nbytes = e.End - e.Begin;
        if (nbytes > Array.MaxLength)
            throw new NotSupportedException($"{path}: tensor '{e.Name}' holds {nbytes} bytes; this reader takes tensors up to {Array.MaxLength} bytes");
        var data = new byte[nbytes];
        stream.Position = header.DataStart + e.Begin;
        for (long done = 0; done < nbytes;)
        {
            var n = stream.Read(data, (int)done, (int)Math.Min(Chunk, nbytes - done));
            if (n == 0) throw new CorruptFileException(path, $"the file ended while reading tensor '{e.Name}' (it was shorter than its header says)");
            done += n;
        }
        var t = empty(e.Shape, e.Type);
        if (nbytes > 0) t.bytes = data;
        return t;
    }

    static Header ReadHeader(string path) { var h = ReadHeader(path, out var s); s.Dispose(); return h; }

    static Header ReadHeader(string path, out FileStream stream)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var header = ParseHeader(stream, path);
            return header;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static Header ParseHeader(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw new CorruptFileException(path, $"the file is too short to be a safetensors file ({fileLength} bytes; the header length alone takes 8)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new CorruptFileException(path, $"the header length field says {headerLength} bytes, but only {fileLength - 8} bytes follow it (truncated file, or not a safetensors file)");
        if (headerLength > MaxHeaderBytes)
            throw new CorruptFileException(path, $"the header length {headerLength} exceeds the 100 MB limit of the format");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException ex) { throw new CorruptFileException(path, $"the header is not valid JSON ({ex.Message})"); }
        catch (ArgumentException ex) { throw new CorruptFileException(path, $"the header is not valid UTF-8 JSON ({ex.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CorruptFileException(path, $"the header should be a JSON object but is a {root.ValueKind}");
            var metadata = new Dictionary<string, string>();
            var entries = new List<Entry>();
            var names = new HashSet<string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw new CorruptFileException(path, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new CorruptFileException(path, "__metadata__ should be an object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new CorruptFileException(path, $"__metadata__ entry '{m.Name}' should be a string but is a {m.Value.ValueKind}");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(property, path));
            }
            CheckLayout(entries, dataLength, path);
            return new Header(metadata, entries, dataStart, fileLength);
        }
    }

    static Entry ParseEntry(JsonProperty property, string path)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CorruptFileException(path, $"the header entry for tensor '{name}' should be an object but is a {v.ValueKind}");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CorruptFileException(path, $"tensor '{name}' has no \"dtype\" string");
        var code = dtypeElement.GetString()!;
        var match = s_dtypes.Where(d => d.code == code).ToArray();
        if (match.Length == 0)
            throw new CorruptFileException(path, $"tensor '{name}' has unknown or unsupported dtype \"{code}\" (supported: {string.Join(", ", s_dtypes.Select(d => d.code))})");
        var type = match[0].type;
        var shape = LongArray(v, "shape", name, path);
        var offsets = LongArray(v, "data_offsets", name, path);
        if (offsets.Length != 2)
            throw new CorruptFileException(path, $"tensor '{name}' has {offsets.Length} data_offsets; there should be two, [begin, end]");
        if (offsets[1] < offsets[0])
            throw new CorruptFileException(path, $"tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}] that end before they begin");
        long expected;
        try
        {
            expected = ElementSize(type);
            foreach (var s in shape) expected = checked(expected * s);
        }
        catch (OverflowException) { throw new CorruptFileException(path, $"tensor '{name}' has a shape [{string.Join(", ", shape)}] too large to address"); }
        if (offsets[1] - offsets[0] != expected)
            throw new CorruptFileException(path, $"tensor '{name}' ({code}, shape [{string.Join(", ", shape)}]) needs {expected} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    static long[] LongArray(JsonElement entry, string field, string name, string path)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new CorruptFileException(path, $"tensor '{name}' has no \"{field}\" array");
        var result = new long[array.GetArrayLength()];
        int k = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
                throw new CorruptFileException(path, $"tensor '{name}' has \"{field}\" entries that are not non-negative integers ({array.GetRawText()})");
            result[k++] = value;
        }
        return result;
    }

    /// <summary>As the reference implementation: the tensors' byte ranges, sorted, must tile the data
    /// section exactly, with no overlap, no gap, and nothing missing at the end.</summary>
    static void CheckLayout(List<Entry> entries, long dataLength, string path)
    {
        long position = 0;
        Entry? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < position)
                throw new CorruptFileException(path, $"the data of tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps that of '{previous!.Name}' [{previous.Begin}, {previous.End})");
            if (e.Begin > position)
                throw new CorruptFileException(path, $"there is a gap of {e.Begin - position} bytes before the data of tensor '{e.Name}' (offsets must be contiguous)");
            if (e.End > dataLength)
                throw new CorruptFileException(path, $"the file is truncated: tensor '{e.Name}' needs data bytes up to {e.End}, but the file holds {dataLength} bytes of data after the header");
            position = e.End;
            previous = e;
        }
        if (position != dataLength)
            throw new CorruptFileException(path, $"the file holds {dataLength} bytes of data after the header, but its tensors account for {position}");
    }
}

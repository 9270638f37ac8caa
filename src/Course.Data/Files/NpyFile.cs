using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Course.Data;

/// <summary>An array read from a .npy file: its dtype code (numpy's <c>descr</c>, e.g. <c>|u1</c>, <c>&lt;i8</c>), its shape and
/// its raw little-endian bytes in C order.</summary>
public sealed record NpyArray(string Descr, long[] Shape, byte[] Data)
{
    /// <summary>The number of elements, the product of the shape.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as numpy prints it, e.g. (100, 28, 28).</summary>
    public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");
}

/// <summary>
/// numpy's .npy format (format versions 1.0 to 3.0: the magic <c>\x93NUMPY</c>, a version, a header length, a Python
/// dict literal with <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, then the data) and .npz archives of such
/// files, for exchanging arrays with numpy and PyTorch. Reads C-ordered little-endian arrays; writes float32,
/// uint8 and int64 arrays.
/// </summary>
public static class NpyFile
{
    static readonly byte[] s_magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Files larger than this are refused rather than read into memory (2 GB).</summary>
    public const long MaxBytes = 2_000_000_000;

    static readonly Dictionary<string, int> s_itemSizes = new()
    {
        ["|u1"] = 1, ["|i1"] = 1, ["|b1"] = 1, ["<u2"] = 2, ["<i2"] = 2, ["<u4"] = 4, ["<i4"] = 4, ["<u8"] = 8, ["<i8"] = 8,
        ["<f2"] = 2, ["<f4"] = 4, ["<f8"] = 8,
    };

    /// <summary>Reads a .npy file; a malformed, truncated, Fortran-ordered, big-endian or object array raises
    /// <see cref="DataFileException"/> naming the file and the problem.</summary>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        var length = new FileInfo(path).Length;
        if (length > MaxBytes) throw new DataFileException(path, $"is {length:N0} bytes; .npy files over {MaxBytes:N0} bytes are not read");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataFileException(path, $"cannot be read: {e.Message}", e); }
        return Parse(bytes, path);
    }

    static NpyArray Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(s_magic))
            throw new DataFileException(path, "is not a .npy file (it does not start with numpy's magic \\x93NUMPY)");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = bytes[8] | bytes[9] << 8; headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new DataFileException(path, "is truncated inside its header");
            headerLength = (int)Math.Min(int.MaxValue, BitConverter.ToUInt32(bytes, 8));
            headerStart = 12;
        }
        else throw new DataFileException(path, $"uses .npy format version {major}.{bytes[7]}, which is not known here (1.0 to 3.0 are)");
        if ((long)headerStart + headerLength > bytes.Length) throw new DataFileException(path, "is truncated inside its header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLength);
        var descr = Regex.Match(header, @"'descr'\s*:\s*'([^']*)'");
        var fortran = Regex.Match(header, @"'fortran_order'\s*:\s*(True|False)");
        var shape = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)");
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new DataFileException(path, $"has a .npy header without descr, fortran_order and shape: {header.Trim()}");
        string code = descr.Groups[1].Value;
        if (code.Length == 3 && code[0] == '=') code = "<" + code[1..];
        if (code is "<u1" or "<i1" or "<b1") code = "|" + code[1..];
        if (fortran.Groups[1].Value == "True")
            throw new DataFileException(path, "holds a Fortran-ordered array; save it in C order (np.ascontiguousarray)");
        if (!s_itemSizes.TryGetValue(code, out int itemSize))
            throw new DataFileException(path, $"holds elements of dtype '{descr.Groups[1].Value}', which is not read here " +
                "(little-endian integers, booleans and floats are)");
        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                throw new DataFileException(path, $"has a shape that is not a tuple of sizes: ({shape.Groups[1].Value})");
            dims.Add(d);
        }
        long count = dims.Aggregate(1L, (a, b) => a * b);
        long dataStart = headerStart + headerLength;
        long expected = count * itemSize;
        if (bytes.Length - dataStart < expected)
            throw new DataFileException(path, $"is truncated: shape ({string.Join(", ", dims)}) of '{code}' needs {expected:N0} bytes of data, " +
                $"the file has {bytes.Length - dataStart:N0}");
        return new NpyArray(code, dims.ToArray(), bytes.AsSpan((int)dataStart, (int)expected).ToArray());
    }

    /// <summary>The elements of an integer or boolean array as 64-bit integers.</summary>
    public static long[] ToInt64(NpyArray array, string path)
    {
        ArgumentNullException.ThrowIfNull(array);
        var data = array.Data;
        int n = (int)array.Count;
        var values = new long[n];
        for (int i = 0; i < n; i++)
            values[i] = array.Descr switch
            {
                "|u1" or "|b1" => data[i],
                "|i1" => (sbyte)data[i],
                "<u2" => BitConverter.ToUInt16(data, 2 * i),
                "<i2" => BitConverter.ToInt16(data, 2 * i),
                "<u4" => BitConverter.ToUInt32(data, 4 * i),
                "<i4" => BitConverter.ToInt32(data, 4 * i),
                "<i8" => BitConverter.ToInt64(data, 8 * i),
                "<u8" => BitConverter.ToUInt64(data, 8 * i) > long.MaxValue
                    ? throw new DataFileException(path, $"value at index {i} does not fit a 64-bit signed integer")
                    : (long)BitConverter.ToUInt64(data, 8 * i),
                _ => throw new DataFileException(path, $"holds '{array.Descr}' values, not integers"),
            };
        return values;
    }

    /// <summary>Writes a float32 array of the given shape as a version 1.0 .npy stream.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> data, IReadOnlyList<long> shape) =>
        Write(stream, "<f4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>Writes a uint8 array of the given shape as a version 1.0 .npy stream.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data, IReadOnlyList<long> shape) => Write(stream, "|u1", data, data.Length, shape);

    /// <summary>Writes an int64 array of the given shape as a version 1.0 .npy stream (numpy's default integers).</summary>
    public static void Write(Stream stream, ReadOnlySpan<long> data, IReadOnlyList<long> shape) =>
        Write(stream, "<i8", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), data.Length, shape);

    static void Write(Stream stream, string descr, ReadOnlySpan<byte> bytes, long count, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("writing .npy needs a little-endian machine");
        if (shape.Aggregate(1L, (a, b) => a * b) != count)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) does not hold {count} elements", nameof(shape));
        string dims = string.Join(", ", shape) + (shape.Count == 1 ? "," : "");
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        // magic (6) + version (2) + length (2) + header + padding + '\n' is a multiple of 64
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        stream.Write(s_magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        stream.WriteByte((byte)(header.Length & 0xff));
        stream.WriteByte((byte)(header.Length >> 8));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(bytes);
    }

    /// <summary>Writes float32 arrays as an .npz archive (a zip of name.npy files, as <c>np.savez</c> writes), atomically.</summary>
    public static void WriteNpz(string path, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> arrays)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        try
        {
            using (var file = File.Create(temp))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
                foreach (var (name, (data, shape)) in arrays)
                {
                    using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                    Write(entry, data, shape);
                }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}

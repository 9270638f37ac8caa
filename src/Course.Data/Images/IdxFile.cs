using System.Buffers.Binary;
using System.IO.Compression;

namespace Course.Data;

/// <summary>An n-dimensional array of unsigned bytes read from an IDX file (dimensions outermost first).</summary>
public sealed record IdxArray(int[] Dimensions, byte[] Data)
{
    /// <summary>Number of bytes of one item: the product of all dimensions but the first.</summary>
    public long ItemSize => Dimensions.Skip(1).Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
/// magic number 0x0000TTDD (TT the element type, 0x08 for unsigned bytes; DD the number of
/// dimensions), DD big-endian 32-bit sizes, then the elements in row-major order. Files may be
/// gzipped (recognised by the gzip magic bytes 1f 8b, whatever the file name).
/// Only unsigned-byte files are read, which is what every MNIST-family file is.
/// </summary>
public static class IdxFile
{
    public const byte UnsignedByteType = 0x08;

    static readonly Dictionary<byte, string> s_typeNames = new()
    {
        [0x08] = "unsigned byte", [0x09] = "signed byte", [0x0B] = "int16", [0x0C] = "int32", [0x0D] = "float32", [0x0E] = "float64",
    };

    /// <summary>Reads a whole IDX file (gzipped or plain). Throws <see cref="DataFileException"/>
    /// naming the file when it is truncated, has extra bytes, a bad magic number or bad gzip data.</summary>
    /// <param name="maxItems">Read only the first this-many items along the first dimension (the
    /// rest of the file is then not checked).</param>
    public static IdxArray Read(string path, long? maxItems = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path, maxItems);
    }

    /// <param name="name">The name used in error messages (usually the file's path).</param>
    public static IdxArray Read(Stream stream, string name, long? maxItems = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (maxItems is < 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must be non-negative");
        var buffered = stream;
        if (!stream.CanSeek)
        {
            buffered = new MemoryStream();
            stream.CopyTo(buffered);
            buffered.Position = 0;
        }
        var start = buffered.Position;
        int first = buffered.ReadByte(), second = buffered.ReadByte();
        bool gzipped = first == 0x1f && second == 0x8b;
        buffered.Position = start;
        if (!gzipped) return ReadIdx(buffered, name, maxItems);
        using var gzip = new GZipStream(buffered, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            return ReadIdx(gzip, name, maxItems);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(name, $"corrupt gzip data ({e.Message})", e);
        }
    }

    static IdxArray ReadIdx(Stream stream, string name, long? maxItems)
    {
        var header = new byte[4];
        int got = ReadFully(stream, header, 0, 4);
        if (got < 4) throw new DataFileException(name, $"truncated: {got} bytes, too short for the 4-byte IDX magic number");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (header[0] != 0 || header[1] != 0 || header[3] == 0)
            throw new DataFileException(name, $"not an IDX file: bad magic number 0x{magic:X8} (expected 0x0000TTDD: two zero bytes, the element type, the number of dimensions)");
        if (header[2] != UnsignedByteType)
        {
            var type = s_typeNames.TryGetValue(header[2], out var t) ? t : "unknown";
            throw new DataFileException(name, $"IDX element type 0x{header[2]:X2} ({type}) is not supported: only unsigned bytes (0x08), as in MNIST-family files");
        }
        int rank = header[3];
        var sizeBytes = new byte[4 * rank];
        got = ReadFully(stream, sizeBytes, 0, sizeBytes.Length);
        if (got < sizeBytes.Length)
            throw new DataFileException(name, $"truncated: the header declares {rank} dimensions but ends after {4 + got} bytes");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * i));
            if (size > int.MaxValue) throw new DataFileException(name, $"corrupt header: dimension {i} has size {size}");
            dims[i] = (int)size;
            total *= size;
            if (total > Array.MaxLength) throw new DataFileException(name, $"corrupt header: dimensions [{string.Join(", ", dims.Take(i + 1))}] make more than {Array.MaxLength} bytes");
        }
        bool complete = true;
        if (maxItems is long limit && limit < dims[0])
        {
            total = total / dims[0] * limit;
            dims[0] = (int)limit;
            complete = false;
        }
        var data = new byte[total];
        long read = ReadFully(stream, data, 0, data.Length);
        if (read < total)
            throw new DataFileException(name, $"truncated: the header [{string.Join(" x ", dims)}] needs {total} bytes of data, but the file has only {read}");
        if (complete && stream.ReadByte() >= 0)
            throw new DataFileException(name, $"corrupt: extra bytes after the {total} bytes of data that the header [{string.Join(" x ", dims)}] declares");
        return new IdxArray(dims, data);
    }

    static int ReadFully(Stream stream, byte[] buffer, int offset, int count)
    {
        int total = 0;
        while (total < count)
        {
            int n = stream.Read(buffer, offset + total, count - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Writes an unsigned-byte IDX file, gzipped when <paramref name="gzip"/> (for fixtures and tests).</summary>
    public static void Write(string path, int[] dimensions, byte[] data, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Length is 0 or > 255) throw new ArgumentException("an IDX file has 1 to 255 dimensions", nameof(dimensions));
        long total = dimensions.Aggregate(1L, (a, b) => b >= 0 ? a * b : throw new ArgumentException("negative dimension", nameof(dimensions)));
        if (total != data.Length) throw new ArgumentException($"dimensions [{string.Join(", ", dimensions)}] need {total} bytes, got {data.Length}", nameof(data));
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        output.Write(header);
        output.Write(data);
    }
}

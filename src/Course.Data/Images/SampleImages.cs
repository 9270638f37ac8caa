using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>
/// Images someone wants measured, read from the two forms the course's <c>evaluate</c> command takes: a folder of
/// 28x28 greyscale PNG files (read in the ordinal order of their names), or a .npy file of uint8 pixels [N, 28, 28]
/// (as <c>np.save</c> writes a Fashion-MNIST-like array). Both become float32 [N, 1, 28, 28] in [−1, 1], the range the
/// course's data sets and samplers use. Anything else raises <see cref="DataFileException"/> with one clear sentence.
/// </summary>
public static class SampleImages
{
    /// <summary>The side of the square images expected.</summary>
    public const int Size = 28;

    /// <summary>PNG files larger than this are not decoded (a 28x28 PNG takes well under 4 KB).</summary>
    const long MaxPngBytes = 1_000_000;

    /// <summary>Images [N, 1, 28, 28] in [−1, 1] from a folder of PNGs or a .npy file; with the PNG files' names, in order (null for .npy).</summary>
    public static (Tensor Images, IReadOnlyList<string>? Names) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return LoadPngFolder(path);
        if (!File.Exists(path)) throw new DataFileException(path, "no such file or folder");
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new DataFileException(path, "is neither a folder of PNG files nor a .npy file");
        return (LoadNpy(path), null);
    }

    /// <summary>Pixels uint8 [N, 28, 28] from a .npy file, as images [N, 1, 28, 28] in [−1, 1].</summary>
    public static Tensor LoadNpy(string path)
    {
        var array = NpyFile.Read(path);
        if (array.Descr != "|u1")
            throw new DataFileException(path, $"holds '{array.Descr}' values; samples must be uint8 pixels 0-255 [N, {Size}, {Size}] " +
                "(np.clip(x, 0, 255).astype(np.uint8))");
        if (array.Shape.Length != 3 || array.Shape[1] != Size || array.Shape[2] != Size)
            throw new DataFileException(path, $"has shape {array.ShapeText}; samples must have shape (N, {Size}, {Size})");
        if (array.Shape[0] < 1) throw new DataFileException(path, "holds no images");
        using var scope = NewDisposeScope();
        var pixels = tensor(array.Data, new long[] { array.Shape[0], 1, Size, Size });
        return ImageScaling.BytesToSignedUnit(pixels).MoveToOuterDisposeScope();
    }

    /// <summary>Every *.png in a folder (not its subfolders), in ordinal name order, as images [N, 1, 28, 28] in [−1, 1].
    /// Colour PNGs are converted to grey by luminance.</summary>
    public static (Tensor Images, IReadOnlyList<string> Names) LoadPngFolder(string folder)
    {
        var files = Directory.GetFiles(folder, "*.png").Concat(Directory.GetFiles(folder, "*.PNG")).Distinct()
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new DataFileException(folder, "has no .png files");
        var pixels = new byte[files.Length * Size * Size];
        for (int i = 0; i < files.Length; i++)
        {
            var file = files[i];
            if (new FileInfo(file).Length > MaxPngBytes)
                throw new DataFileException(file, $"is over {MaxPngBytes:N0} bytes; a {Size}x{Size} PNG is far smaller");
            try
            {
                var info = Image.Identify(file) ?? throw new DataFileException(file, "is not an image ImageSharp can read");
                if (info.Width != Size || info.Height != Size)
                    throw new DataFileException(file, $"is {info.Width}x{info.Height}; samples must be {Size}x{Size}");
                using var image = Image.Load<L8>(file);
                image.CopyPixelDataTo(pixels.AsSpan(i * Size * Size, Size * Size));
            }
            catch (Exception e) when (e is ImageFormatException or NotSupportedException or EndOfStreamException)
            {
                throw new DataFileException(file, $"cannot be read as a PNG: {e.Message}", e);
            }
        }
        using var scope = NewDisposeScope();
        var images = ImageScaling.BytesToSignedUnit(tensor(pixels, new long[] { files.Length, 1, Size, Size }));
        return (images.MoveToOuterDisposeScope(), files.Select(f => Path.GetFileName(f)!).ToArray());
    }

    /// <summary>Class indices [N] (int64) from a .npy file of integers, one per image, each in 0 … classes − 1.</summary>
    public static Tensor LoadLabels(string path, long count, int classes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
            throw new DataFileException(path, File.Exists(path) ? "labels must be a .npy file of integer class indices" : "no such file");
        var array = NpyFile.Read(path);
        if (array.Descr is "<f2" or "<f4" or "<f8")
            throw new DataFileException(path, $"holds floating-point values ('{array.Descr}'); labels must be integer class indices (astype(np.int64))");
        if (array.Shape.Length != 1)
            throw new DataFileException(path, $"has shape {array.ShapeText}; labels must have shape ({count},), one class index per image");
        if (array.Shape[0] != count)
            throw new DataFileException(path, $"has {array.Shape[0]} labels but there are {count} images");
        var values = NpyFile.ToInt64(array, path);
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new DataFileException(path, $"label {values[i]} at index {i} is outside 0 … {classes - 1}");
        return tensor(values);
    }
}

using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Course.Data.Tests;

/// <summary>.npy and .npz files against numpy (each side reads what the other wrote), and the samples `evaluate`
/// reads: PNG folders and uint8 arrays give the same pixels, and every kind of bad input one clear message.</summary>
public class SampleFileTests
{
    [Fact]
    public void NpyFilesWrittenByNumpyReadBackExactly()
    {
        using var dir = new TempFolder();
        Python.Run("""
import sys, numpy as np
d = sys.argv[1]
np.save(d + '/u8.npy', (np.arange(2 * 28 * 28) % 251).astype(np.uint8).reshape(2, 28, 28))
np.save(d + '/i64.npy', np.array([0, 9, 3, -2], dtype=np.int64))
np.save(d + '/i32.npy', np.array([7, 1], dtype=np.int32))
np.save(d + '/u16.npy', np.array([65535, 2], dtype=np.uint16))
np.save(d + '/f4.npy', np.array([1.5, -2.0], dtype=np.float32))
np.save(d + '/fortran.npy', np.asfortranarray(np.zeros((3, 2), dtype=np.uint8)))
np.save(d + '/big.npy', np.array([1, 2], dtype='>i4'))
""", dir.Path);
        var u8 = NpyFile.Read(dir.File("u8.npy"));
        Assert.Equal("|u1", u8.Descr);
        Assert.Equal(new long[] { 2, 28, 28 }, u8.Shape);
        for (int i = 0; i < u8.Data.Length; i++) Assert.Equal((byte)(i % 251), u8.Data[i]);
        Assert.Equal(new long[] { 0, 9, 3, -2 }, NpyFile.ToInt64(NpyFile.Read(dir.File("i64.npy")), "i64"));
        Assert.Equal(new long[] { 7, 1 }, NpyFile.ToInt64(NpyFile.Read(dir.File("i32.npy")), "i32"));
        Assert.Equal(new long[] { 65535, 2 }, NpyFile.ToInt64(NpyFile.Read(dir.File("u16.npy")), "u16"));
        Assert.Equal("<f4", NpyFile.Read(dir.File("f4.npy")).Descr);
        Assert.Contains("Fortran-ordered", Assert.Throws<DataFileException>(() => NpyFile.Read(dir.File("fortran.npy"))).Message);
        Assert.Contains("'>i4'", Assert.Throws<DataFileException>(() => NpyFile.Read(dir.File("big.npy"))).Message);
    }

    [Fact]
    public void NpzWrittenHereLoadsInNumpy()
    {
        using var dir = new TempFolder();
        var a = Enumerable.Range(0, 12).Select(i => i * 0.25f - 1).ToArray();
        var b = new[] { 3.5f, float.MaxValue, -0.0f };
        NpyFile.WriteNpz(dir.File("f.npz"), new Dictionary<string, (float[] Data, long[] Shape)>
        {
            ["samples"] = (a, new long[] { 3, 4 }),
            ["reference"] = (b, new long[] { 3 }),
        });
        Assert.False(File.Exists(dir.File("f.npz.tmp")));
        var printed = Python.Run("""
import sys, numpy as np
z = np.load(sys.argv[1])
print(sorted(z.files), z['samples'].dtype, z['samples'].shape, z['reference'].shape)
print(' '.join(repr(float(v)) for v in z['samples'].ravel()), '|', ' '.join(repr(float(v)) for v in z['reference']))
""", dir.File("f.npz")).Split('\n');
        Assert.Equal("['reference', 'samples'] float32 (3, 4) (3,)", printed[0]);
        var values = printed[1].Split('|');
        Assert.Equal(a.Select(v => (double)v), values[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)));
        Assert.Equal(b.Select(v => (double)v), values[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void PngFolderAndUint8ArrayGiveTheSamePixels()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("png"));
        var pixels = new byte[3 * 28 * 28];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 37 + i / 784 * 11) % 256);
        // written out of name order on purpose; read in ordinal order of names
        foreach (int k in new[] { 2, 0, 1 })
        {
            using var image = Image.LoadPixelData<L8>(pixels.AsSpan(k * 784, 784), 28, 28);
            image.SaveAsPng(dir.File($"png/sample_{k}.png"));
        }
        using (var file = File.Create(dir.File("samples.npy"))) NpyFile.Write(file, pixels, new long[] { 3, 28, 28 });
        var (fromPng, names) = SampleImages.Load(dir.File("png"));
        var (fromNpy, none) = SampleImages.Load(dir.File("samples.npy"));
        using (fromPng)
        using (fromNpy)
        {
            Assert.Equal(new[] { "sample_0.png", "sample_1.png", "sample_2.png" }, names);
            Assert.Null(none);
            Assert.Equal(new long[] { 3, 1, 28, 28 }, fromPng.shape);
            var expected = pixels.Select(p => p / 127.5f - 1).ToArray();
            Assert.Equal(expected, fromPng.data<float>().ToArray());
            Assert.Equal(expected, fromNpy.data<float>().ToArray());
        }
    }

    [Fact]
    public void BadSamplesAndLabelsGetOneClearMessage()
    {
        using var dir = new TempFolder();
        Python.Run("""
import sys, numpy as np
d = sys.argv[1]
np.save(d + '/float.npy', np.zeros((4, 28, 28), dtype=np.float32))
np.save(d + '/shape.npy', np.zeros((4, 32, 32), dtype=np.uint8))
np.save(d + '/ok.npy', np.zeros((4, 28, 28), dtype=np.uint8))
np.save(d + '/labels3.npy', np.array([0, 1, 2], dtype=np.int64))
np.save(d + '/labels_float.npy', np.array([0, 1, 2, 3], dtype=np.float64))
np.save(d + '/labels_range.npy', np.array([0, 1, 10, 3], dtype=np.int64))
np.save(d + '/labels_2d.npy', np.zeros((4, 1), dtype=np.int64))
open(d + '/truncated.npy', 'wb').write(open(d + '/ok.npy', 'rb').read()[:-100])
open(d + '/garbage.npy', 'wb').write(b'not an array at all')
""", dir.Path);
        string Problem(Action load) => Assert.Throws<DataFileException>(load).Message;
        Assert.Contains("holds '<f4' values; samples must be uint8", Problem(() => SampleImages.Load(dir.File("float.npy"))));
        Assert.Contains("has shape (4, 32, 32); samples must have shape (N, 28, 28)", Problem(() => SampleImages.Load(dir.File("shape.npy"))));
        Assert.Contains("is truncated", Problem(() => SampleImages.Load(dir.File("truncated.npy"))));
        Assert.Contains("is not a .npy file", Problem(() => SampleImages.Load(dir.File("garbage.npy"))));
        Assert.Contains("no such file or folder", Problem(() => SampleImages.Load(dir.File("missing.npy"))));
        File.WriteAllText(dir.File("notes.txt"), "x");
        Assert.Contains("neither a folder of PNG files nor a .npy file", Problem(() => SampleImages.Load(dir.File("notes.txt"))));
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains("has no .png files", Problem(() => SampleImages.Load(dir.File("empty"))));
        Directory.CreateDirectory(dir.File("wrong-size"));
        using (var big = new Image<L8>(32, 28)) big.SaveAsPng(dir.File("wrong-size/a.png"));
        Assert.Contains("is 32x28; samples must be 28x28", Problem(() => SampleImages.Load(dir.File("wrong-size"))));
        Directory.CreateDirectory(dir.File("broken-png"));
        File.WriteAllBytes(dir.File("broken-png/a.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3 });
        Assert.Contains("a.png", Problem(() => SampleImages.Load(dir.File("broken-png"))));

        Assert.Contains("has 3 labels but there are 4 images", Problem(() => SampleImages.LoadLabels(dir.File("labels3.npy"), 4, 10)));
        Assert.Contains("floating-point", Problem(() => SampleImages.LoadLabels(dir.File("labels_float.npy"), 4, 10)));
        Assert.Contains("label 10 at index 2 is outside 0 … 9", Problem(() => SampleImages.LoadLabels(dir.File("labels_range.npy"), 4, 10)));
        Assert.Contains("labels must have shape (4,)", Problem(() => SampleImages.LoadLabels(dir.File("labels_2d.npy"), 4, 10)));
        using var fine = SampleImages.LoadLabels(dir.File("labels_range.npy").Replace("labels_range", "labels3"), 3, 10);
        Assert.Equal(new long[] { 0, 1, 2 }, fine.data<long>().ToArray());
    }
}

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace Course.Visuals;

/// <summary>How many channels a PNG stores.</summary>
public enum PngChannels { Gray, Rgb, Rgba }

/// <summary>
/// PNG and GIF files of course pictures, written by SixLabors.ImageSharp: the image library the course
/// design names. Pinned to 2.1.13 because 3.x needs a paid licence. The course only encodes with it
/// (and its tests decode only files the course made), which keeps 2.x's reported flaws with crafted
/// input files out of reach.
/// </summary>
public static class ImageFiles
{
    /// <summary>A PNG in the smallest lossless channel layout: gray, RGB or RGBA.</summary>
    public static byte[] Png(RgbaImage image) =>
        Png(image, !image.IsOpaque() ? PngChannels.Rgba : image.IsGray() ? PngChannels.Gray : PngChannels.Rgb);

    /// <summary>A PNG with the given channels (RGB drops alpha; gray keeps the red channel).</summary>
    public static byte[] Png(RgbaImage image, PngChannels channels)
    {
        // the pixel type matches the file's layout, so ImageSharp stores the samples as they are
        // (no luminance formula turns our gray into something else)
        var encoder = new PngEncoder
        {
            BitDepth = PngBitDepth.Bit8,
            ColorType = channels switch { PngChannels.Gray => PngColorType.Grayscale, PngChannels.Rgb => PngColorType.Rgb, _ => PngColorType.RgbWithAlpha },
            CompressionLevel = PngCompressionLevel.BestSpeed,
            ChunkFilter = PngChunkFilter.ExcludeAll,
        };
        using var file = new MemoryStream();
        switch (channels)
        {
            case PngChannels.Gray:
            {
                var gray = new byte[image.Width * image.Height];
                for (int i = 0; i < gray.Length; i++) gray[i] = image.Pixels[4 * i];
                using var img = Image.LoadPixelData<L8>(gray, image.Width, image.Height);
                img.Save(file, encoder);
                break;
            }
            case PngChannels.Rgb:
            {
                using var img = Image.LoadPixelData<Rgb24>(FlattenedRgb(image, overWhite: false), image.Width, image.Height);
                img.Save(file, encoder);
                break;
            }
            default:
            {
                using var img = Image.LoadPixelData<Rgba32>(image.Pixels, image.Width, image.Height);
                img.Save(file, encoder);
                break;
            }
        }
        return file.ToArray();
    }

    /// <summary>An animated GIF; alpha is composited over white.</summary>
    /// <param name="delaysMs">Delay after each frame in milliseconds (GIF stores hundredths).</param>
    /// <param name="loopCount">0 loops forever; null plays once. ImageSharp writes no loop block for a
    /// count of 1, so 1 plays once as well; n &gt; 1 plays n times more after the first.</param>
    /// <remarks>When all frames together hold at most 256 colours they share one palette of exactly
    /// those colours: exact for well-separated colours, but ImageSharp's palette lookup caches per cell
    /// of 8 levels a channel, so colours closer than that (all 256 grays) can be off by up to 7.
    /// Otherwise each frame has its own palette from ImageSharp's Wu quantizer, without dithering
    /// (measured on smooth full-colour gradients: mean error 3 to 4, worst 13 of 255; on anti-aliased
    /// figure frames: mean 0.05).</remarks>
    public static byte[] Gif(IReadOnlyList<RgbaImage> frames, IReadOnlyList<int> delaysMs, int? loopCount = 0)
    {
        if (frames.Count == 0) throw new ArgumentException("A GIF needs at least one frame.", nameof(frames));
        if (delaysMs.Count != frames.Count) throw new ArgumentException($"One delay per frame: {frames.Count} frames, {delaysMs.Count} delays.", nameof(delaysMs));
        int w = frames[0].Width, h = frames[0].Height;
        if (w > 65535 || h > 65535) throw new ArgumentException($"GIF frames are at most 65535 pixels on a side; got {w}x{h}.");
        foreach (var f in frames)
            if (f.Width != w || f.Height != h) throw new ArgumentException($"All frames must be {w}x{h}; got {f.Width}x{f.Height}.");

        var rgb = frames.Select(f => FlattenedRgb(f, overWhite: true)).ToArray();
        using var gif = Image.LoadPixelData<Rgb24>(rgb[0], w, h);
        for (int i = 1; i < rgb.Length; i++)
        {
            using var frame = Image.LoadPixelData<Rgb24>(rgb[i], w, h);
            gif.Frames.AddFrame(frame.Frames.RootFrame);
        }
        for (int i = 0; i < gif.Frames.Count; i++)
        {
            var meta = gif.Frames[i].Metadata.GetGifMetadata();
            meta.FrameDelay = Math.Clamp((int)Math.Round(delaysMs[i] / 10.0), 0, 65535);
            meta.DisposalMethod = GifDisposalMethod.NotDispose;
        }
        gif.Metadata.GetGifMetadata().RepeatCount = loopCount is { } n ? (ushort)Math.Clamp(n, 0, 65535) : (ushort)1;

        // ImageSharp applies one quantizer to every frame, so a fixed palette must hold the colours
        // of all frames; when they do not fit, each frame gets its own Wu palette.
        using var file = new MemoryStream();
        var encoder = Palette(rgb) is { } exact
            ? new GifEncoder { Quantizer = new PaletteQuantizer(exact, NoDither), ColorTableMode = GifColorTableMode.Global }
            : new GifEncoder { Quantizer = new WuQuantizer(NoDither), ColorTableMode = GifColorTableMode.Local };
        gif.Save(file, encoder);
        return file.ToArray();
    }

    /// <summary>A single-frame GIF.</summary>
    public static byte[] Gif(RgbaImage image) => Gif([image], [0], loopCount: null);

    private static readonly QuantizerOptions NoDither = new() { Dither = null, MaxColors = 256 };

    /// <summary>The distinct colours of all frames when there are at most 256, else null.</summary>
    private static SixLabors.ImageSharp.Color[]? Palette(Rgb24[][] frames)
    {
        var seen = new HashSet<Rgb24>();
        foreach (var frame in frames)
            foreach (var p in frame)
                if (seen.Add(p) && seen.Count > 256) return null;
        return seen.Select(c => SixLabors.ImageSharp.Color.FromRgb(c.R, c.G, c.B)).ToArray();
    }

    private static Rgb24[] FlattenedRgb(RgbaImage image, bool overWhite)
    {
        var p = image.Pixels;
        var rgb = new Rgb24[image.Width * image.Height];
        for (int i = 0; i < rgb.Length; i++)
        {
            int r = p[4 * i], g = p[4 * i + 1], b = p[4 * i + 2], a = p[4 * i + 3];
            if (overWhite && a < 255)
            {
                r = (r * a + 255 * (255 - a) + 127) / 255;
                g = (g * a + 255 * (255 - a) + 127) / 255;
                b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            rgb[i] = new Rgb24((byte)r, (byte)g, (byte)b);
        }
        return rgb;
    }
}

using System.Text;

namespace Course.Visuals.Tests;

public class EncoderTests
{
    private const string DecodePng = """
import sys
from PIL import Image
im = Image.open(sys.argv[1])
print(im.mode, im.size[0], im.size[1])
sys.stdout.write(im.tobytes().hex())
""";

    private static RgbaImage RandomImage(int w, int h, int seed, bool gray = false, bool opaque = true)
    {
        var rng = new Random(seed);
        var img = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                byte r = (byte)rng.Next(256), g = gray ? r : (byte)rng.Next(256), b = gray ? r : (byte)rng.Next(256);
                // smooth areas as well as noise, so every PNG filter gets chosen somewhere
                if (y % 7 < 3) { r = (byte)(x * 3 + y); g = gray ? r : (byte)(x + 2 * y); b = gray ? r : (byte)(255 - x); }
                img[x, y] = new Color(r, g, b, opaque ? (byte)255 : (byte)rng.Next(256));
            }
        return img;
    }

    [Theory]
    [InlineData(PngChannels.Rgba, "RGBA", 4)]
    [InlineData(PngChannels.Rgb, "RGB", 3)]
    [InlineData(PngChannels.Gray, "L", 1)]
    public void Png_decodes_with_PIL_to_the_exact_pixels(PngChannels type, string mode, int channels)
    {
        var img = RandomImage(67, 41, 3, gray: type == PngChannels.Gray, opaque: type != PngChannels.Rgba);
        var dir = Tools.TempDir("png");
        var path = Path.Combine(dir, "x.png");
        File.WriteAllBytes(path, ImageFiles.Png(img, type));
        var lines = Tools.Py(DecodePng, path).Split('\n', 2);
        Assert.Equal($"{mode} 67 41", lines[0].Trim());
        var expected = new StringBuilder();
        for (int i = 0; i < img.Pixels.Length; i += 4)
            for (int c = 0; c < channels; c++) expected.Append(img.Pixels[i + c].ToString("x2"));
        Assert.Equal(expected.ToString(), lines[1]);
    }

    [Fact]
    public void Png_picks_the_smallest_lossless_colour_type()
    {
        static byte ColorType(byte[] png) => png[25];
        Assert.Equal((byte)0, ColorType(RandomImage(8, 8, 1, gray: true).ToPng()));
        Assert.Equal((byte)2, ColorType(RandomImage(8, 8, 1).ToPng()));
        Assert.Equal((byte)6, ColorType(RandomImage(8, 8, 1, opaque: false).ToPng()));
    }

    [Fact]
    public void Png_decodes_with_ImageMagick_too()
    {
        if (!File.Exists("/usr/bin/convert") && !File.Exists("/usr/local/bin/convert")) Assert.Skip("ImageMagick is not installed");
        var img = RandomImage(20, 10, 5);
        var dir = Tools.TempDir("png-im");
        var path = Path.Combine(dir, "x.png");
        img.Save(path);
        var raw = Path.Combine(dir, "x.rgb");
        var (code, _, err) = Tools.Run("convert", new[] { path, "-depth", "8", "rgb:" + raw });
        Assert.True(code == 0, err);
        var rgb = File.ReadAllBytes(raw);
        Assert.Equal(20 * 10 * 3, rgb.Length);
        for (int i = 0, j = 0; i < img.Pixels.Length; i += 4, j += 3)
        {
            for (int c = 0; c < 3; c++) Assert.Equal(img.Pixels[i + c], rgb[j + c]);
        }
    }

    private const string DecodeGif = """
import sys
from PIL import Image
im = Image.open(sys.argv[1])
print(im.n_frames, im.info.get('loop', 'none'), im.size[0], im.size[1])
for i in range(im.n_frames):
    im.seek(i)
    print(im.info.get('duration', 0), im.convert('RGB').tobytes().hex())
""";

    private static (int Frames, string Loop, List<(int Duration, byte[] Rgb)> Data) ReadGif(byte[] gif)
    {
        var dir = Tools.TempDir("gif");
        var path = Path.Combine(dir, "a.gif");
        File.WriteAllBytes(path, gif);
        var lines = Tools.Py(DecodeGif, path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var head = lines[0].Split(' ');
        var frames = lines.Skip(1).Select(l => { var p = l.Split(' '); return (int.Parse(p[0]), Convert.FromHexString(p[1])); }).ToList();
        return (int.Parse(head[0]), head[1], frames);
    }

    private static void AssertSameRgb(RgbaImage expected, byte[] rgb, int tolerance = 0)
    {
        Assert.Equal(expected.Width * expected.Height * 3, rgb.Length);
        for (int i = 0, j = 0; i < expected.Pixels.Length; i += 4, j += 3)
            for (int c = 0; c < 3; c++)
                if (Math.Abs(expected.Pixels[i + c] - rgb[j + c]) > tolerance)
                    Assert.Fail($"pixel {i / 4} channel {c}: expected {expected.Pixels[i + c]}, decoded {rgb[j + c]}");
    }

    [Fact]
    public void Gif_with_few_colours_decodes_exactly_with_frame_count_delays_and_loop()
    {
        var palette = Enumerable.Range(0, 200).Select(i => new Color((byte)(i * 7), (byte)(255 - i), (byte)(i * 13 % 256))).ToArray();
        var rng = new Random(11);
        var frames = Enumerable.Range(0, 5).Select(f =>
        {
            var img = new RgbaImage(37, 23);
            for (int y = 0; y < 23; y++) for (int x = 0; x < 37; x++) img[x, y] = palette[(x * y + f * 31 + rng.Next(3)) % palette.Length];
            return img;
        }).ToList();
        var gif = ImageFiles.Gif(frames, new[] { 100, 200, 300, 400, 500 }, loopCount: 0);
        var (n, loop, data) = ReadGif(gif);
        Assert.Equal(5, n);
        Assert.Equal("0", loop);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal((i + 1) * 100, data[i].Duration);
            AssertSameRgb(frames[i], data[i].Rgb);
        }
    }

    // ImageSharp's palette lookup caches its answers per cell of 8 levels a channel, so of two palette
    // colours in one cell the first one looked up stands for both: exact for well-separated colours
    // (the test above), off by at most 7 when all 256 gray levels are in use. With the levels uniform
    // and independent the mean error is E|a - b| for a, b uniform on 8 values, (8² - 1) / (3 * 8) =
    // 2.625; over 60,000 pixels a frame its standard error is below 0.01.
    [Fact]
    public void Gif_grayscale_with_all_256_levels_stays_within_the_palette_lookup_cells()
    {
        var rng = new Random(2);
        var frames = Enumerable.Range(0, 3).Select(_ =>
        {
            var img = new RgbaImage(300, 200);
            for (int y = 0; y < 200; y++) for (int x = 0; x < 300; x++) { byte v = (byte)rng.Next(256); img[x, y] = new Color(v, v, v); }
            return img;
        }).ToList();
        var (n, _, data) = ReadGif(ImageFiles.Gif(frames, new[] { 50, 50, 50 }));
        Assert.Equal(3, n);
        for (int i = 0; i < 3; i++)
        {
            var (mean, max) = Error(frames[i], data[i].Rgb);
            Assert.True(max <= 7 && Math.Abs(mean - 2.625) < 0.1, $"frame {i}: mean abs error {mean:0.000}, worst {max}");
        }
    }

    private static (double Mean, int Max) Error(RgbaImage expected, byte[] rgb)
    {
        double sum = 0; int max = 0;
        for (int i = 0, j = 0; i < expected.Pixels.Length; i += 4, j += 3)
            for (int c = 0; c < 3; c++)
            {
                int e = Math.Abs(expected.Pixels[i + c] - rgb[j + c]);
                sum += e; max = Math.Max(max, e);
            }
        return (sum / (expected.Width * expected.Height * 3), max);
    }

    // Over 256 colours ImageSharp's Wu quantizer picks each frame's palette (no dithering). Its
    // histogram has 32 levels a channel, so a smooth gradient lands within about one such level of
    // the truth (measured on these frames: mean 3.8, 2.7, 2.7 and worst 13, 6, 6 of 255).
    [Fact]
    public void Gif_of_full_colour_frames_is_quantized_closely_frame_by_frame()
    {
        var frames = Enumerable.Range(0, 3).Select(f =>
        {
            var img = new RgbaImage(64, 64);
            for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++)
                img[x, y] = f == 0 ? new Color((byte)(x * 4), (byte)(y * 4), (byte)((x + y) * 2))
                                   : new Color((byte)(255 - y * 4), (byte)(f * 60), (byte)(x * 4));
            return img;
        }).ToList();
        var (n, loop, data) = ReadGif(ImageFiles.Gif(frames, [80, 80, 80], loopCount: null));
        Assert.Equal(3, n);
        Assert.Equal("none", loop);
        for (int f = 0; f < 3; f++)
        {
            var (mean, max) = Error(frames[f], data[f].Rgb);
            Assert.True(mean < 4.5 && max <= 16, $"frame {f}: mean abs error {mean:0.00}, worst {max}");
        }
    }

    [Fact]
    public void Gif_loop_count_is_written_as_asked()
    {
        var a = new RgbaImage(4, 4, Color.White);
        var b = new RgbaImage(4, 4, (Color)"#1f77b4");
        Assert.Equal("3", ReadGif(ImageFiles.Gif([a, b], [100, 100], loopCount: 3)).Loop);
        Assert.Equal("0", ReadGif(ImageFiles.Gif([a, b], [100, 100], loopCount: 0)).Loop);
        Assert.Equal("none", ReadGif(ImageFiles.Gif([a, b], [100, 100], loopCount: null)).Loop);
    }

    [Fact]
    public void Gif_rejects_frames_of_different_sizes_and_missing_delays()
    {
        var a = new RgbaImage(4, 4, Color.White);
        Assert.Throws<ArgumentException>(() => ImageFiles.Gif([a, new RgbaImage(5, 4, Color.White)], [10, 10]));
        Assert.Throws<ArgumentException>(() => ImageFiles.Gif([a, a], [10]));
        Assert.Throws<ArgumentException>(() => ImageFiles.Gif([], []));
    }

    [Fact]
    public void Animation_gif_has_one_frame_per_parameter_value()
    {
        var anim = Animation.Of(new[] { 0, 10, 20, 30 }, t => new Figure(200, 160).Line(new[] { 0.0, 1, 2 }, new[] { 0.0, t, 0 }), "t", cancellationToken: TestContext.Current.CancellationToken).Delay(70);
        var (n, _, data) = ReadGif(anim.ToGif());
        Assert.Equal(4, n);
        Assert.Equal(70, data[0].Duration);
        Assert.Equal(70 + anim.FinalPauseMs, data[3].Duration);
        // frames differ (the slider knob moves and the line changes)
        Assert.NotEqual(Convert.ToHexString(data[0].Rgb), Convert.ToHexString(data[3].Rgb));
        // anti-aliased frames hold more than 256 colours together; each decodes close to what was drawn
        var drawn = anim.RenderFrames().ToList();
        for (int i = 0; i < 4; i++)
        {
            var (mean, max) = Error(drawn[i], data[i].Rgb);
            // measured: mean 0.04 to 0.06, worst 7 (Wu palettes; almost every pixel is a flat colour)
            Assert.True(mean < 0.5 && max <= 16, $"frame {i}: mean abs error {mean:0.00}, worst {max}");
        }
    }

    [Fact]
    public void Rendered_figure_png_decodes_to_the_rasterized_pixels()
    {
        var fig = new Figure(320, 240).Title("check").Scatter(new[] { 1.0, 2, 3 }, new[] { 3.0, 1, 2 }, name: "p");
        var img = fig.ToImage();
        var dir = Tools.TempDir("figpng");
        var path = Path.Combine(dir, "f.png");
        fig.Save(path);
        var lines = Tools.Py(DecodePng + "\n", path).Split('\n', 2);
        Assert.Equal("RGB 320 240", lines[0].Trim());
        var rgb = Convert.FromHexString(lines[1]);
        AssertSameRgb(img, rgb);
    }
}

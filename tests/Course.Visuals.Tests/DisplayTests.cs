using System.Reflection;

namespace Course.Visuals.Tests;

public class DisplayTests
{
    // What a .NET Interactive kernel does: find the attribute by name only, then use the convention by reflection.
    private static (string[] Preferred, List<object> Formatters) Discover(Type t)
    {
        var attr = t.GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var at = attr.GetType();
        var sourceType = (Type)at.GetProperty("FormatterSourceType")!.GetValue(attr)!;
        var preferred = (string[])at.GetProperty("PreferredMimeTypes")!.GetValue(attr)!;
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = ((IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).ToList();
        return (preferred, formatters);
    }

    private static string Format(List<object> formatters, object value, string mime)
    {
        var f = formatters.First(o =>
            (string)o.GetType().GetProperty("MimeType")!.GetValue(o)! == mime &&
            ((Type)o.GetType().GetProperty("Type")!.GetValue(o)!).IsInstanceOfType(value));
        var w = new StringWriter();
        var ok = (bool)f.GetType().GetMethod("Format", new[] { typeof(object), typeof(TextWriter) })!.Invoke(f, new[] { value, w })!;
        Assert.True(ok);
        return w.ToString();
    }

#if COURSE_ENGINE_TORCHSHARP
    [Fact]
    public void Bare_tensors_display_as_TorchSharp_text_on_TorchSharp()
    {
        // TorchSharp's Tensor carries its own TypeFormatterSourceAttribute (no preferred MIME types, no
        // picture): a bare tensor shows as its text there; x.Summary() gives the picture on both engines.
        var attr = typeof(TorchSharp.torch.Tensor).GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        Assert.Equal("TorchSharp", attr.GetType().Assembly.GetName().Name);
        Assert.Null(attr.GetType().GetProperty("PreferredMimeTypes"));
        using var images = TorchSharp.torch.rand(4, 1, 8, 8);
        Assert.Contains("4x1x8x8", images.ToString());
        var png = images.Summary().Render().ToPng();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
#else
    [Fact]
    public void Bare_tensors_display_their_values_first_and_a_summary_picture_when_visuals_is_loaded()
    {
        // A front end shows the richest MIME type, HTML: it carries the values, as the lessons promise,
        // then (for more than a few values) Visuals' summary picture. No formatter writes an empty body.
        var (preferred, formatters) = Discover(typeof(TorchSharp.torch.Tensor));
        Assert.Equal(new[] { "text/html", "text/plain" }, preferred);
        using var images = TorchSharp.torch.rand(4, 1, 8, 8);
        Assert.StartsWith("tensor [4, 1, 8, 8], float32, cpu", Format(formatters, images, "text/plain"));
        var html = Format(formatters, images, "text/html");
        Assert.StartsWith("<div><pre>tensor [4, 1, 8, 8], float32, cpu", html);
        var picture = html.IndexOf("<img src=\"data:image/png;base64,", StringComparison.Ordinal);
        Assert.True(picture > 0, "the summary picture follows the values");
        var start = picture + "<img src=\"data:image/png;base64,".Length;
        var png = Convert.FromBase64String(html[start..html.IndexOf('"', start)]);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        using var table = TorchSharp.torch.arange(6).reshape(2, 3);
        var small = Format(formatters, table, "text/html");
        Assert.Contains("[[0, 1, 2],", small);
        Assert.DoesNotContain("<img", small);
        Assert.DoesNotContain(formatters, f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)! == "image/png");
    }
#endif

    [Fact]
    public void Attribute_has_the_shape_the_kernel_expects()
    {
        var at = typeof(Course.Visuals.Display.TypeFormatterSourceAttribute);
        Assert.NotNull(at.GetConstructor(new[] { typeof(Type) }));
        Assert.Equal(typeof(Type), at.GetProperty("FormatterSourceType")!.PropertyType);
        Assert.Equal(typeof(string[]), at.GetProperty("PreferredMimeTypes")!.PropertyType);
    }

    private static string PngOf(string imgTag)
    {
        const string prefix = "<img src=\"data:image/png;base64,";
        var start = imgTag.IndexOf(prefix, StringComparison.Ordinal);
        Assert.True(start >= 0, "no PNG <img> in the HTML");
        start += prefix.Length;
        return imgTag[start..imgTag.IndexOf('"', start)];
    }

    [Fact]
    public void Charts_show_as_plotly_with_their_png_and_pictures_as_their_png()
    {
        var (preferred, formatters) = Discover(typeof(Figure));
        Assert.Equal(new[] { "text/html", "image/png" }, preferred);

        // a chart: the HTML is Plotly.NET's chart, with the same PNG as image/png shown until plotly.js draws
        var chart = new Figure(300, 200).Line(new[] { 1.0, 2, 4 }, name: "loss").Scatter(new[] { 0.0, 1 }, new[] { 1.0, 2 });
        Assert.True(chart.IsChart);
        var png = Format(formatters, chart, "image/png");
        Assert.Equal(new byte[] { 137, 80, 78, 71 }, Convert.FromBase64String(png)[..4]);
        var html = Format(formatters, chart, "text/html");
        Assert.StartsWith("<div class=\"course-chart\"><img src=\"data:image/png;base64,", html);
        Assert.Equal(png, PngOf(html));
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("\"name\":\"loss\"", html);
        Assert.Contains("previousElementSibling.remove()", html);

        // a picture: the HTML is its PNG and nothing else
        using var cloud = TorchSharp.torch.randn(500, 2);
        foreach (var picture in new[]
        {
            new Figure(300, 200).Scatter(cloud),
            new Figure(300, 200).Heatmap(new double[,] { { 0, 1 }, { 1, 0 } }),
            new Figure(300, 200).Image(new RgbaImage(4, 4)),
            new Figure(300, 200).Line(new[] { 1.0, 2 }).Quiver(new[] { 0.0 }, new[] { 0.0 }, new[] { 1.0 }, new[] { 1.0 }),
        })
        {
            Assert.False(picture.IsChart);
            var img = Format(formatters, picture, "text/html");
            Assert.Equal(Format(formatters, picture, "image/png"), PngOf(img));
            Assert.DoesNotContain("Plotly", img);
            Assert.StartsWith("<img ", img);
        }
    }

    [Fact]
    public void A_chart_is_lines_or_histograms_of_a_readable_size()
    {
        Assert.True(new Figure().Histogram(Values.Linspace(0, 1, 1000)).IsChart);
        Assert.True(new Figure().Line(new[] { 1.0, 2 }).Scatter(new[] { 0.0 }, new[] { 1.0 }).IsChart); // a curve with marked points
        Assert.True(new Figure().Scatter(new[] { 0.0, 1 }, new[] { 1.0, 2 }).IsChart);                 // a few measured points
        var cloud = Values.Linspace(0, 1, Figure.ChartMarkerLimit + 1);
        Assert.False(new Figure().Scatter(cloud, cloud).IsChart);                                        // markers alone: a point cloud
        Assert.False(new Figure().IsChart);
        var limit = Figure.ChartValueLimit;
        Assert.True(new Figure().Line(Values.Linspace(0, 1, limit)).IsChart);
        Assert.False(new Figure().Line(Values.Linspace(0, 1, limit / 2 + 1)).Line(Values.Linspace(0, 1, limit / 2)).IsChart);
        var grid = new Figure().Subplots(4, 4);
        for (int k = 0; k < 16; k++) grid.At(k).Line(new[] { 1.0, k });
        Assert.False(grid.IsChart);
    }

    [Fact]
    public void Animation_progress_and_tensor_summary_render()
    {
        var anim = Animation.Of(new[] { 0, 1 }, k => new Figure(200, 150).Line(new[] { 0.0, k + 1 }), cancellationToken: TestContext.Current.CancellationToken);
        var (prefA, fA) = Discover(typeof(Animation));
        Assert.Equal("image/gif", prefA[0]);
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(Format(fA, anim, "image/gif"))[..6]));

        var p = new TrainingProgress(100, "train");
        var (_, fP) = Discover(typeof(TrainingProgress));
        Assert.NotEmpty(Convert.FromBase64String(Format(fP, p.Report(10, 0.5), "image/png")));
        Assert.Contains("10/100", Format(fP, p, "text/plain"));

        var s = new TensorSummary(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        var (_, fS) = Discover(typeof(TensorSummary));
        Assert.NotEmpty(Convert.FromBase64String(Format(fS, s, "image/png")));
    }

    [Fact]
    public void Training_progress_tracks_speed_eta_and_smoothed_loss()
    {
        double seconds = 0;
        var p = new TrainingProgress(1000, clock: () => TimeSpan.FromSeconds(seconds));
        for (int i = 1; i <= 100; i++) { seconds = i * 0.5; p.Report(i * 2, 1.0); }
        Assert.Equal(200, p.Step);
        Assert.Equal(4.0, p.StepsPerSecond, 6);
        Assert.Equal(TimeSpan.FromSeconds(200), p.Eta);
        Assert.Equal(1.0, p.SmoothedLoss!.Value, 9);
        Assert.Equal(0.2, p.Fraction, 9);
        // A loss that is still falling: the shown value follows the latest reports, not the run's mean.
        var falling = new TrainingProgress(100);
        for (int i = 1; i <= 40; i++) falling.Report(i, 1.0 / i);
        Assert.Equal(new[] { 37, 38, 39, 40 }.Average(k => 1.0 / k), falling.SmoothedLoss!.Value, 12);
        p.Report(1000, 0.5);
        Assert.True(p.Finished);
        Assert.Null(p.Eta);
        Assert.Contains("done in", p.ToString());
    }

    [Fact]
    public void Tensor_summary_statistics_and_image_detection()
    {
        var data = new float[] { -1, 0, 1, 2, float.NaN };
        var s = new TensorSummary(data, new long[] { 5 }, "float32", "cpu");
        Assert.Equal(-1, s.Min);
        Assert.Equal(2, s.Max);
        Assert.Equal(0.5, s.Mean, 9);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.Std, 6);
        Assert.Equal(1, s.NonFinite);
        Assert.Null(s.Images);
        Assert.Contains("[5]", s.ToString());

        var img = new TensorSummary(new float[2 * 1 * 8 * 8], new long[] { 2, 1, 8, 8 });
        Assert.NotNull(img.Images);
        Assert.Equal(2, img.Images!.Count);
    }

    [Fact]
    public void Image_batches_map_value_ranges_to_bytes()
    {
        var b = new ImageBatch(new float[] { -1, 0, 1, 0.5f }, 2, 2);
        Assert.Equal(PixelRange.MinusOneToOne, b.Range);
        var img = b.ToImage();
        Assert.Equal(new byte[] { 0, 128, 255, 191 }, new[] { img[0, 0].R, img[1, 0].R, img[0, 1].R, img[1, 1].R });

        var rgb = new ImageBatch(new float[] { 1, 0, 0, 1, 0, 0 }, 3, 1, 2);
        Assert.Equal(new Color(255, 0, 0), rgb.ToImage()[0, 0]);
        Assert.Equal(new Color(0, 255, 0), rgb.ToImage()[1, 0]);
        Assert.Throws<ArgumentException>(() => new ImageBatch(new float[12], 1, 2, 2, 3)); // NHWC is refused with a hint
    }
}

using Course.Notebooks.Ipynb;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Tests;

/// <summary>A look-alike of .NET Interactive's attribute: the engine matches it by name only.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[]? PreferredMimeTypes { get; set; }
}

public sealed class PngFormatter
{
    public string MimeType => "image/png";

    public Type Type => typeof(Picture);

    public bool Format(object instance, TextWriter writer)
    {
        var picture = (Picture)instance;
        // Wrapped like a long base64 line from some encoders: the engine strips the whitespace.
        var base64 = Convert.ToBase64String(picture.Png);
        writer.Write(base64[..4] + "\n" + base64[4..]);
        return true;
    }
}

public sealed class HtmlFormatter
{
    public string MimeType => "text/html";

    public Type Type => typeof(Picture);

    public bool Format(object instance, TextWriter writer)
    {
        writer.Write($"<b>{((Picture)instance).Caption}</b>");
        return true;
    }
}

public sealed class PictureFormatters
{
    public IEnumerable<object> CreateTypeFormatters() => [new HtmlFormatter(), new PngFormatter()];
}

[TypeFormatterSource(typeof(PictureFormatters), PreferredMimeTypes = ["image/png"])]
public class Picture(string caption)
{
    // The 8-byte PNG signature, then a fake chunk: enough to check the bytes arrive unchanged.
    public byte[] Png { get; } = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

    public string Caption { get; } = caption;

    public override string ToString() => $"Picture({Caption})";
}

/// <summary>The attribute is found on a base type too.</summary>
public sealed class Photo(string caption) : Picture(caption);

/// <summary>The course's display types are found by the real kernel through the attribute-name
/// convention (.NET Interactive's Formatter), with no reference to the kernel in the library.</summary>
public class FormatterTests
{
    private static async Task<NotebookKernel> KernelWithTestTypes()
    {
        var kernel = new NotebookKernel();
        var r = await kernel.ExecuteCellAsync($"#r \"{typeof(Picture).Assembly.Location}\"\nusing Course.Notebooks.Tests;");
        Assert.True(r.Succeeded, r.Failure);
        return kernel;
    }

    [Fact]
    public async Task PreferredMimeTypeIsWhatTheKernelShowsAndTheBytesArriveUnchanged()
    {
        using var kernel = await KernelWithTestTypes();
        var r = await kernel.ExecuteCellAsync("new Photo(\"cat\")");
        Assert.True(r.Succeeded, r.Failure);
        var value = r.Outputs.OfType<DisplayOutput>().Single(o => o.IsResult).Value;
        Assert.Equal("image/png", value.Data[0].Key);
        Assert.Equal(Convert.ToBase64String(new Picture("x").Png), value["image/png"]!.Replace("\n", ""));
        Assert.DoesNotContain(value.Data, d => d.Key == "text/html");

        var asHtml = await kernel.ExecuteCellAsync("display(new Photo(\"dog\"), \"text/html\");");
        Assert.Equal("<b>dog</b>", asHtml.Outputs.OfType<DisplayOutput>().Single().Value["text/html"]);
    }

    [Fact]
    public async Task ANotebookShowsAPictureAsPng()
    {
        using var dir = new TempDir();
        var testAssembly = typeof(Picture).Assembly.Location;
        var path = TestNotebooks.Write(dir.File("pictures.ipynb"),
            $"#r \"{testAssembly}\"\nusing Course.Notebooks.Tests;",
            "new Picture(\"result\")",
            "display(new Photo(\"shown\"));");
        var result = await NotebookRunner.RunAsync(path);
        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        var cells = result.Executed.Cells;
        var resultOutput = cells[1]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("execute_result", resultOutput["output_type"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(new Picture("x").Png), resultOutput["data"]!["image/png"]!.GetValue<string>().Replace("\n", ""));
        var shown = cells[2]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("display_data", shown["output_type"]!.GetValue<string>());
        Assert.NotNull(shown["data"]!["image/png"]);

        var executed = dir.File("out/pictures.ipynb");
        result.Executed.Save(executed);
        Nbformat.AssertValid(executed);
    }
}

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

/// <summary>A formatter whose Format takes a context object built from the writer, like .NET Interactive's FormatContext.</summary>
public sealed class Context(TextWriter writer)
{
    public TextWriter Writer { get; } = writer;
}

public sealed class ContextFormatter
{
    public string MimeType => "text/html";

    public Type Type => typeof(Labelled);

    public bool Format(object instance, Context context)
    {
        context.Writer.Write("<i>labelled</i>");
        return true;
    }
}

public sealed class ContextFormatters
{
    public IEnumerable<object> CreateTypeFormatters() => [new ContextFormatter()];
}

[TypeFormatterSource(typeof(ContextFormatters))]
public sealed class Labelled;

public class FormatterTests
{
    [Fact]
    public void PreferredMimeTypeComesFirstAndPlainTextIsIncluded()
    {
        var value = DisplayFormatter.Format(new Photo("cat"));
        Assert.Equal(["image/png", "text/plain"], value.Data.Select(d => d.Key));
        Assert.Equal(Convert.ToBase64String(new Picture("x").Png), value["image/png"]);
        Assert.Equal("<b>cat</b>", DisplayFormatter.Format(new Photo("cat"), ["text/html"])["text/html"]);
        Assert.Equal("Picture(cat)", value["text/plain"]);
    }

    [Fact]
    public void ContextOverloadIsAccepted()
    {
        var value = DisplayFormatter.Format(new Labelled());
        Assert.Equal("<i>labelled</i>", value["text/html"]);
    }

    [Fact]
    public void PlainTextDefaults()
    {
        Assert.Equal("[ 1, 2, 3 ]", DisplayFormatter.ToPlainText(new[] { 1, 2, 3 }));
        Assert.Equal("[ \"a\", \"b\" ]", DisplayFormatter.ToPlainText(new List<string> { "a", "b" }));
        Assert.Equal("{ \"k\": 0.5 }", DisplayFormatter.ToPlainText(new Dictionary<string, double> { ["k"] = 0.5 }));
        Assert.Equal("0.1", DisplayFormatter.ToPlainText(0.1));
        Assert.Equal("<null>", DisplayFormatter.ToPlainText(null));
        Assert.StartsWith("[ 0, 1, 2,", DisplayFormatter.ToPlainText(Enumerable.Range(0, 100).ToArray()));
        Assert.EndsWith("... ] (100 items)", DisplayFormatter.ToPlainText(Enumerable.Range(0, 100).ToArray()));
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
        Assert.Equal(Convert.ToBase64String(new Picture("x").Png), resultOutput["data"]!["image/png"]!.GetValue<string>());
        var shown = cells[2]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("display_data", shown["output_type"]!.GetValue<string>());
        Assert.NotNull(shown["data"]!["image/png"]);
        Assert.NotNull(shown["data"]!["text/plain"]);

        var executed = dir.File("out/pictures.ipynb");
        result.Executed.Save(executed);
        Nbformat.AssertValid(executed);
    }
}

/// <summary>The attribute may sit on an interface the value implements.</summary>
[TypeFormatterSource(typeof(ShapeFormatters), PreferredMimeTypes = ["text/html"])]
public interface IShape;

public sealed class Square : IShape;

public sealed class ShapeFormatter
{
    public string MimeType => "text/html";

    public Type Type => typeof(IShape);

    public bool Format(object instance, TextWriter writer)
    {
        writer.Write("<svg>square</svg>");
        return true;
    }
}

public sealed class ShapeFormatters
{
    public IEnumerable<object> CreateTypeFormatters() => [new ShapeFormatter()];
}

public class InterfaceFormatterTests
{
    [Fact]
    public void AttributeOnAnInterfaceIsFound()
    {
        var value = DisplayFormatter.Format(new Square());
        Assert.Equal(["text/html", "text/plain"], value.Data.Select(d => d.Key));
        Assert.Equal("<svg>square</svg>", value["text/html"]);
    }
}

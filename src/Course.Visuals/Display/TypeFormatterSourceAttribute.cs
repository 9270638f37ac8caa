namespace Course.Visuals.Display;

/// <summary>
/// Tells a .NET Interactive kernel how to display a type, without referencing the kernel: the kernel
/// finds this attribute by its name, creates <see cref="FormatterSourceType"/>, calls its
/// <c>CreateTypeFormatters()</c>, and uses each formatter's <c>MimeType</c>, <c>Type</c> and
/// <c>Format(object, TextWriter)</c>. <see cref="PreferredMimeTypes"/> picks what a cell output shows.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, Inherited = true)]
public sealed class TypeFormatterSourceAttribute : Attribute
{
    public TypeFormatterSourceAttribute(Type formatterSourceType) => FormatterSourceType = formatterSourceType;

    public Type FormatterSourceType { get; }

    public string[] PreferredMimeTypes { get; set; } = Array.Empty<string>();
}

/// <summary>One formatter in the convention's shape: a MIME type, the type it formats, and Format.</summary>
public sealed class VisualFormatter
{
    private readonly Func<object, TextWriter, bool> _format;

    public VisualFormatter(Type type, string mimeType, Func<object, TextWriter, bool> format)
    {
        Type = type;
        MimeType = mimeType;
        _format = format;
    }

    public string MimeType { get; }
    public Type Type { get; }

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is null || !Type.IsInstanceOfType(instance)) return false;
        return _format(instance, writer);
    }
}

using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Course.Notebooks.Kernel;

/// <summary>
/// Turns objects into MIME bundles. Formatters are found by the .NET Interactive convention, by
/// reflection only, so a library needs no reference to any kernel: the object's type (or a base
/// type) carries an attribute whose type is named <c>TypeFormatterSourceAttribute</c>, with a
/// <c>Type FormatterSourceType</c> and optionally <c>string[] PreferredMimeTypes</c>. The source's
/// <c>CreateTypeFormatters()</c> returns objects with <c>string MimeType</c>, <c>Type Type</c> and
/// <c>bool Format(object, TextWriter)</c>. Everything else falls back to a plain-text rendering.
/// </summary>
public static class DisplayFormatter
{
    public const string PlainText = "text/plain";

    private static readonly ConcurrentDictionary<Type, TypeFormatters> Cache = new();

    /// <summary>Formats <paramref name="value"/>; <paramref name="mimeTypes"/>, when given, choose which
    /// formats to produce (text/plain is always included).</summary>
    public static FormattedValue Format(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        var data = new List<KeyValuePair<string, string>>();
        string? plain = null;
        if (value is not null)
        {
            var formatters = Cache.GetOrAdd(value.GetType(), Discover);
            var wanted = mimeTypes is { Count: > 0 } ? mimeTypes : formatters.PreferredOrder;
            foreach (var mime in wanted.Distinct())
            {
                var formatter = formatters.For(mime);
                if (formatter is null) continue;
                var text = formatter.Format(value);
                if (text is null) continue;
                if (mime == "image/png") text = StripWhitespace(text);
                if (mime == PlainText) plain = text;
                else data.Add(new(mime, text));
            }
            if (plain is null && formatters.For(PlainText) is { } plainFormatter)
                plain = plainFormatter.Format(value);
        }
        data.Add(new(PlainText, plain ?? ToPlainText(value)));
        return new FormattedValue(data);
    }

    /// <summary>The text/plain rendering used when no formatter applies.</summary>
    public static string ToPlainText(object? value)
    {
        var sb = new StringBuilder();
        AppendPlain(sb, value, depth: 0);
        return sb.ToString();
    }

    private const int MaxItems = 20;

    private static void AppendPlain(StringBuilder sb, object? value, int depth)
    {
        switch (value)
        {
            case null:
                sb.Append("<null>");
                return;
            case string s:
                sb.Append(depth == 0 ? s : "\"" + s + "\"");
                return;
            case char c:
                sb.Append(depth == 0 ? c.ToString() : "'" + c + "'");
                return;
            case bool b:
                sb.Append(b ? "True" : "False");
                return;
            case double d:
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            case float f:
                sb.Append(f.ToString("R", CultureInfo.InvariantCulture));
                return;
            case IFormattable formattable when value.GetType().IsPrimitive || value is decimal:
                sb.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                return;
        }

        if (depth < 3 && value is IDictionary dictionary)
        {
            sb.Append("{ ");
            var i = 0;
            foreach (DictionaryEntry entry in dictionary)
            {
                if (i > 0) sb.Append(", ");
                if (i++ == MaxItems) { sb.Append("..."); break; }
                AppendPlain(sb, entry.Key, depth + 1);
                sb.Append(": ");
                AppendPlain(sb, entry.Value, depth + 1);
            }
            sb.Append(i == 0 ? "}" : " }");
            return;
        }

        if (depth < 3 && value is IEnumerable sequence && !HasOwnToString(value.GetType()))
        {
            sb.Append("[ ");
            var i = 0;
            foreach (var item in sequence)
            {
                if (i > 0) sb.Append(", ");
                if (i++ == MaxItems) { sb.Append("..."); break; }
                AppendPlain(sb, item, depth + 1);
            }
            sb.Append(i == 0 ? "]" : " ]");
            if (value is ICollection collection && collection.Count > MaxItems)
                sb.Append(CultureInfo.InvariantCulture, $" ({collection.Count} items)");
            return;
        }

        sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
    }

    private static bool HasOwnToString(Type type)
    {
        var method = type.GetMethod(nameof(ToString), Type.EmptyTypes);
        var declaring = method?.DeclaringType;
        return declaring is not null && declaring != typeof(object) && declaring != typeof(ValueType)
               && !declaring.IsGenericType && declaring.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;
    }

    private static string StripWhitespace(string text)
    {
        if (!text.Any(char.IsWhiteSpace)) return text;
        return new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
    }

    private static TypeFormatters Discover(Type type)
    {
        var formatters = new List<ReflectedFormatter>();
        var preferred = new List<string>();
        var seenSources = new HashSet<Type>();
        var hierarchy = new List<Type>();
        for (var t = type; t is not null; t = t.BaseType) hierarchy.Add(t);
        hierarchy.AddRange(type.GetInterfaces());
        foreach (var t in hierarchy)
        {
            foreach (var attribute in t.GetCustomAttributes(inherit: false))
            {
                var attributeType = attribute.GetType();
                if (attributeType.Name != "TypeFormatterSourceAttribute") continue;
                if (attributeType.GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType) continue;
                if (attributeType.GetProperty("PreferredMimeTypes")?.GetValue(attribute) is string[] mimes)
                    preferred.AddRange(mimes.Where(m => !preferred.Contains(m)));
                if (seenSources.Add(sourceType)) formatters.AddRange(CreateFormatters(sourceType, type));
            }
        }
        // Preferred MIME types (the most derived type's first) choose what is shown, as in .NET
        // Interactive; without any, every MIME type the formatters offer is shown.
        if (preferred.Count == 0)
            foreach (var f in formatters)
                if (!preferred.Contains(f.MimeType)) preferred.Add(f.MimeType);
        if (!preferred.Contains(PlainText)) preferred.Add(PlainText);
        return new TypeFormatters(formatters, preferred);
    }

    private static IEnumerable<ReflectedFormatter> CreateFormatters(Type sourceType, Type valueType)
    {
        object? source;
        try
        {
            source = Activator.CreateInstance(sourceType, nonPublic: true);
        }
        catch (Exception e)
        {
            ConsoleRouter.OriginalError.WriteLine($"warning: formatter source {sourceType} could not be created: {e.Message}");
            yield break;
        }
        var create = sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);
        if (source is null || create?.Invoke(source, null) is not IEnumerable created) yield break;
        foreach (var formatter in created)
        {
            if (formatter is null) continue;
            var ft = formatter.GetType();
            if (ft.GetProperty("MimeType")?.GetValue(formatter) is not string mime) continue;
            var forType = ft.GetProperty("Type")?.GetValue(formatter) as Type ?? typeof(object);
            if (!forType.IsAssignableFrom(valueType)) continue;
            var reflected = ReflectedFormatter.TryCreate(formatter, mime);
            if (reflected is not null) yield return reflected;
        }
    }

    private sealed class TypeFormatters(List<ReflectedFormatter> formatters, List<string> preferredOrder)
    {
        public IReadOnlyList<string> PreferredOrder { get; } = preferredOrder;

        public ReflectedFormatter? For(string mimeType) => formatters.FirstOrDefault(f => f.MimeType == mimeType);
    }

    /// <summary>A formatter object seen through reflection: Format(object, TextWriter), or
    /// Format(object, context) where the context is built from a TextWriter (as .NET Interactive's
    /// FormatContext is).</summary>
    private sealed class ReflectedFormatter
    {
        private readonly object _target;
        private readonly MethodInfo _format;
        private readonly Func<TextWriter, object?[]>? _arguments;

        private ReflectedFormatter(object target, string mimeType, MethodInfo format, Func<TextWriter, object?[]> arguments)
        {
            _target = target;
            MimeType = mimeType;
            _format = format;
            _arguments = arguments;
        }

        public string MimeType { get; }

        public static ReflectedFormatter? TryCreate(object target, string mimeType)
        {
            var methods = target.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == "Format").ToList();
            foreach (var m in methods)
            {
                var p = m.GetParameters();
                if (p.Length == 2 && p[1].ParameterType.IsAssignableFrom(typeof(StringWriter)))
                    return new ReflectedFormatter(target, mimeType, m, w => [null, w]);
            }
            foreach (var m in methods)
            {
                var p = m.GetParameters();
                if (p.Length == 3 && p[1].ParameterType.IsAssignableFrom(typeof(StringWriter)))
                    return new ReflectedFormatter(target, mimeType, m, w => [null, w, null]);
                if (p.Length == 2 && p[1].ParameterType.GetConstructor([typeof(TextWriter)]) is { } ctor)
                    return new ReflectedFormatter(target, mimeType, m, w => [null, ctor.Invoke([w])]);
            }
            return null;
        }

        public string? Format(object value)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            var args = _arguments!(writer);
            args[0] = value;
            try
            {
                var handled = _format.Invoke(_target, args);
                if (handled is false) return null;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new FormatterException(MimeType, value.GetType(), e.InnerException);
            }
            return writer.ToString();
        }
    }
}

/// <summary>A formatter threw while rendering a value.</summary>
public sealed class FormatterException(string mimeType, Type type, Exception inner)
    : Exception($"The {mimeType} formatter for {type} failed: {inner.Message}", inner);

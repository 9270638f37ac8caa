using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Course.Notebooks.Html;

/// <summary>Just enough C# colouring for the course page: comments, strings, keywords, numbers, directives.</summary>
public static partial class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false",
        "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "init", "int", "interface", "internal", "is",
        "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "record", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "var", "virtual", "void", "volatile", "when", "where", "while", "with", "yield", "nameof", "not", "and", "or",
    ];

    public static string ToHtml(string code)
    {
        var html = new StringBuilder();
        var last = 0;
        foreach (Match m in Token().Matches(code))
        {
            html.Append(WebUtility.HtmlEncode(code[last..m.Index]));
            var text = WebUtility.HtmlEncode(m.Value);
            var cls = m.Groups["comment"].Success ? "c"
                : m.Groups["directive"].Success ? "d"
                : m.Groups["string"].Success ? "s"
                : m.Groups["number"].Success ? "n"
                : m.Groups["word"].Success && Keywords.Contains(m.Value) ? "k"
                : m.Groups["word"].Success && char.IsUpper(m.Value[0]) ? "t"
                : null;
            html.Append(cls is null ? text : $"<span class=\"{cls}\">{text}</span>");
            last = m.Index + m.Length;
        }
        html.Append(WebUtility.HtmlEncode(code[last..]));
        return html.ToString();
    }

    [GeneratedRegex(@"(?<comment>//[^\n]*|/\*.*?\*/)|(?<directive>^[ \t]*#[!a-z][^\n]*)|(?<string>\$?@""(?:[^""]|"""")*""|\$?""(?:[^""\\\n]|\\.)*""|'(?:[^'\\\n]|\\.)')|(?<number>\b\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?[fFdDmMlLuU]*\b)|(?<word>\b[A-Za-z_][A-Za-z0-9_]*\b)",
        RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Token();
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Course.Notebooks.Translation;

/// <summary>What kind of text a translation unit is; it decides what a translation of it may be.</summary>
public enum UnitKind
{
    /// <summary>A markdown cell's whole source.</summary>
    Markdown,
    /// <summary>A <c>//</c> comment, from the slashes to the end of its line (trailing whitespace trimmed).</summary>
    LineComment,
    /// <summary>A <c>/* ... */</c> comment.</summary>
    BlockComment,
    /// <summary>A string literal token: "...", @"...", raw """...""", with or without u8.</summary>
    StringLiteral,
    /// <summary>An interpolated string, from its <c>$</c> to its closing quote, holes included.</summary>
    InterpolatedString,
}

/// <summary>A piece of a code cell that carries words: a comment or a string literal, where it is in the cell.</summary>
public readonly record struct CodeSpan(int Start, int Length, string Text, UnitKind Kind);

/// <summary>
/// The words of C# code, found with Roslyn (a notebook cell parses as a script): its comments and string literals,
/// everything a translation may change. The rest of the code, the program, must stay as it is: <see cref="Program"/>
/// is the code with the comments left out and each literal's text replaced by its kind (and, for an interpolated
/// string, its holes), so two cells are the same program exactly when their <see cref="Program"/>s are equal.
/// </summary>
public static class CodeText
{
    public static readonly CSharpParseOptions ScriptOptions =
        new(LanguageVersion.Preview, DocumentationMode.Parse, SourceCodeKind.Script);

    /// <summary>The comments and string literals of <paramref name="code"/>, in order. An interpolated string is one
    /// span, holes and all; a literal or comment inside one of its holes belongs to it. A <c>///</c> comment gives one
    /// span a line, like <c>//</c>.</summary>
    public static IReadOnlyList<CodeSpan> Find(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, ScriptOptions).GetRoot();
        var spans = new List<CodeSpan>();
        var interpolated = root.DescendantNodes(descendIntoTrivia: true).OfType<InterpolatedStringExpressionSyntax>()
            .Where(n => !n.Ancestors().OfType<InterpolatedStringExpressionSyntax>().Any())
            .ToList();
        bool InsideInterpolated(int position) => interpolated.Any(n => n.Span.Contains(position));
        foreach (var node in interpolated)
            spans.Add(new CodeSpan(node.SpanStart, node.Span.Length, node.ToString(), UnitKind.InterpolatedString));
        foreach (var token in root.DescendantTokens(descendIntoTrivia: true))
            if (IsStringLiteral(token) && !InsideInterpolated(token.SpanStart) && !InDocumentationComment(token))
                spans.Add(new CodeSpan(token.SpanStart, token.Span.Length, token.Text, UnitKind.StringLiteral));
        foreach (var trivia in root.DescendantTrivia(descendIntoTrivia: true))
        {
            if (InsideInterpolated(trivia.FullSpan.Start)) continue;
            switch (trivia.Kind())
            {
                case SyntaxKind.SingleLineCommentTrivia:
                    var text = trivia.ToString().TrimEnd();
                    spans.Add(new CodeSpan(trivia.SpanStart, text.Length, text, UnitKind.LineComment));
                    break;
                case SyntaxKind.MultiLineCommentTrivia:
                    spans.Add(new CodeSpan(trivia.SpanStart, trivia.Span.Length, trivia.ToString(), UnitKind.BlockComment));
                    break;
                case SyntaxKind.SingleLineDocumentationCommentTrivia:
                    spans.AddRange(DocumentationLines(code, trivia.FullSpan));
                    break;
                case SyntaxKind.MultiLineDocumentationCommentTrivia:
                    // structured trivia: its Span leaves out the opening /** (leading trivia of its first token)
                    var full = code.Substring(trivia.FullSpan.Start, trivia.FullSpan.Length).TrimEnd();
                    spans.Add(new CodeSpan(trivia.FullSpan.Start, full.Length, full, UnitKind.BlockComment));
                    break;
            }
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        return spans;
    }

    /// <summary>Each line of a <c>///</c> comment, from its slashes to the end of the line.</summary>
    static IEnumerable<CodeSpan> DocumentationLines(string code, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        var position = span.Start;
        while (position < span.End)
        {
            var lineEnd = code.IndexOf('\n', position);
            if (lineEnd < 0 || lineEnd > span.End) lineEnd = span.End;
            var slashes = code.IndexOf("///", position, lineEnd - position, StringComparison.Ordinal);
            if (slashes >= 0)
            {
                var text = code[slashes..lineEnd].TrimEnd();
                yield return new CodeSpan(slashes, text.Length, text, UnitKind.LineComment);
            }
            position = lineEnd + 1;
        }
    }

    static bool InDocumentationComment(SyntaxToken token) =>
        token.Parent?.AncestorsAndSelf().Any(n => n is DocumentationCommentTriviaSyntax) == true;

    static bool IsStringLiteral(SyntaxToken token) => token.Kind() is SyntaxKind.StringLiteralToken
        or SyntaxKind.Utf8StringLiteralToken or SyntaxKind.SingleLineRawStringLiteralToken
        or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.Utf8SingleLineRawStringLiteralToken
        or SyntaxKind.Utf8MultiLineRawStringLiteralToken;

    /// <summary>
    /// Why <paramref name="translation"/> cannot stand where the English <paramref name="english"/> of kind
    /// <paramref name="kind"/> stands, or null when it can: a comment stays a comment of the same kind (a <c>//</c>
    /// comment on one line), a string literal the same kind of literal (regular, verbatim, raw, UTF-8; interpolated
    /// with the same <c>$</c>s) and an interpolated string keeps the same holes (the same expressions, alignments
    /// and format specifiers; their order may change).
    /// </summary>
    public static string? WhyNotInterchangeable(UnitKind kind, string english, string translation)
    {
        switch (kind)
        {
            case UnitKind.Markdown:
                return translation.Trim().Length == 0 ? "a markdown cell cannot be empty" : null;
            case UnitKind.LineComment:
                if (!translation.StartsWith("//", StringComparison.Ordinal)) return "a // comment must start with //";
                return translation.Contains('\n') || translation.Contains('\r') ? "a // comment must stay on one line" : null;
            case UnitKind.BlockComment:
                if (!translation.StartsWith("/*", StringComparison.Ordinal) || !translation.EndsWith("*/", StringComparison.Ordinal) || translation.Length < 4)
                    return "a /* */ comment must start with /* and end with */";
                return translation[2..^2].Contains("*/", StringComparison.Ordinal) ? "a /* */ comment cannot contain */ before its end" : null;
            default:
                var englishLiteral = ParseLiteral(english);
                var translated = ParseLiteral(translation);
                if (englishLiteral is null) return $"the English text is not a C# string literal";
                if (translated is null) return "not one C# string literal (check its quotes, escapes and braces)";
                var (englishKind, englishHoles) = LiteralSignature(englishLiteral);
                var (kindThere, holes) = LiteralSignature(translated);
                if (kindThere != englishKind) return $"a {Describe(englishKind)} must stay one, not become a {Describe(kindThere)}";
                if (!holes.SequenceEqual(englishHoles))
                    return $"the interpolation holes differ: English {{{string.Join("}, {", englishHoles)}}}, here {{{string.Join("}, {", holes)}}}";
                return null;
        }
    }

    static string Describe(string literalKind) => literalKind switch
    {
        "\"\"" => "regular string literal",
        "@\"\"" => "verbatim string literal",
        _ when literalKind.StartsWith('$') => $"interpolated string ({literalKind})",
        _ => $"string literal ({literalKind})",
    };

    /// <summary>The text as one string-literal expression, or null when it is anything else.</summary>
    static ExpressionSyntax? ParseLiteral(string text)
    {
        var expression = SyntaxFactory.ParseExpression(text, options: ScriptOptions);
        if (expression.ToFullString() != text || expression.ContainsDiagnostics) return null;
        if (expression.GetLeadingTrivia().Count > 0 || expression.GetTrailingTrivia().Count > 0) return null;
        return expression switch
        {
            InterpolatedStringExpressionSyntax => expression,
            LiteralExpressionSyntax literal when IsStringLiteral(literal.Token) => expression,
            _ => null,
        };
    }

    /// <summary>A literal's kind (its opening as written, without its text) and its holes, sorted.</summary>
    static (string Kind, IReadOnlyList<string> Holes) LiteralSignature(ExpressionSyntax literal)
    {
        if (literal is InterpolatedStringExpressionSyntax interpolated)
        {
            var holes = interpolated.Contents.OfType<InterpolationSyntax>().Select(Hole).Order(StringComparer.Ordinal).ToList();
            return (InterpolatedKind(interpolated), holes);
        }
        return (LiteralKind(((LiteralExpressionSyntax)literal).Token), []);
    }

    static string InterpolatedKind(InterpolatedStringExpressionSyntax node)
    {
        var start = node.StringStartToken;
        var dollars = start.Text.Count(c => c == '$');
        var verbatim = start.Text.Contains('@');
        var raw = start.Kind() is SyntaxKind.InterpolatedSingleLineRawStringStartToken or SyntaxKind.InterpolatedMultiLineRawStringStartToken;
        var multiLine = start.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken);
        var u8 = node.StringEndToken.Text.EndsWith("u8", StringComparison.OrdinalIgnoreCase);
        return new string('$', dollars) + (verbatim ? "@" : "") + (raw ? (multiLine ? "\"\"\"\\n" : "\"\"\"") : "\"\"") + (u8 ? "u8" : "");
    }

    static string LiteralKind(SyntaxToken token) => token.Kind() switch
    {
        SyntaxKind.StringLiteralToken => token.Text.StartsWith('@') ? "@\"\"" : "\"\"",
        SyntaxKind.Utf8StringLiteralToken => (token.Text.StartsWith('@') ? "@\"\"" : "\"\"") + "u8",
        SyntaxKind.SingleLineRawStringLiteralToken => "\"\"\"",
        SyntaxKind.MultiLineRawStringLiteralToken => "\"\"\"\\n",
        SyntaxKind.Utf8SingleLineRawStringLiteralToken => "\"\"\"u8",
        SyntaxKind.Utf8MultiLineRawStringLiteralToken => "\"\"\"\\nu8",
        var other => other.ToString(),
    };

    /// <summary>A hole as the program sees it: its expression (literal texts left out), alignment and format.</summary>
    static string Hole(InterpolationSyntax hole) =>
        string.Join(" ", Program(hole.Expression))
        + (hole.AlignmentClause is { } alignment ? " , " + string.Join(" ", Program(alignment.Value)) : "")
        + (hole.FormatClause is { } format ? " : " + format.FormatStringToken.Text : "");

    /// <summary>The program of <paramref name="code"/>: its tokens without comments, each string literal as its kind
    /// and each interpolated string as its kind and sorted holes. Directives (<c>#r</c>) are part of it.</summary>
    public static IReadOnlyList<string> Program(string code) =>
        Program(CSharpSyntaxTree.ParseText(code, ScriptOptions).GetRoot());

    static IReadOnlyList<string> Program(SyntaxNode node)
    {
        var tokens = new List<string>();
        var skipUntil = -1;
        foreach (var token in node.DescendantTokens(descendIntoTrivia: true))
        {
            if (token.SpanStart < skipUntil || InDocumentationComment(token)) continue;
            if (token.IsKind(SyntaxKind.EndOfFileToken) || token.IsKind(SyntaxKind.EndOfDirectiveToken)) continue;
            var interpolated = token.Parent as InterpolatedStringExpressionSyntax;
            if (interpolated is not null && token == interpolated.StringStartToken)
            {
                var (kind, holes) = LiteralSignature(interpolated);
                tokens.Add($"{kind}{{{string.Join("}{", holes)}}}");
                skipUntil = interpolated.Span.End;
                continue;
            }
            tokens.Add(IsStringLiteral(token) ? LiteralKind(token) : token.Text);
        }
        return tokens;
    }
}

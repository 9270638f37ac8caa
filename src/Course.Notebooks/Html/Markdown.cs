using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Course.Notebooks.Html;

/// <summary>A heading found while converting markdown (for the table of contents).</summary>
public sealed record Heading(int Level, string Text, string Id);

/// <summary>
/// A small markdown-to-HTML converter for lesson text: ATX headings, paragraphs, (nested) lists,
/// fenced code, block quotes, tables, rules, inline code, bold/italic, links and images, raw HTML.
/// LaTeX ($...$, $$...$$) is left untouched for KaTeX to render in the browser.
/// </summary>
public sealed partial class Markdown
{
    private readonly string _idPrefix;
    private readonly List<Heading> _headings = [];
    private readonly HashSet<string> _usedIds;

    private Markdown(string idPrefix, HashSet<string> usedIds)
    {
        _idPrefix = idPrefix;
        _usedIds = usedIds;
    }

    public IReadOnlyList<Heading> Headings => _headings;

    /// <summary>Converts <paramref name="markdown"/>; heading ids start with <paramref name="idPrefix"/>
    /// and stay unique among <paramref name="usedIds"/> (share one set across a page).</summary>
    public static (string Html, IReadOnlyList<Heading> Headings) ToHtml(string markdown, string idPrefix = "", HashSet<string>? usedIds = null)
    {
        var converter = new Markdown(idPrefix, usedIds ?? []);
        var html = converter.Blocks(markdown.Replace("\r\n", "\n").Replace('\t', ' ').Split('\n'));
        return (html, converter.Headings);
    }

    private string Blocks(IReadOnlyList<string> lines)
    {
        var html = new StringBuilder();
        var paragraph = new List<string>();
        void FlushParagraph()
        {
            if (paragraph.Count == 0) return;
            html.Append("<p>").Append(Inline(string.Join("\n", paragraph))).Append("</p>\n");
            paragraph.Clear();
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();

            if (trimmed.Length == 0)
            {
                FlushParagraph();
                continue;
            }

            if (Fence().Match(line) is { Success: true } fence)
            {
                FlushParagraph();
                var marker = fence.Groups["fence"].Value;
                var language = fence.Groups["lang"].Value.Trim();
                var code = new List<string>();
                for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal); i++) code.Add(lines[i]);
                var cls = language.Length > 0 ? $" class=\"language-{Attr(language)}\"" : "";
                html.Append($"<pre class=\"md-code\"><code{cls}>").Append(WebUtility.HtmlEncode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }

            if (trimmed.StartsWith("$$", StringComparison.Ordinal))
            {
                FlushParagraph();
                var math = new List<string> { trimmed };
                var closed = trimmed.Length > 2 && trimmed.EndsWith("$$", StringComparison.Ordinal) && trimmed.Length >= 4;
                for (; !closed && i + 1 < lines.Count; )
                {
                    var next = lines[++i];
                    math.Add(next);
                    closed = next.TrimEnd().EndsWith("$$", StringComparison.Ordinal);
                }
                html.Append("<div class=\"math-display\">").Append(WebUtility.HtmlEncode(string.Join("\n", math))).Append("</div>\n");
                continue;
            }

            if (Heading().Match(line) is { Success: true } heading)
            {
                FlushParagraph();
                var level = heading.Groups["hashes"].Value.Length;
                var text = heading.Groups["text"].Value;
                var id = UniqueId(text);
                _headings.Add(new Heading(level, PlainText(text), id));
                html.Append($"<h{level} id=\"{id}\">").Append(Inline(text)).Append($"</h{level}>\n");
                continue;
            }

            if (Rule().IsMatch(line))
            {
                FlushParagraph();
                html.Append("<hr>\n");
                continue;
            }

            if (trimmed.StartsWith('>'))
            {
                FlushParagraph();
                var quote = new List<string>();
                for (; i < lines.Count && lines[i].TrimStart().StartsWith('>'); i++)
                {
                    var q = lines[i].TrimStart()[1..];
                    quote.Add(q.StartsWith(' ') ? q[1..] : q);
                }
                i--;
                html.Append("<blockquote>\n").Append(Blocks(quote)).Append("</blockquote>\n");
                continue;
            }

            if (ListItem().Match(line) is { Success: true })
            {
                FlushParagraph();
                i = List(lines, i, html) - 1;
                continue;
            }

            if (line.Contains('|') && i + 1 < lines.Count && TableSeparator().IsMatch(lines[i + 1]))
            {
                FlushParagraph();
                i = Table(lines, i, html) - 1;
                continue;
            }

            if (paragraph.Count == 0 && HtmlBlock().IsMatch(trimmed))
            {
                for (; i < lines.Count && lines[i].Trim().Length > 0; i++) html.Append(lines[i]).Append('\n');
                continue;
            }

            paragraph.Add(trimmed);
        }
        FlushParagraph();
        return html.ToString();
    }

    /// <summary>A list starting at <paramref name="start"/>; returns the index after it.</summary>
    private int List(IReadOnlyList<string> lines, int start, StringBuilder html)
    {
        var first = ListItem().Match(lines[start]);
        var indent = first.Groups["indent"].Value.Length;
        var ordered = char.IsDigit(first.Groups["marker"].Value[0]);
        var items = new List<List<string>>();
        var loose = false;
        var i = start;
        for (; i < lines.Count; i++)
        {
            var line = lines[i];
            var m = ListItem().Match(line);
            if (m.Success && m.Groups["indent"].Value.Length <= indent + 1 && char.IsDigit(m.Groups["marker"].Value[0]) == ordered)
            {
                items.Add([m.Groups["text"].Value]);
                continue;
            }
            if (line.Trim().Length == 0)
            {
                // A blank line continues the list only if more of it follows, indented or as a new item.
                var next = i + 1 < lines.Count ? lines[i + 1] : "";
                var nextItem = ListItem().Match(next);
                if (nextItem.Success && nextItem.Groups["indent"].Value.Length <= indent + 1 && char.IsDigit(nextItem.Groups["marker"].Value[0]) == ordered) { loose = true; continue; }
                if (next.Length - next.TrimStart().Length > indent && next.Trim().Length > 0) { items[^1].Add(""); continue; }
                break;
            }
            var lineIndent = line.Length - line.TrimStart().Length;
            if (lineIndent > indent) { items[^1].Add(line[Math.Min(lineIndent, indent + 2)..]); continue; }
            if (m.Success) break; // a list of the other kind
            if (items[^1].Count > 0 && items[^1][^1].Length > 0) { items[^1].Add(line.Trim()); continue; } // lazy continuation
            break;
        }
        var tag = ordered ? "ol" : "ul";
        var startNumber = ordered && int.TryParse(first.Groups["marker"].Value.TrimEnd('.', ')'), out var n) && n != 1 ? $" start=\"{n}\"" : "";
        html.Append($"<{tag}{startNumber}>\n");
        foreach (var item in items)
        {
            var inner = Blocks(item);
            if (!loose && inner.StartsWith("<p>", StringComparison.Ordinal))
            {
                var end = inner.IndexOf("</p>\n", StringComparison.Ordinal);
                inner = inner[3..end] + inner[(end + 5)..];
            }
            html.Append("<li>").Append(inner.TrimEnd('\n')).Append("</li>\n");
        }
        html.Append($"</{tag}>\n");
        return i;
    }

    private int Table(IReadOnlyList<string> lines, int start, StringBuilder html)
    {
        static List<string> Cells(string row)
        {
            row = row.Trim();
            if (row.StartsWith('|')) row = row[1..];
            if (row.EndsWith('|') && !row.EndsWith("\\|", StringComparison.Ordinal)) row = row[..^1];
            return SplitCells().Split(row).Select(c => c.Trim().Replace("\\|", "|")).ToList();
        }
        var header = Cells(lines[start]);
        var aligns = Cells(lines[start + 1]).Select(c =>
            c.StartsWith(':') && c.EndsWith(':') ? " style=\"text-align:center\"" :
            c.EndsWith(':') ? " style=\"text-align:right\"" : "").ToList();
        string Align(int k) => k < aligns.Count ? aligns[k] : "";
        html.Append("<table>\n<thead><tr>");
        for (var k = 0; k < header.Count; k++) html.Append($"<th{Align(k)}>").Append(Inline(header[k])).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        var i = start + 2;
        for (; i < lines.Count && lines[i].Contains('|') && lines[i].Trim().Length > 0; i++)
        {
            var cells = Cells(lines[i]);
            html.Append("<tr>");
            for (var k = 0; k < header.Count; k++) html.Append($"<td{Align(k)}>").Append(Inline(k < cells.Count ? cells[k] : "")).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        return i;
    }

    /// <summary>Inline markdown: code spans, maths and raw tags are protected first, then the rest is
    /// escaped and given emphasis, links and images.</summary>
    public static string Inline(string text)
    {
        var protectedParts = new List<string>();
        string Protect(string html)
        {
            protectedParts.Add(html);
            return $"\u0001{protectedParts.Count - 1}\u0002";
        }

        text = CodeSpan().Replace(text, m => Protect("<code>" + WebUtility.HtmlEncode(m.Groups["code"].Value.Trim()) + "</code>"));
        text = DisplayMathInline().Replace(text, m => Protect(WebUtility.HtmlEncode(m.Value)));
        text = InlineMath().Replace(text, m => Protect(WebUtility.HtmlEncode(m.Value)));
        text = Escaped().Replace(text, m => Protect(WebUtility.HtmlEncode(m.Groups["c"].Value)));
        text = AutoLink().Replace(text, m => Protect($"<a href=\"{Attr(m.Groups["url"].Value)}\">{WebUtility.HtmlEncode(m.Groups["url"].Value)}</a>"));
        text = RawTag().Replace(text, m => Protect(m.Value));

        text = WebUtility.HtmlEncode(text).Replace("&#39;", "'").Replace("&quot;", "\"");
        text = Image().Replace(text, m => $"<img src=\"{m.Groups["url"].Value}\" alt=\"{m.Groups["alt"].Value}\"{Title(m)}>");
        text = Link().Replace(text, m => $"<a href=\"{m.Groups["url"].Value}\"{Title(m)}>{m.Groups["text"].Value}</a>");
        text = Bold().Replace(text, "<strong>${b}</strong>");
        text = Italic().Replace(text, "<em>${i}</em>");
        text = Strike().Replace(text, "<del>${s}</del>");
        text = HardBreak().Replace(text, "<br>\n");

        for (var pass = 0; pass < 3 && text.Contains('\u0001'); pass++)
            text = Placeholder().Replace(text, m => protectedParts[int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)]);
        return text;
    }

    private static string Title(Match m) => m.Groups["title"].Success ? $" title=\"{m.Groups["title"].Value}\"" : "";

    private static string Attr(string s) => WebUtility.HtmlEncode(s);

    private static string PlainText(string markdown)
    {
        var html = Inline(markdown);
        var withoutTags = Regex.Replace(html, "<[^>]+>", "");
        return WebUtility.HtmlDecode(withoutTags);
    }

    private string UniqueId(string text)
    {
        var slug = Slug().Replace(PlainText(text).ToLowerInvariant(), "-").Trim('-');
        if (slug.Length == 0) slug = "section";
        var id = _idPrefix + slug;
        for (var k = 2; !_usedIds.Add(id); k++) id = $"{_idPrefix}{slug}-{k}";
        return id;
    }

    [GeneratedRegex(@"^\s*(?<fence>```+|~~~+)(?<lang>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^ {0,3}(?<hashes>#{1,6})\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^ {0,3}([-*_])(\s*\1){2,}\s*$")]
    private static partial Regex Rule();

    [GeneratedRegex(@"^(?<indent> *)(?<marker>[-*+]|\d{1,9}[.)])\s+(?<text>.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex SplitCells();

    [GeneratedRegex(@"^</?(div|p|img|table|details|summary|figure|center|video|iframe|svg|br|hr|h[1-6]|ul|ol|pre|blockquote)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlBlock();

    [GeneratedRegex(@"(?<ticks>`+)(?<code>.+?)\k<ticks>")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\$\$.+?\$\$", RegexOptions.Singleline)]
    private static partial Regex DisplayMathInline();

    [GeneratedRegex(@"(?<![\\$])\$(?=\S)(?:[^$\\]|\\.)+?(?<=\S)\$(?!\d)", RegexOptions.Singleline)]
    private static partial Regex InlineMath();

    [GeneratedRegex(@"\\(?<c>[\\`*_{}\[\]()#+\-.!|$<>~])")]
    private static partial Regex Escaped();

    [GeneratedRegex(@"<(?<url>https?://[^\s>]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"</?(a|abbr|b|br|code|del|em|font|i|img|kbd|mark|s|small|span|strong|sub|sup|u|wbr)\b(\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(\s*=\s*(""[^""]*""|'[^']*'|[^\s'"">]+))?)*\s*/?>")]
    private static partial Regex RawTag();

    [GeneratedRegex(@"!\[(?<alt>[^\]]*)\]\((?<url>[^)\s]+)(\s+""(?<title>[^""]*)"")?\)")]
    private static partial Regex Image();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<url>[^)\s]+)(\s+""(?<title>[^""]*)"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"(\*\*|__)(?=\S)(?<b>.+?)(?<=\S)\1")]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![*\w])\*(?=[^\s*])(?<i>.+?)(?<=[^\s*])\*(?!\*)|(?<![\w_])_(?=[^\s_])(?<i>.+?)(?<=[^\s_])_(?![\w_])")]
    private static partial Regex Italic();

    [GeneratedRegex(@"~~(?<s>.+?)~~")]
    private static partial Regex Strike();

    [GeneratedRegex(@"( {2,}|\\)\n")]
    private static partial Regex HardBreak();

    [GeneratedRegex("\u0001(?<n>\\d+)\u0002")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex Slug();
}

using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Course.Notebooks.Html;

/// <summary>A heading found while converting markdown (for the table of contents).</summary>
public sealed record Heading(int Level, string Text, string Id);

/// <summary>
/// Lesson text to HTML with Markdig: CommonMark, pipe tables, strikethrough, and the maths parsed as
/// maths (<c>$...$</c>, <c>$$...$$</c>) so that emphasis and escapes never touch it; it is written as
/// <c>\(...\)</c> and <c>\[...\]</c> in elements of class <c>math</c>, which KaTeX renders in the browser
/// (without KaTeX the LaTeX source stays readable). Headings get ids for the table of contents.
/// </summary>
public static partial class LessonMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseMathematics()
        .Build();

    /// <summary>Converts <paramref name="markdown"/>; heading ids start with <paramref name="idPrefix"/>
    /// and stay unique among <paramref name="usedIds"/> (share one set across a page).</summary>
    /// <param name="linkTarget">where a link of the lesson leads on the page (e.g. another lesson's section), or null
    /// to keep it as written.</param>
    public static (string Html, IReadOnlyList<Heading> Headings) ToHtml(string markdown, string idPrefix = "", HashSet<string>? usedIds = null,
        Func<string, string?>? linkTarget = null)
    {
        usedIds ??= [];
        var document = Markdown.Parse(markdown, Pipeline);
        if (linkTarget is not null)
            foreach (var link in document.Descendants<LinkInline>())
                if (link.Url is { } url && linkTarget(url) is { } target) link.Url = target;
        var headings = new List<Heading>();
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            var text = PlainText(heading.Inline).Trim();
            var id = UniqueId(text, idPrefix, usedIds);
            heading.GetAttributes().Id = id;
            headings.Add(new Heading(heading.Level, text, id));
        }
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.ReplaceOrAdd<HtmlMathInlineRenderer>(new DisplayAwareMathRenderer());
        renderer.Render(document);
        writer.Flush();
        return (writer.ToString(), headings);
    }

    /// <summary>A heading's text as a reader sees it; maths keeps its <c>$</c> so KaTeX can render it in the contents.</summary>
    private static string PlainText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        void Walk(Inline? node)
        {
            for (; node is not null; node = node.NextSibling)
            {
                switch (node)
                {
                    case MathInline math:
                        var delimiter = new string(math.Delimiter, math.DelimiterCount);
                        text.Append(delimiter).Append(math.Content.ToString()).Append(delimiter);
                        break;
                    case LiteralInline literal: text.Append(literal.Content.ToString()); break;
                    case CodeInline code: text.Append(code.Content); break;
                    case HtmlEntityInline entity: text.Append(entity.Transcoded.ToString()); break;
                    case LineBreakInline: text.Append(' '); break;
                    case ContainerInline container: Walk(container.FirstChild); break;
                }
            }
        }
        Walk(inline?.FirstChild);
        return text.ToString();
    }

    /// <summary>Inline maths as Markdig writes it, except that <c>$$...$$</c> inside a paragraph (how the lessons
    /// write display equations, as Jupyter and VS Code read them) stays display maths: <c>\[...\]</c> in a
    /// <c>span.math.display</c>, where Markdig would write it inline.</summary>
    private sealed class DisplayAwareMathRenderer : HtmlObjectRenderer<MathInline>
    {
        protected override void Write(HtmlRenderer renderer, MathInline math)
        {
            var display = math.DelimiterCount >= 2;
            renderer.Write(display ? "<span class=\"math display\">\\[" : "<span class=\"math\">\\(");
            renderer.WriteEscape(math.Content);
            renderer.Write(display ? "\\]</span>" : "\\)</span>");
        }
    }

    private static string UniqueId(string text, string prefix, HashSet<string> used)
    {
        var slug = Slug().Replace(text.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length == 0) slug = "section";
        var id = prefix + slug;
        for (var k = 2; !used.Add(id); k++) id = $"{prefix}{slug}-{k}";
        return id;
    }

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex Slug();
}

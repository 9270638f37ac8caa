using System.Text.Json.Nodes;
using Course.Notebooks.Ipynb;

namespace Course.Notebooks.Translation;

/// <summary>A text of an English lesson that a translation gives: its English, its kind, and the first cell it is in
/// (an index among all the notebook's cells).</summary>
public sealed record TranslationUnit(string English, UnitKind Kind, int Cell);

/// <summary>
/// The units of an English lesson, in the order they appear: every markdown cell's whole source, and in code cells
/// every comment and string literal (<see cref="CodeText.Find"/>). The same English text twice is one unit.
/// </summary>
public static class LessonUnits
{
    public static IReadOnlyList<TranslationUnit> Of(NotebookDocument english)
    {
        var units = new List<TranslationUnit>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string text, UnitKind kind, int cell)
        {
            if (seen.Add(text)) units.Add(new TranslationUnit(text, kind, cell));
        }
        var cells = english.Cells.OfType<JsonObject>().ToList();
        for (var i = 0; i < cells.Count; i++)
        {
            var source = NotebookDocument.Source(cells[i]);
            switch (NotebookDocument.CellType(cells[i]))
            {
                case "markdown":
                    Add(source, UnitKind.Markdown, i);
                    break;
                case "code":
                    foreach (var span in CodeText.Find(source)) Add(span.Text, span.Kind, i);
                    break;
            }
        }
        return units;
    }
}

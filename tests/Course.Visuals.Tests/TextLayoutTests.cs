using System.Globalization;
using Course.Visuals.Raster;
using Course.Visuals.Rendering;

namespace Course.Visuals.Tests;

/// <summary>Text that notebook authors saw clipped, missing or overlapping: long titles, maths glyphs in the PNG
/// font, the tensor summary's heading, and log-axis tick labels.</summary>
public class TextLayoutTests
{
    // ---- helpers -----------------------------------------------------------------------------

    private readonly record struct Box(double X0, double Y0, double X1, double Y1, string Text)
    {
        public bool Overlaps(Box o) => X0 < o.X1 && o.X0 < X1 && Y0 < o.Y1 && o.Y0 < Y1;
        public override string ToString() => $"'{Text}' [{X0:0.#}, {X1:0.#}] x [{Y0:0.#}, {Y1:0.#}]";
    }

    /// <summary>The ink box of a text mark, from the renderer's own advances: ascent 0.8 em, descent 0.25 em.</summary>
    private static Box BoxOf(TextMark t)
    {
        double w = Scene.MeasureText(t.Text, t.Size);
        double x0 = t.Anchor switch { TextAnchor.Middle => t.X - w / 2, TextAnchor.End => t.X - w, _ => t.X };
        if (t.Rotated) return new Box(t.X - t.Size * 0.8, t.Y - w, t.X + t.Size * 0.25, t.Y, t.Text);
        return new Box(x0, t.Y - t.Size * 0.8, x0 + w, t.Y + t.Size * 0.25, t.Text);
    }

    private static List<TextMark> Texts(Scene s, string cls) => s.Marks.OfType<TextMark>().Where(t => t.Class == cls).ToList();

    private static void AssertInside(Box b, double x0, double y0, double x1, double y1, string what) =>
        Assert.True(b.X0 >= x0 - 0.5 && b.X1 <= x1 + 0.5 && b.Y0 >= y0 - 0.5 && b.Y1 <= y1 + 0.5,
            $"{what} {b} is outside [{x0:0.#}, {x1:0.#}] x [{y0:0.#}, {y1:0.#}]");

    private static void AssertNoOverlap(IReadOnlyList<Box> a, IReadOnlyList<Box> b, string what)
    {
        foreach (var p in a)
            foreach (var q in b)
                if (!ReferenceEquals(a, b) || !p.Equals(q))
                    Assert.False(p.Overlaps(q), $"{what}: {p} overlaps {q}");
    }

    private static readonly double[] Xs = Enumerable.Range(0, 50).Select(i => i / 49.0).ToArray();

    private const string ChainTitle = "Chain of single steps vs the closed form (first two moments, 20,000 copies)";
    private const string LongerTitle = ChainTitle + " with a much longer explanation of what the two curves show";

    // ---- 1. titles ---------------------------------------------------------------------------

    public static TheoryData<string, int, int> Titles => new()
    {
        { ChainTitle, 760, 400 }, { LongerTitle, 760, 400 }, { ChainTitle, 400, 300 }, { LongerTitle, 300, 220 },
        { LongerTitle + ", " + LongerTitle, 640, 420 },
    };

    [Theory]
    [MemberData(nameof(Titles))]
    public void Figure_titles_shrink_then_wrap_and_are_never_clipped(string title, int w, int h)
    {
        var fig = new Figure(w, h).Title(title).Line(Xs, Xs, name: "a wide legend entry").XLabel("t");
        var layout = new FigureLayout(fig).Compute();
        var scene = layout.Build();
        var lines = Texts(scene, "title");
        Assert.NotEmpty(lines);
        double size = lines[0].Size;
        Assert.InRange(size, Style.TitleMinSize, Style.TitleSize);
        // every word is drawn (nothing cut off), unless the title is longer than the lines allowed
        string drawn = string.Join(" ", lines.Select(l => l.Text));
        if (!drawn.EndsWith('…')) Assert.Equal(title, drawn);
        else Assert.Equal(Style.TitleMaxLines, lines.Count);
        // a title that fits at its full size stays one line at that size; shrinking comes before wrapping
        if (Scene.MeasureText(title, Style.TitleSize) <= w - Style.Pad) Assert.Equal((1, Style.TitleSize), (lines.Count, size));
        if (lines.Count > 1) Assert.True(Scene.MeasureText(title, Style.TitleMinSize) > w - Style.Pad, "wrapped although one line at the minimum size fits");
        var boxes = lines.Select(BoxOf).ToList();
        foreach (var b in boxes) AssertInside(b, 0, 0, w, h, "title line");
        // the layout reserves the lines' room: they sit above every panel and clear of all other text
        var p = layout.Panels[0];
        Assert.True(boxes.Max(b => b.Y1) <= p.T, $"title reaches {boxes.Max(b => b.Y1):0.#} below the plot top {p.T}");
        var others = scene.Marks.OfType<TextMark>().Where(t => t.Class != "title").Select(BoxOf).ToList();
        AssertNoOverlap(boxes, others, "title");
        for (int i = 1; i < boxes.Count; i++) Assert.True(boxes[i].Y0 >= boxes[i - 1].Y1 - 0.5, "title lines overlap");
        // plotly shows the same lines at the same size
        var json = System.Text.Json.Nodes.JsonNode.Parse(fig.ToPlotlyJson())!["layout"]!["title"]!;
        Assert.Equal(string.Join("<br>", lines.Select(l => l.Text)), (string)json["text"]!);
        Assert.Equal(size, (double)json["font"]!["size"]!);
    }

    [Fact]
    public void Panel_titles_shrink_then_wrap_inside_their_cells_and_push_the_plots_down()
    {
        string[] titles = ["Mean of x_t over the chain versus the closed form", "Variance of x_t across 20,000 copies of the chain, step by step", "short"];
        var fig = new Figure(760, 360).Subplots(1, 3, titles);
        for (int i = 0; i < 3; i++) fig.At(0, i).Line(Xs, Xs);
        var layout = new FigureLayout(fig).Compute();
        var scene = layout.Build();
        var marks = Texts(scene, "panel-title");
        var allOthers = scene.Marks.OfType<TextMark>().Where(t => t.Class != "panel-title").Select(BoxOf).ToList();
        var byPanel = layout.Panels.Select(p => marks.Where(m => m.X >= p.CellX && m.X <= p.CellX + p.CellW).ToList()).ToList();
        for (int i = 0; i < 3; i++)
        {
            var p = layout.Panels[i];
            var lines = byPanel[i];
            Assert.Equal(titles[i], string.Join(" ", lines.Select(l => l.Text)));
            Assert.InRange(lines[0].Size, Style.PanelTitleMinSize, Style.PanelTitleSize);
            var boxes = lines.Select(BoxOf).ToList();
            foreach (var b in boxes) AssertInside(b, p.CellX, 0, p.CellX + p.CellW, p.T, $"panel {i} title");
            AssertNoOverlap(boxes, allOthers, $"panel {i} title");
        }
        Assert.Equal(Style.PanelTitleSize, Assert.Single(byPanel[2]).Size);
        Assert.True(byPanel[1].Count >= 2, "the longest panel title should wrap at 760 px over three columns");
        // all titles of one figure stay clear of each other
        var all = marks.Select(BoxOf).ToList();
        AssertNoOverlap(all, all, "panel titles");
    }

    [Fact]
    public void Image_grid_with_a_long_title_grows_to_hold_its_lines()
    {
        var batch = new ImageBatch(Enumerable.Range(0, 4 * 8 * 8).Select(i => (float)(i % 64) / 63).ToArray(), 4, 1, 8, 8);
        var fig = Figure.ImageGrid(batch, title: LongerTitle);
        var scene = fig.ToScene();
        var title = Texts(scene, "title").Select(BoxOf).ToList();
        Assert.True(title.Count >= 2);
        Assert.Equal(LongerTitle, string.Join(" ", title.Select(b => b.Text)));
        foreach (var b in title) AssertInside(b, 0, 0, fig.Width, fig.Height, "grid title");
        foreach (var im in scene.Marks.OfType<ImageMark>())
            Assert.True(im.Y >= title.Max(b => b.Y1), $"image at y {im.Y} under the title");
    }

    // ---- 2. glyphs of the PNG font -----------------------------------------------------------

    private const string LessonSymbols = "∏∑√∞≈≤≥±×·→←∇‖εσθαβγδλμᾱ₀₁₂ₜₙᵢ";
    private const string SubscriptLetters = "ₐₑₒₓₔₕₖₗₘₙₚₛₜ"; // U+2090..U+209C, all that Unicode has
    private static readonly int[] BakedSizes = [9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 32, 36];

    [Fact]
    public void Png_font_has_the_symbols_lessons_write_at_every_size()
    {
        var font = BitmapFont.Default;
        foreach (int size in BakedSizes)
        {
            var face = font.FaceFor(size);
            Assert.Equal(size, face.Size);
            foreach (var rune in (LessonSymbols + SubscriptLetters + "\u0302\u0303\u0304").EnumerateRunes())
            {
                Assert.True(face.Glyphs.TryGetValue(rune.Value, out var g), $"U+{rune.Value:X4} '{rune}' missing at {size} px");
                Assert.True(g!.Width > 0 && g.Height > 0, $"U+{rune.Value:X4} has no ink at {size} px");
                if (BitmapFont.IsCombining(rune.Value)) Assert.Equal(0, g.Advance64);
                else Assert.True(g.Advance64 > 0);
            }
        }
    }

    /// <summary>Ink of a string drawn at (pad, baseline) on a white canvas: the set of darkened pixels.</summary>
    private static HashSet<(int X, int Y)> Ink(string text, double size, out int baseline)
    {
        var img = new RgbaImage(160, 80, Color.White);
        baseline = 56;
        new Canvas(img).DrawText(text, 20, baseline, size, Color.Black);
        var ink = new HashSet<(int, int)>();
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (img.Pixels[(y * img.Width + x) * 4] < 200) ink.Add((x, y));
        return ink;
    }

    [Theory]
    [InlineData("x", "\u0302", 12)]   // x̂
    [InlineData("x", "\u0302", 24)]
    [InlineData("β", "\u0303", 12)]   // β̃: a tall letter, the mark is lifted above it
    [InlineData("β", "\u0303", 26)]
    [InlineData("α", "\u0304", 16)]   // ᾱ written with a combining bar
    public void Combining_marks_take_no_room_and_sit_above_the_letter_they_follow(string letter, string mark, double size)
    {
        var plain = Ink(letter, size, out _);
        var marked = Ink(letter + mark, size, out _);
        Assert.Equal(Scene.MeasureText(letter, size), Scene.MeasureText(letter + mark, size));
        var added = marked.Except(plain).ToList();
        Assert.NotEmpty(added);
        Assert.True(plain.IsSubsetOf(marked), "the mark must not erase the letter");
        int letterTop = plain.Min(p => p.Y), letterLeft = plain.Min(p => p.X), letterRight = plain.Max(p => p.X);
        // entirely above the letter's ink, and horizontally over it (no dotted-circle placeholder beside it)
        Assert.True(added.Max(p => p.Y) < letterTop, $"mark reaches row {added.Max(p => p.Y)}, letter starts at row {letterTop}");
        Assert.True(added.Min(p => p.X) >= letterLeft - 1 && added.Max(p => p.X) <= letterRight + 1,
            $"mark spans columns {added.Min(p => p.X)}..{added.Max(p => p.X)}, letter {letterLeft}..{letterRight}");
        // a mark is thin: a few rows, not a placeholder glyph
        Assert.True(added.Max(p => p.Y) - added.Min(p => p.Y) + 1 <= Math.Ceiling(size * 0.3));
        // and the following text continues where it would without the mark
        var next = Ink(letter + "x", size, out _);
        next.ExceptWith(plain);
        var nextAfterMark = Ink(letter + mark + "x", size, out _);
        nextAfterMark.ExceptWith(marked);
        Assert.True(next.SetEquals(nextAfterMark), "the mark moved the text after it");
    }

    [Fact]
    public void Subscript_letters_and_product_sign_render_as_themselves_not_as_the_fallback()
    {
        var face = BitmapFont.Default.FaceFor(16);
        var fallback = face.Get('?');
        foreach (var rune in ("∏" + SubscriptLetters).EnumerateRunes())
            Assert.NotSame(fallback, face.Get(rune.Value));
        // subscripts sit low: their ink ends at or below the baseline's neighbourhood and is smaller than capitals
        var s = face.Get('ₛ');
        var cap = face.Get('S');
        Assert.True(s.Top < cap.Top / 2 + 2 && s.Height < cap.Height, $"ₛ top {s.Top} height {s.Height}, S top {cap.Top} height {cap.Height}");
    }

    // ---- 3. tensor summary -------------------------------------------------------------------

    private static float[] NormalSamples(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return v;
    }

    [Theory]
    [InlineData("10,000 standard normal samples")]
    [InlineData("10,000 standard normal samples drawn with the seeded generator for lesson 1")]
    [InlineData("x")]
    public void Tensor_summary_heading_overlaps_nothing(string name)
    {
        var summary = new TensorSummary(NormalSamples(10_000, 3), new long[] { 10_000 }, name: name);
        var scene = summary.ToScene();
        var heading = Texts(scene, "tensor-name").Select(BoxOf).ToList();
        Assert.Equal(name, string.Join(" ", heading.Select(b => b.Text)));
        var others = scene.Marks.OfType<TextMark>().Where(t => t.Class != "tensor-name").Select(BoxOf).ToList();
        var bars = scene.Marks.OfType<RectMark>().Select(r => new Box(r.X, r.Y, r.X + r.W, r.Y + r.H, "bar")).ToList();
        Assert.NotEmpty(bars);
        AssertNoOverlap(heading, others, "tensor name");
        AssertNoOverlap(heading, bars, "tensor name");
        foreach (var b in heading.Concat(others).Concat(bars)) AssertInside(b, 0, 0, scene.Width, scene.Height, "summary element");
        // the statistics and the histogram's labels keep clear of the bars too
        AssertNoOverlap(others, bars, "statistic");
    }

    // ---- 4. log axes -------------------------------------------------------------------------

    /// <summary>Reads a tick label back as a number: 0.02, 50, 10⁻⁴, 2×10⁻⁵, −3.</summary>
    private static double ParseLabel(string s)
    {
        const string Sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        s = s.Replace('\u2212', '-');
        if (s.Any(c => Sup.Contains(c) || c == '⁻'))
        {
            double m = s.Contains('×') ? double.Parse(s[..s.IndexOf('×')], CultureInfo.InvariantCulture) : 1;
            string exp = string.Concat(s[(s.LastIndexOf("10", StringComparison.Ordinal) + 2)..].Select(c => c == '⁻' ? '-' : (char)('0' + Sup.IndexOf(c))));
            return m * Math.Pow(10, int.Parse(exp, CultureInfo.InvariantCulture));
        }
        return double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static TheoryData<double, double, int, int> LogRanges => new()
    {
        { 0.02, 0.4, 640, 420 }, { 0.02, 0.4, 300, 220 }, { 0.2, 0.7, 640, 420 }, { 3.8, 5.8, 640, 420 }, { 0.003, 0.007, 400, 300 },
        { 0.05, 2, 400, 300 }, { 1e-4, 1e4, 640, 420 }, { 1e-4, 1e4, 300, 220 }, { 2.5, 50, 640, 420 }, { 1, 1.3, 640, 420 },
        { 2e-6, 3e-5, 640, 420 }, { 0.5, 2000, 900, 600 }, { 1e-12, 1, 640, 420 },
    };

    [Theory]
    [MemberData(nameof(LogRanges))]
    public void Log_axes_label_enough_ticks_at_the_right_values_without_overlaps(double lo, double hi, int w, int h)
    {
        var x = Enumerable.Range(0, 40).Select(i => lo * Math.Pow(hi / lo, i / 39.0)).ToArray();
        var fig = new Figure(w, h).Line(x, x).LogX().LogY().XLabel("x").YLabel("y");
        var layout = new FigureLayout(fig).Compute();
        var scene = layout.Build();
        var p = layout.Panels[0];
        foreach (var (axis, name, cls) in new[] { (p.X, "x", "xtick"), (p.Y, "y", "ytick") })
        {
            Assert.True(axis.Labels.Length >= 3, $"{name} axis over [{lo}, {hi}] at {w}x{h} has only [{string.Join(", ", axis.Labels)}]");
            Assert.Equal(axis.Ticks.Count, axis.Labels.Length);
            for (int i = 0; i < axis.Labels.Length; i++)
            {
                // a label names the value at its position, which lies inside the axis range
                double v = ParseLabel(axis.Labels[i]);
                Assert.Equal(Math.Log10(v), axis.Ticks[i], 9);
                Assert.InRange(axis.Ticks[i], axis.Min - 1e-9, axis.Max + 1e-9);
                if (i > 0) Assert.True(axis.Ticks[i] > axis.Ticks[i - 1]);
            }
            var boxes = Texts(scene, cls).Select(BoxOf).ToList();
            for (int i = 0; i < boxes.Count; i++)
                for (int j = i + 1; j < boxes.Count; j++)
                    Assert.False(boxes[i].Overlaps(boxes[j]), $"{name} labels overlap over [{lo}, {hi}] at {w}x{h}: {boxes[i]} and {boxes[j]}");
            foreach (var b in boxes) AssertInside(b, 0, 0, w, h, $"{name} tick label");
        }
    }

    [Fact]
    public void Log_axis_below_a_tenth_labels_its_low_end_with_1_2_5_multiples()
    {
        var x = Enumerable.Range(0, 30).Select(i => 0.02 * Math.Pow(20, i / 29.0)).ToArray();
        var p = new FigureLayout(new Figure(640, 420).Line(x, x.Select(v => 1 / v).ToArray()).LogX().LogY()).Compute().Panels[0];
        Assert.Contains("0.02", p.X.Labels);
        Assert.Contains("0.05", p.X.Labels);
        Assert.Contains("0.1", p.X.Labels);
        Assert.Contains("0.2", p.X.Labels);
        // 1/x runs over 2.5..50: labels below 10 too
        Assert.Contains("5", p.Y.Labels);
        Assert.Contains("50", p.Y.Labels);
        // plotly.js gets the same ticks, in data units
        var json = System.Text.Json.Nodes.JsonNode.Parse(new Figure(640, 420).Line(x, x).LogX().ToPlotlyJson())!["layout"]!["xaxis"]!;
        Assert.Equal("array", (string)json["tickmode"]!);
        Assert.Contains(json["tickvals"]!.AsArray(), v => Math.Abs((double)v! - 0.02) < 1e-12);
    }

    [Fact]
    public void Wide_log_ranges_keep_powers_of_ten()
    {
        var x = Enumerable.Range(0, 30).Select(i => Math.Pow(10, -4 + 8 * i / 29.0)).ToArray();
        var p = new FigureLayout(new Figure(640, 420).Line(x, x).LogX().LogY()).Compute().Panels[0];
        Assert.All(p.X.Ticks, t => Assert.Equal(Math.Round(t), t, 12));
        Assert.Contains("10⁻⁴", p.X.Labels);
        Assert.Contains("10⁴", p.X.Labels);
    }
}

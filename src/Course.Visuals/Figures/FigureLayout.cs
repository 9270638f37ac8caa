namespace Course.Visuals.Rendering;

/// <summary>Style constants shared by the static renderer and the Plotly template.</summary>
internal static class Style
{
    public static readonly Color Text = "#262626";
    public static readonly Color TickText = "#505050";
    public static readonly Color AxisLine = "#8a8a8a";
    public static readonly Color GridLine = "#ebebeb";
    public const double TitleSize = 16, PanelTitleSize = 13, LabelSize = 13, TickSize = 12, LegendSize = 12;
    /// <summary>Titles wider than their room shrink down to these sizes before they wrap.</summary>
    public const double TitleMinSize = 12, PanelTitleMinSize = 11;
    /// <summary>Titles wrap onto at most this many lines; beyond that the last line ends in an ellipsis.</summary>
    public const int TitleMaxLines = 3;
    public const double LineSpacing = 1.25;
    public const double TickLength = 5, TickGap = 3, Pad = 12;

    /// <summary>Room the figure title takes above the panels (0 without a title).</summary>
    public static double TitleReserve(FittedTitle? t) => t is null ? 0 : t.Size + 16 + (t.Lines.Length - 1) * t.LineHeight;
}

/// <summary>A title fitted to a width: one line at its full size when it fits; otherwise shrunk (not below
/// a legible minimum), and when still too wide wrapped onto balanced lines, at spaces and, in Japanese text (which
/// has none), between characters where Japanese allows a line break. Never wider than the room unless a single word
/// is.</summary>
internal sealed record FittedTitle(string[] Lines, double Size)
{
    public double LineHeight => Math.Round(Size * Style.LineSpacing);
    public double Width => Lines.Max(l => Scene.MeasureText(l, Size));

    public static FittedTitle Fit(string text, double maxWidth, double size, double minSize, int maxLines = Style.TitleMaxLines)
    {
        maxWidth = Math.Max(maxWidth, 1);
        double full = Scene.MeasureText(text, size);
        if (full <= maxWidth) return new([text], size);
        // one line, shrunk: whole pixel sizes, as the PNG font is baked at whole sizes
        for (double s = Math.Floor(size); s >= minSize; s--)
            if (Scene.MeasureText(text, s) <= maxWidth) return new([text], s);
        var words = Segments(text);
        for (int n = 2; n <= maxLines && n <= words.Length; n++)
        {
            // wrapped titles may grow back towards their full size, to halfway between it and the minimum
            for (double s = Math.Floor((size + minSize) / 2); s >= minSize; s--)
            {
                var lines = Balanced(words, n, s);
                if (lines.All(l => Scene.MeasureText(l, s) <= maxWidth)) return new(lines, s);
            }
        }
        // too long even at the minimum size on the most lines: wrap greedily, end the last line with an ellipsis
        var wrapped = Greedy(words, maxWidth, minSize);
        if (wrapped.Count > maxLines)
        {
            wrapped = wrapped.Take(maxLines).ToList();
            wrapped[^1] = Ellipsize(wrapped[^1] + "…", maxWidth, minSize);
        }
        for (int i = 0; i < wrapped.Count; i++) wrapped[i] = Ellipsize(wrapped[i], maxWidth, minSize);
        return new(wrapped.ToArray(), minSize);
    }

    /// <summary>Splits words into n lines so that the widest line is as narrow as possible.</summary>
    private static string[] Balanced(Segment[] words, int n, double size)
    {
        int m = words.Length;
        string Join(int a, int b) => JoinSegments(words, a, b);
        // best[k, i]: narrowest widest-line for words[0..i) on k lines; cut[k, i]: where the last line starts
        var best = new double[n + 1, m + 1];
        var cut = new int[n + 1, m + 1];
        for (int k = 0; k <= n; k++) for (int i = 0; i <= m; i++) best[k, i] = double.PositiveInfinity;
        best[0, 0] = 0;
        for (int k = 1; k <= n; k++)
            for (int i = k; i <= m; i++)
                for (int j = k - 1; j < i; j++)
                {
                    if (double.IsPositiveInfinity(best[k - 1, j])) continue;
                    double w = Math.Max(best[k - 1, j], Scene.MeasureText(Join(j, i), size));
                    if (w < best[k, i]) { best[k, i] = w; cut[k, i] = j; }
                }
        var lines = new string[n];
        for (int k = n, i = m; k >= 1; i = cut[k, i], k--) lines[k - 1] = Join(cut[k, i], i);
        return lines;
    }

    private static List<string> Greedy(Segment[] words, double maxWidth, double size)
    {
        var lines = new List<string>();
        string line = "";
        foreach (var w in words)
        {
            string next = line.Length == 0 ? w.Text : line + (w.SpaceBefore ? " " : "") + w.Text;
            if (line.Length > 0 && Scene.MeasureText(next, size) > maxWidth) { lines.Add(line); line = w.Text; }
            else line = next;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }

    /// <summary>A piece of text that a line may not break inside: a word, or one Japanese character (with the
    /// punctuation that may not start or end a line attached); <see cref="SpaceBefore"/> when a space preceded it.</summary>
    internal readonly record struct Segment(string Text, bool SpaceBefore);

    /// <summary>The text cut at its line-break opportunities: spaces (dropped), and between two characters of which
    /// one is Japanese (kana, kanji, full-width forms, Japanese punctuation), except before closing punctuation, small
    /// kana and the long-vowel mark, and after opening brackets.</summary>
    internal static Segment[] Segments(string text)
    {
        var segments = new List<Segment>();
        var current = new System.Text.StringBuilder();
        bool spaceBefore = false;
        int previous = -1;
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == ' ')
            {
                if (current.Length > 0) segments.Add(new(current.ToString(), spaceBefore));
                current.Clear();
                spaceBefore = segments.Count > 0;
                previous = -1;
                continue;
            }
            if (current.Length > 0 && previous >= 0 && MayBreakBetween(previous, rune.Value))
            {
                segments.Add(new(current.ToString(), spaceBefore));
                current.Clear();
                spaceBefore = false;
            }
            current.Append(rune.ToString());
            previous = rune.Value;
        }
        if (current.Length > 0) segments.Add(new(current.ToString(), spaceBefore));
        return segments.ToArray();
    }

    private static string JoinSegments(Segment[] segments, int from, int to)
    {
        var text = new System.Text.StringBuilder();
        for (int k = from; k < to; k++)
        {
            if (k > from && segments[k].SpaceBefore) text.Append(' ');
            text.Append(segments[k].Text);
        }
        return text.ToString();
    }

    private static bool IsJapanese(int c) =>
        c is >= 0x2E80 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0xFF00 and <= 0xFFEF;

    private const string NoBreakBefore = "、。，．）」』】〕〉》］｝！？：；ー・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〜…‥)]},.:;!?%";
    private const string NoBreakAfter = "（「『【〔〈《［｛([{";

    private static bool MayBreakBetween(int before, int after) =>
        (IsJapanese(before) || IsJapanese(after))
        && !(after <= 0xFFFF && NoBreakBefore.Contains((char)after))
        && !(before <= 0xFFFF && NoBreakAfter.Contains((char)before));

    private static string Ellipsize(string text, double width, double size)
    {
        if (Scene.MeasureText(text, size) <= width) return text;
        text = text.TrimEnd('…');
        while (text.Length > 1 && Scene.MeasureText(text + "…", size) > width) text = text[..^1];
        return text + "…";
    }

    /// <summary>Centre x for text of width <paramref name="w"/> wanted at <paramref name="centre"/>, kept inside [lo, hi].</summary>
    public static double Centre(double centre, double w, double lo, double hi) =>
        w >= hi - lo ? (lo + hi) / 2 : Math.Clamp(centre, lo + w / 2, hi - w / 2);
}

/// <summary>A data axis mapped onto a pixel interval; log axes work in log10 units.</summary>
internal sealed class AxisScale
{
    public double Min, Max, P0, P1;
    public bool Log;
    public List<double> Ticks = new();
    public string[] Labels = [];

    public double Map(double v)
    {
        double t = Log ? (v > 0 ? Math.Log10(v) : double.NaN) : v;
        return P0 + (t - Min) / (Max - Min) * (P1 - P0);
    }

    public double MapRaw(double t) => P0 + (t - Min) / (Max - Min) * (P1 - P0);

    /// <summary>The range in data units as plotly.js wants it (log10 units for log axes too).</summary>
    public (double, double) PlotlyRange => (Min, Max);
}

internal sealed class PanelLayout
{
    public required Panel Panel;
    public double CellX, CellY, CellW, CellH;
    public double L, T, R, B; // plot rectangle
    public AxisScale X = new(), Y = new();
    public HeatmapTrace? ScaleOwner; // the trace whose colour bar is drawn
    public QuiverTrace? QuiverScaleOwner;
    public (double Min, double Max) ColorRange;
    public ColorMap? ColorbarMap;
    public FittedTitle? Title;
    public string? ColorbarTitle;
    public double ColorbarX;
    public List<double> ColorbarTicks = new();
    public string[] ColorbarLabels = [];
}

internal enum LegendSymbol { Line, Marker, LineMarker, Box, Arrow }

internal sealed record LegendEntry(string Name, Color Color, LegendSymbol Symbol, Dash Dash);

/// <summary>Places a figure's panels, axes, ticks, legend and colour bars, and emits the static scene.
/// Plotly output reuses the placement so interactive and static figures share their geometry.</summary>
internal sealed class FigureLayout
{
    private readonly Figure _f;
    public readonly List<PanelLayout> Panels = new();
    public readonly List<LegendEntry> Legend = new();
    public double LegendX, LegendY, LegendWidth;
    public int Width => _f.Width;
    public int Height => _f.Height;
    public double TitleY, GridLeft, GridRight;
    /// <summary>The figure title fitted to the figure's width, and the x its lines are centred at.</summary>
    public FittedTitle? Title;
    public double TitleX;
    public double BottomReserve { get; }
    /// <summary>Overrides of the data ranges (animations fix axes across frames).</summary>
    public IReadOnlyList<((double, double) X, (double, double) Y)>? FixedRanges { get; init; }

    public FigureLayout(Figure f, double bottomReserve = 0)
    {
        _f = f;
        BottomReserve = bottomReserve;
    }

    // ---- placement ---------------------------------------------------------------------------

    public FigureLayout Compute()
    {
        if (Panels.Count > 0) return this;
        var f = _f;
        foreach (var p in f.Panels)
            foreach (var t in p.Traces)
                if (t.Name is not null && t.ShowLegend && Legend.All(e => e.Name != t.Name))
                    Legend.Add(new LegendEntry(t.Name, t.Color, t switch
                    {
                        ScatterTrace { Mode: Mode.Lines } => LegendSymbol.Line,
                        ScatterTrace { Mode: Mode.Markers } => LegendSymbol.Marker,
                        ScatterTrace => LegendSymbol.LineMarker,
                        HistogramTrace => LegendSymbol.Box,
                        QuiverTrace => LegendSymbol.Arrow,
                        _ => LegendSymbol.Box,
                    }, (t as ScatterTrace)?.Dash ?? Dash.Solid));
        bool showLegend = (f.ShowLegend ?? true) && Legend.Count > 0;
        if (!showLegend) Legend.Clear();
        LegendWidth = showLegend ? 16 + 26 + Legend.Max(e => Scene.MeasureText(e.Name, Style.LegendSize)) + 8 : 0;

        GridLeft = Style.Pad - 4;
        GridRight = f.Width - Style.Pad + 4 - LegendWidth;
        // the title is centred over the panels, may use the figure's whole width, and wraps when it must
        Title = f.TitleText is null ? null : FitFigureTitle(f.TitleText, f.Width);
        double top = Style.Pad - 2 + Style.TitleReserve(Title);
        TitleY = Style.Pad - 2 + (Title?.Size ?? Style.TitleSize) + 2;
        if (Title is not null) TitleX = FittedTitle.Centre((GridLeft + GridRight) / 2, Title.Width, Style.Pad / 2, f.Width - Style.Pad / 2);
        double bottom = f.Height - Style.Pad + 4 - BottomReserve;
        double cw = (GridRight - GridLeft) / f.Columns, ch = (bottom - top) / f.Rows;

        for (int i = 0; i < f.Panels.Count; i++)
        {
            var pl = new PanelLayout
            {
                Panel = f.Panels[i], CellX = GridLeft + (i % f.Columns) * cw, CellY = top + (i / f.Columns) * ch, CellW = cw, CellH = ch,
            };
            if (pl.Panel.Title is { } pt) pl.Title = FittedTitle.Fit(pt, Math.Max(cw - 4, 20), Style.PanelTitleSize, Style.PanelTitleMinSize);
            ResolveRanges(pl, FixedRanges is { } fr && i < fr.Count ? fr[i] : null);
            ResolveColorbar(pl);
            Panels.Add(pl);
        }

        // margins: measure with a first guess of the plot size, then align columns and rows
        var m = Panels.Select(p => Margins(p, p.CellW - 70, p.CellH - 50)).ToArray();
        m = Panels.Select((p, i) => Margins(p, p.CellW - m[i].L - m[i].R, p.CellH - m[i].T - m[i].B)).ToArray();
        for (int i = 0; i < Panels.Count; i++)
        {
            int r = i / f.Columns, c = i % f.Columns;
            double ml = 0, mr = 0, mt = 0, mb = 0;
            for (int j = 0; j < Panels.Count; j++)
            {
                if (j % f.Columns == c) { ml = Math.Max(ml, m[j].L); mr = Math.Max(mr, m[j].R); }
                if (j / f.Columns == r) { mt = Math.Max(mt, m[j].T); mb = Math.Max(mb, m[j].B); }
            }
            var p = Panels[i];
            p.L = Math.Round(p.CellX + ml); p.R = Math.Round(p.CellX + p.CellW - mr);
            p.T = Math.Round(p.CellY + mt); p.B = Math.Round(p.CellY + p.CellH - mb);
            if (p.R - p.L < 10) { double cx = (p.CellX + p.CellW / 2); p.L = Math.Round(cx - 5); p.R = p.L + 10; }
            if (p.B - p.T < 10) { double cy = (p.CellY + p.CellH / 2); p.T = Math.Round(cy - 5); p.B = p.T + 10; }
            if (p.Panel.EqualAspect) FitAspect(p);
            MakeTicks(p, p.R - p.L, p.B - p.T);
            p.X.P0 = p.L; p.X.P1 = p.R;
            (p.Y.P0, p.Y.P1) = p.Panel.ReverseY ? (p.T, p.B) : (p.B, p.T);
            p.ColorbarX = p.R + 14;
        }
        LegendX = GridRight + 10;
        LegendY = Panels.Count > 0 ? Panels[0].T : top;
        return this;
    }

    /// <summary>The figure title fitted to the width of a figure (also used to size image grids).</summary>
    public static FittedTitle FitFigureTitle(string title, double figureWidth) =>
        FittedTitle.Fit(title, figureWidth - Style.Pad, Style.TitleSize, Style.TitleMinSize);

    private static void ResolveRanges(PanelLayout pl, ((double, double) X, (double, double) Y)? fixedRange)
    {
        var p = pl.Panel;
        pl.X.Log = p.LogX; pl.Y.Log = p.LogY;
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        bool padX = false, padY = false;
        foreach (var t in p.Traces)
        {
            var (a, b, c, d) = t.DataBounds(p.LogX, p.LogY);
            if (p.LogX) { a = a > 0 ? Math.Log10(a) : double.NaN; b = b > 0 ? Math.Log10(b) : double.NaN; }
            if (p.LogY) { c = c > 0 ? Math.Log10(c) : double.NaN; d = d > 0 ? Math.Log10(d) : double.NaN; }
            if (double.IsFinite(a)) x0 = Math.Min(x0, a);
            if (double.IsFinite(b)) x1 = Math.Max(x1, b);
            if (double.IsFinite(c)) y0 = Math.Min(y0, c);
            if (double.IsFinite(d)) y1 = Math.Max(y1, d);
            padX |= t.PadX; padY |= t.PadY;
            if (t is HistogramTrace && !p.LogY) { y0 = Math.Min(y0, 0); padY = true; }
        }
        (x0, x1) = Settle(x0, x1, padX, 0.04);
        (y0, y1) = Settle(y0, y1, padY, 0.05);
        // a histogram's bars stand on the axis: no padding below zero
        if (p.Traces.Any(t => t is HistogramTrace) && !p.LogY && y0 < 0 && p.Traces.All(t => t is not ScatterTrace s || s.Y.All(v => !(v < 0)))) y0 = 0;
        if (fixedRange is { } fr) { (x0, x1) = fr.X; (y0, y1) = fr.Y; }
        if (p.XRange is { } xr) (x0, x1) = p.LogX ? (Math.Log10(xr.Min), Math.Log10(xr.Max)) : xr;
        if (p.YRange is { } yr) (y0, y1) = p.LogY ? (Math.Log10(yr.Min), Math.Log10(yr.Max)) : yr;
        if (!double.IsFinite(x0) || !double.IsFinite(x1) || x1 <= x0) (x0, x1) = (0, 1);
        if (!double.IsFinite(y0) || !double.IsFinite(y1) || y1 <= y0) (y0, y1) = (0, 1);
        pl.X.Min = x0; pl.X.Max = x1; pl.Y.Min = y0; pl.Y.Max = y1;
    }

    private static (double, double) Settle(double lo, double hi, bool pad, double frac)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi)) return (0, 1);
        if (hi <= lo) { double d = lo == 0 ? 1 : Math.Abs(lo) * 0.1; return (lo - d, hi + d); }
        if (!pad) return (lo, hi);
        double span = hi - lo;
        return (lo - span * frac, hi + span * frac);
    }

    private static void ResolveColorbar(PanelLayout pl)
    {
        foreach (var t in pl.Panel.Traces)
        {
            if (t is HeatmapTrace { ShowScale: true } h)
            {
                pl.ScaleOwner = h; pl.ColorRange = (h.ZMin, h.ZMax); pl.ColorbarMap = h.ColorMap; pl.ColorbarTitle = h.ColorbarTitle;
                break;
            }
            if (t is QuiverTrace { ColorMap: { } cm } q)
            {
                pl.QuiverScaleOwner = q;
                double hi = 0;
                for (int i = 0; i < q.U.Length; i++) { double l = Math.Sqrt(q.U[i] * q.U[i] + q.V[i] * q.V[i]); if (double.IsFinite(l)) hi = Math.Max(hi, l); }
                pl.ColorRange = (0, hi > 0 ? hi : 1); pl.ColorbarMap = cm; pl.ColorbarTitle = "|v|";
                break;
            }
        }
        if (pl.ColorbarMap is null) return;
        var (lo, hi2) = pl.ColorRange;
        double step = Ticks.NiceStep((hi2 - lo) / 5);
        pl.ColorbarTicks = Ticks.Linear(lo, hi2, step);
        pl.ColorbarLabels = Ticks.Format(pl.ColorbarTicks, step);
    }

    private (double L, double T, double R, double B) Margins(PanelLayout p, double plotW, double plotH)
    {
        var panel = p.Panel;
        double titleExtra = p.Title is { } pt ? pt.Size + (pt.Lines.Length - 1) * pt.LineHeight : 0;
        double top = p.Title is null ? 6 : titleExtra + 14;
        if (!panel.AxesVisible)
            return (2, p.Title is null ? 2 : titleExtra + 8, 2 + ColorbarWidth(p), 2);
        MakeTicks(p, Math.Max(plotW, 20), Math.Max(plotH, 20));
        double yw = p.Y.Labels.Length == 0 ? 0 : p.Y.Labels.Max(s => Scene.MeasureText(s, Style.TickSize));
        double left = Style.TickLength + Style.TickGap + 2 + yw + (panel.YLabel is null ? 4 : Style.LabelSize + 10);
        double bottom = Style.TickLength + Style.TickGap + Style.TickSize + 4 + (panel.XLabel is null ? 0 : Style.LabelSize + 8);
        double right = 12;
        if (p.X.Labels.Length > 0 && p.X.Ticks.Count > 0)
        {
            // the last tick label may stick out past the plot's right edge
            double lastPos = (p.X.Ticks[^1] - p.X.Min) / (p.X.Max - p.X.Min) * plotW;
            double over = lastPos + Scene.MeasureText(p.X.Labels[^1], Style.TickSize) / 2 - plotW;
            right = Math.Max(right, over + 6);
        }
        right = Math.Max(right, ColorbarWidth(p));
        return (left, top, right, bottom);
    }

    private static double ColorbarWidth(PanelLayout p) => p.ColorbarMap is null ? 0
        : 14 + 14 + Style.TickLength + 3 + p.ColorbarLabels.Select(s => Scene.MeasureText(s, Style.TickSize)).DefaultIfEmpty(0).Max()
          + (p.ColorbarTitle is null ? 6 : Style.TickSize + 14);

    private static void MakeTicks(PanelLayout p, double w, double h)
    {
        MakeAxisTicks(p.X, w, horizontal: true);
        MakeAxisTicks(p.Y, h, horizontal: false);
    }

    private static void MakeAxisTicks(AxisScale a, double pixels, bool horizontal)
    {
        if (a.Log)
        {
            (a.Ticks, a.Labels) = Ticks.Log(a.Min, a.Max, pixels, horizontal);
            return;
        }
        int target = Math.Clamp((int)(pixels / (horizontal ? 80 : 62)), 3, 10);
        double step = Ticks.NiceStep((a.Max - a.Min) / target);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var t = Ticks.Linear(a.Min, a.Max, step);
            var labels = Ticks.Format(t, step);
            double spacing = pixels * step / (a.Max - a.Min);
            double need = horizontal
                ? labels.Select(s => Scene.MeasureText(s, Style.TickSize)).DefaultIfEmpty(0).Max() + 14
                : Style.TickSize * 1.9;
            if (spacing >= need || attempt == 7 || t.Count <= 1) { a.Ticks = t; a.Labels = labels; return; }
            step = Ticks.Coarser(step);
        }
    }

    private static void FitAspect(PanelLayout p)
    {
        double dw = p.X.Max - p.X.Min, dh = p.Y.Max - p.Y.Min, w = p.R - p.L, h = p.B - p.T;
        double ppu = Math.Min(w / dw, h / dh);
        // pictures get a whole number of screen pixels per image pixel
        if (p.Panel.Traces.Count > 0 && p.Panel.Traces.All(t => t is ImageTrace) && ppu >= 1) ppu = Math.Floor(ppu);
        double nw = dw * ppu, nh = dh * ppu, cx = (p.L + p.R) / 2, cy = (p.T + p.B) / 2;
        p.L = Math.Round(cx - nw / 2); p.R = p.L + Math.Round(nw);
        if (!p.Panel.AxesVisible) { p.T = Math.Round(p.T); p.B = p.T + Math.Round(nh); }
        else { p.T = Math.Round(cy - nh / 2); p.B = p.T + Math.Round(nh); }
    }

    // ---- drawing -----------------------------------------------------------------------------

    public Scene Build()
    {
        Compute();
        var s = new Scene(_f.Width, _f.Height);
        foreach (var p in Panels) DrawPanel(s, p);
        if (Title is { } title)
            for (int i = 0; i < title.Lines.Length; i++)
                s.Add(new TextMark(TitleX, TitleY + i * title.LineHeight, title.Lines[i], title.Size, Style.Text, TextAnchor.Middle, Class: "title"));
        DrawLegend(s);
        return s;
    }

    private static double Crisp(double v) => Math.Round(v - 0.5) + 0.5;

    private void DrawPanel(Scene s, PanelLayout p)
    {
        var panel = p.Panel;
        if (panel.AxesVisible && panel.Grid)
        {
            foreach (var t in p.X.Ticks) { double x = Crisp(p.X.MapRaw(t)); s.Add(new PathMark([(x, p.T), (x, p.B)], Style.GridLine, 1, Class: "grid")); }
            foreach (var t in p.Y.Ticks) { double y = Crisp(p.Y.MapRaw(t)); s.Add(new PathMark([(p.L, y), (p.R, y)], Style.GridLine, 1, Class: "grid")); }
        }
        s.Add(new ClipMark(p.L, p.T, p.R - p.L, p.B - p.T));
        foreach (var t in panel.Traces.OfType<HeatmapTrace>()) DrawHeatmap(s, p, t);
        foreach (var t in panel.Traces.OfType<ImageTrace>()) DrawImage(s, p, t);
        foreach (var t in panel.Traces.OfType<HistogramTrace>()) DrawHistogram(s, p, t);
        foreach (var t in panel.Traces.OfType<QuiverTrace>()) DrawQuiver(s, p, t);
        foreach (var t in panel.Traces.OfType<ScatterTrace>()) DrawScatter(s, p, t);
        s.Add(new UnclipMark());

        if (panel.AxesVisible) DrawAxes(s, p);
        if (p.Title is { } title)
        {
            // the last line sits just above the plot; a wrapped title grows upwards into the room reserved for it
            double y = (panel.AxesVisible ? p.T - 9 : p.T - 6) - (title.Lines.Length - 1) * title.LineHeight;
            double x = PanelTitleX(p, title);
            for (int i = 0; i < title.Lines.Length; i++)
                s.Add(new TextMark(x, y + i * title.LineHeight, title.Lines[i], title.Size, Style.Text, TextAnchor.Middle, Class: "panel-title"));
        }
        if (p.ColorbarMap is { } cm) DrawColorbar(s, p, cm);
    }

    /// <summary>Panel titles centre over the plot but stay inside their cell.</summary>
    internal static double PanelTitleX(PanelLayout p, FittedTitle title) =>
        FittedTitle.Centre((p.L + p.R) / 2, title.Width, p.CellX + 2, p.CellX + p.CellW - 2);

    private void DrawAxes(Scene s, PanelLayout p)
    {
        var panel = p.Panel;
        double by = Crisp(p.B), lx = Crisp(p.L);
        s.Add(new PathMark([(p.L - 0.5, by), (p.R, by)], Style.AxisLine, 1, Class: "axis"));
        s.Add(new PathMark([(lx, p.T), (lx, p.B + 0.5)], Style.AxisLine, 1, Class: "axis"));
        double labelBase = p.B + Style.TickLength + Style.TickGap + Style.TickSize * 0.93;
        for (int i = 0; i < p.X.Ticks.Count; i++)
        {
            double x = Crisp(p.X.MapRaw(p.X.Ticks[i]));
            s.Add(new PathMark([(x, p.B), (x, p.B + Style.TickLength)], Style.AxisLine, 1, Class: "tick"));
            s.Add(new TextMark(x, labelBase, p.X.Labels[i], Style.TickSize, Style.TickText, TextAnchor.Middle, Class: "xtick"));
        }
        double maxW = 0;
        for (int i = 0; i < p.Y.Ticks.Count; i++)
        {
            double y = Crisp(p.Y.MapRaw(p.Y.Ticks[i]));
            s.Add(new PathMark([(p.L - Style.TickLength, y), (p.L, y)], Style.AxisLine, 1, Class: "tick"));
            s.Add(new TextMark(p.L - Style.TickLength - Style.TickGap, y + Style.TickSize * 0.36, p.Y.Labels[i], Style.TickSize, Style.TickText, TextAnchor.End, Class: "ytick"));
            maxW = Math.Max(maxW, Scene.MeasureText(p.Y.Labels[i], Style.TickSize));
        }
        if (panel.XLabel is { } xl)
            s.Add(new TextMark((p.L + p.R) / 2, labelBase + Style.LabelSize + 7, xl, Style.LabelSize, Style.Text, TextAnchor.Middle, Class: "xlabel"));
        if (panel.YLabel is { } yl)
        {
            double x = p.L - Style.TickLength - Style.TickGap - maxW - 8;
            s.Add(new TextMark(x, (p.T + p.B) / 2, yl, Style.LabelSize, Style.Text, TextAnchor.Middle, Rotated: true, Class: "ylabel"));
        }
    }

    private static void DrawColorbar(Scene s, PanelLayout p, ColorMap cm)
    {
        const int Steps = 256;
        double x = p.ColorbarX, w = 14, top = p.T, h = p.B - p.T;
        var bar = new RgbaImage(1, Steps);
        for (int i = 0; i < Steps; i++) bar[0, i] = cm[1 - i / (double)(Steps - 1)];
        s.Add(new ImageMark(x, top, w, h, bar, Class: "colorbar"));
        s.Add(new RectMark(x, top, w, h, null, Style.AxisLine, 0.8, Class: "colorbar-frame"));
        var (lo, hi) = p.ColorRange;
        double maxW = 0;
        for (int i = 0; i < p.ColorbarTicks.Count; i++)
        {
            double y = Crisp(p.B - (p.ColorbarTicks[i] - lo) / (hi - lo) * h);
            s.Add(new PathMark([(x + w, y), (x + w + Style.TickLength - 1, y)], Style.AxisLine, 1, Class: "tick"));
            s.Add(new TextMark(x + w + Style.TickLength + 2, y + Style.TickSize * 0.36, p.ColorbarLabels[i], Style.TickSize, Style.TickText, Class: "ctick"));
            maxW = Math.Max(maxW, Scene.MeasureText(p.ColorbarLabels[i], Style.TickSize));
        }
        if (p.ColorbarTitle is { } t)
            s.Add(new TextMark(x + w + Style.TickLength + 2 + maxW + 8 + Style.TickSize * 0.8, (p.T + p.B) / 2, t, Style.TickSize, Style.Text, TextAnchor.Middle, Rotated: true, Class: "colorbar-title"));
    }

    internal static double[] DashPattern(Dash d, double width)
    {
        double k = Math.Max(1, width / 2);
        return d switch
        {
            Dash.Dash => [7 * k, 4 * k],
            Dash.Dot => [0.1, 3.5 * k],
            Dash.DashDot => [7 * k, 3.5 * k, 0.1, 3.5 * k],
            _ => [],
        };
    }

    private static void DrawScatter(Scene s, PanelLayout p, ScatterTrace t)
    {
        var pts = new (double, double)[t.X.Length];
        for (int i = 0; i < pts.Length; i++) pts[i] = (p.X.Map(t.X[i]), p.Y.Map(t.Y[i]));
        var c = t.Color.WithAlpha(t.Opacity * t.Color.A / 255);
        if (t.FillToZero)
        {
            double y0 = p.Y.Log ? p.B : p.Y.Map(0);
            var finite = pts.Where(q => double.IsFinite(q.Item1) && double.IsFinite(q.Item2)).ToList();
            if (finite.Count > 1)
            {
                var poly = new List<(double, double)> { (finite[0].Item1, y0) };
                poly.AddRange(finite);
                poly.Add((finite[^1].Item1, y0));
                s.Add(new PathMark(poly, null, 0, Fill: t.Color.WithAlpha(0.22), Closed: true, Class: "area"));
            }
        }
        if (t.Mode != Mode.Markers)
            s.Add(new PathMark(pts, c, t.LineWidth, Dash: DashPattern(t.Dash, t.LineWidth), Class: "line"));
        if (t.Mode != Mode.Lines)
            foreach (var (x, y) in pts)
                if (double.IsFinite(x) && double.IsFinite(y))
                    s.Add(new CircleMark(x, y, t.MarkerSize / 2, c, Class: "point"));
    }

    private static void DrawHistogram(Scene s, PanelLayout p, HistogramTrace t)
    {
        var fill = t.Color.WithAlpha(t.Opacity);
        double baseY = p.Y.Log ? p.B : p.Y.Map(0);
        for (int i = 0; i < t.Heights.Length; i++)
        {
            if (t.Heights[i] <= 0) continue;
            double x0 = p.X.Map(t.BinStart + i * t.BinSize), x1 = p.X.Map(t.BinStart + (i + 1) * t.BinSize), y = p.Y.Map(t.Heights[i]);
            double gap = x1 - x0 > 4 ? 0.5 : 0;
            s.Add(new RectMark(x0 + gap, Math.Min(y, baseY), Math.Max(x1 - x0 - 2 * gap, 0.5), Math.Abs(baseY - y), fill, Class: "bar"));
        }
    }

    private static void DrawHeatmap(Scene s, PanelLayout p, HeatmapTrace t)
    {
        int rows = t.Z.GetLength(0), cols = t.Z.GetLength(1);
        double span = t.ZMax - t.ZMin;
        Color Cell(int r, int c) => t.ColorMap[(t.Z[r, c] - t.ZMin) / span];
        if (Uniform(t.XEdges) && Uniform(t.YEdges) && !p.X.Log && !p.Y.Log)
        {
            var img = new RgbaImage(cols, rows);
            bool flip = !p.Panel.ReverseY;
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) img[c, flip ? rows - 1 - r : r] = Cell(r, c);
            double x0 = p.X.Map(t.XEdges[0]), x1 = p.X.Map(t.XEdges[^1]), ya = p.Y.Map(t.YEdges[0]), yb = p.Y.Map(t.YEdges[^1]);
            s.Add(new ImageMark(x0, Math.Min(ya, yb), x1 - x0, Math.Abs(yb - ya), img, Class: "heatmap"));
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double x0 = p.X.Map(t.XEdges[c]), x1 = p.X.Map(t.XEdges[c + 1]), y0 = p.Y.Map(t.YEdges[r]), y1 = p.Y.Map(t.YEdges[r + 1]);
                s.Add(new RectMark(Math.Min(x0, x1), Math.Min(y0, y1), Math.Abs(x1 - x0) + 0.3, Math.Abs(y1 - y0) + 0.3, Cell(r, c), Class: "cell"));
            }
    }

    private static bool Uniform(double[] e)
    {
        if (e.Length < 3) return true;
        double d = e[1] - e[0];
        for (int i = 2; i < e.Length; i++) if (Math.Abs(e[i] - e[i - 1] - d) > Math.Abs(d) * 1e-6) return false;
        return true;
    }

    private static void DrawImage(Scene s, PanelLayout p, ImageTrace t)
    {
        double x0 = p.X.Map(-0.5), x1 = p.X.Map(t.Image.Width - 0.5), y0 = p.Y.Map(-0.5), y1 = p.Y.Map(t.Image.Height - 0.5);
        s.Add(new ImageMark(Math.Min(x0, x1), Math.Min(y0, y1), Math.Abs(x1 - x0), Math.Abs(y1 - y0), t.Image, Class: "image"));
    }

    /// <summary>Arrow geometry in pixels: shaft from tail to the base of the head, head triangle.</summary>
    internal static IEnumerable<(int Index, (double X, double Y) Tail, (double X, double Y) Neck, (double X, double Y)[] Head)> Arrows(PanelLayout p, QuiverTrace t)
    {
        for (int i = 0; i < t.X.Length; i++)
        {
            double ax = p.X.Map(t.X[i]), ay = p.Y.Map(t.Y[i]), bx = p.X.Map(t.X[i] + t.U[i] * t.Scale), by = p.Y.Map(t.Y[i] + t.V[i] * t.Scale);
            if (!double.IsFinite(ax + ay + bx + by)) continue;
            double dx = bx - ax, dy = by - ay, len = Math.Sqrt(dx * dx + dy * dy);
            if (len < 0.75) continue;
            double head = Math.Min(Math.Max(3.5 + t.LineWidth * 1.8, 0), len * 0.55), half = head * 0.5;
            double ux = dx / len, uy = dy / len;
            var neck = (bx - ux * head * 0.85, by - uy * head * 0.85);
            var baseX = bx - ux * head; var baseY = by - uy * head;
            yield return (i, (ax, ay), neck, [(bx, by), (baseX - uy * half, baseY + ux * half), (baseX + uy * half, baseY - ux * half)]);
        }
    }

    private static void DrawQuiver(Scene s, PanelLayout p, QuiverTrace t)
    {
        double maxMag = p.QuiverScaleOwner == t ? p.ColorRange.Max : 1;
        foreach (var (i, tail, neck, head) in Arrows(p, t))
        {
            var c = t.ColorMap is { } cm ? cm[Math.Sqrt(t.U[i] * t.U[i] + t.V[i] * t.V[i]) / maxMag] : t.Color;
            s.Add(new PathMark([tail, neck], c, t.LineWidth, Class: "arrow"));
            s.Add(new PathMark(head, null, 0, Fill: c, Closed: true, Class: "arrowhead"));
        }
    }

    private void DrawLegend(Scene s)
    {
        if (Legend.Count == 0) return;
        double x = LegendX, y = LegendY + 2, row = Style.LegendSize + 9;
        foreach (var e in Legend)
        {
            double cy = y + row / 2;
            switch (e.Symbol)
            {
                case LegendSymbol.Line:
                    s.Add(new PathMark([(x, cy), (x + 22, cy)], e.Color, 2.5, Dash: DashPattern(e.Dash, 2), Class: "legend-symbol"));
                    break;
                case LegendSymbol.Marker:
                    s.Add(new CircleMark(x + 11, cy, 4, e.Color, Class: "legend-symbol"));
                    break;
                case LegendSymbol.LineMarker:
                    s.Add(new PathMark([(x, cy), (x + 22, cy)], e.Color, 2, Class: "legend-symbol"));
                    s.Add(new CircleMark(x + 11, cy, 3.5, e.Color, Class: "legend-symbol"));
                    break;
                case LegendSymbol.Arrow:
                    s.Add(new PathMark([(x + 1, cy), (x + 15, cy)], e.Color, 1.8, Class: "legend-symbol"));
                    s.Add(new PathMark([(x + 22, cy), (x + 14, cy - 4), (x + 14, cy + 4)], null, 0, Fill: e.Color, Closed: true, Class: "legend-symbol"));
                    break;
                default:
                    s.Add(new RectMark(x + 4, cy - 6, 14, 12, e.Color.WithAlpha(0.8), Class: "legend-symbol"));
                    break;
            }
            s.Add(new TextMark(x + 28, cy + Style.LegendSize * 0.36, e.Name, Style.LegendSize, Style.Text, Class: "legend-text"));
            y += row;
        }
    }
}

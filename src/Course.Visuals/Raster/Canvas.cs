namespace Course.Visuals.Raster;

/// <summary>A small anti-aliased rasterizer over an <see cref="RgbaImage"/>: strokes are drawn by
/// their distance field (round caps and joins for free), fills by scanline with exact horizontal and
/// 4x vertical coverage, text from the embedded bitmap font. Coverage of one shape is gathered in a
/// mask first (max over its parts), so a translucent polyline does not darken where segments meet.</summary>
internal sealed class Canvas
{
    public RgbaImage Image { get; }
    private readonly float[] _mask;
    private int _mx0, _my0, _mx1, _my1; // dirty mask rows/cols, half-open
    private (int X0, int Y0, int X1, int Y1) _clip;

    public Canvas(RgbaImage image)
    {
        Image = image;
        _mask = new float[image.Width * image.Height];
        ResetClip();
    }

    public int Width => Image.Width;
    public int Height => Image.Height;

    public void ResetClip() => _clip = (0, 0, Image.Width, Image.Height);

    public void SetClip(double x0, double y0, double x1, double y1) => _clip = (
        Math.Clamp((int)Math.Floor(x0), 0, Width), Math.Clamp((int)Math.Floor(y0), 0, Height),
        Math.Clamp((int)Math.Ceiling(x1), 0, Width), Math.Clamp((int)Math.Ceiling(y1), 0, Height));

    // ---- compositing -------------------------------------------------------------------------

    private void Blend(int x, int y, Color c, float coverage)
    {
        float a = c.A / 255f * coverage;
        if (a <= 0) return;
        var p = Image.Pixels;
        int i = (y * Width + x) * 4;
        float da = p[i + 3] / 255f;
        if (da >= 1f)
        {
            float k = 1 - a;
            p[i] = (byte)(c.R * a + p[i] * k + 0.5f);
            p[i + 1] = (byte)(c.G * a + p[i + 1] * k + 0.5f);
            p[i + 2] = (byte)(c.B * a + p[i + 2] * k + 0.5f);
            return;
        }
        float oa = a + da * (1 - a);
        if (oa <= 0) return;
        float wd = da * (1 - a) / oa, ws = a / oa;
        p[i] = (byte)(c.R * ws + p[i] * wd + 0.5f);
        p[i + 1] = (byte)(c.G * ws + p[i + 1] * wd + 0.5f);
        p[i + 2] = (byte)(c.B * ws + p[i + 2] * wd + 0.5f);
        p[i + 3] = (byte)(oa * 255 + 0.5f);
    }

    private void MarkDirty(int x0, int y0, int x1, int y1)
    {
        _mx0 = Math.Min(_mx0, x0); _my0 = Math.Min(_my0, y0);
        _mx1 = Math.Max(_mx1, x1); _my1 = Math.Max(_my1, y1);
    }

    private void BeginMask() { _mx0 = int.MaxValue; _my0 = int.MaxValue; _mx1 = int.MinValue; _my1 = int.MinValue; }

    private void CommitMask(Color c)
    {
        if (_mx1 <= _mx0 || _my1 <= _my0) return;
        for (int y = _my0; y < _my1; y++)
        {
            int row = y * Width;
            for (int x = _mx0; x < _mx1; x++)
            {
                float m = _mask[row + x];
                if (m > 0) { Blend(x, y, c, Math.Min(m, 1f)); _mask[row + x] = 0; }
            }
        }
    }

    // ---- rectangles --------------------------------------------------------------------------

    public void FillRect(double x0, double y0, double x1, double y1, Color c)
    {
        if (x1 < x0) (x0, x1) = (x1, x0);
        if (y1 < y0) (y0, y1) = (y1, y0);
        int ix0 = Math.Max(_clip.X0, (int)Math.Floor(x0)), ix1 = Math.Min(_clip.X1, (int)Math.Ceiling(x1));
        int iy0 = Math.Max(_clip.Y0, (int)Math.Floor(y0)), iy1 = Math.Min(_clip.Y1, (int)Math.Ceiling(y1));
        for (int y = iy0; y < iy1; y++)
        {
            float cy = (float)(Math.Min(y + 1, y1) - Math.Max(y, y0));
            for (int x = ix0; x < ix1; x++)
            {
                float cx = (float)(Math.Min(x + 1, x1) - Math.Max(x, x0));
                Blend(x, y, c, cx * cy);
            }
        }
    }

    public void StrokeRect(double x0, double y0, double x1, double y1, double width, Color c)
        => StrokePolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], width, c, closed: true);

    // ---- strokes -----------------------------------------------------------------------------

    public void StrokeLine(double x0, double y0, double x1, double y1, double width, Color c)
        => StrokePolyline([(x0, y0), (x1, y1)], width, c);

    public void StrokePolyline(ReadOnlySpan<(double X, double Y)> pts, double width, Color c, bool closed = false)
    {
        if (pts.Length == 0 || c.A == 0) return;
        // Hairlines below one pixel are drawn one pixel wide and proportionally fainter.
        if (width < 1) { c = c.WithAlpha(c.A / 255.0 * Math.Max(width, 0)); width = 1; }
        BeginMask();
        double r = width / 2;
        if (pts.Length == 1) SegmentCoverage(pts[0], pts[0], r);
        for (int i = 1; i < pts.Length; i++) SegmentCoverage(pts[i - 1], pts[i], r);
        if (closed && pts.Length > 2) SegmentCoverage(pts[^1], pts[0], r);
        CommitMask(c);
    }

    private void SegmentCoverage((double X, double Y) a, (double X, double Y) b, double r)
    {
        if (!double.IsFinite(a.X) || !double.IsFinite(a.Y) || !double.IsFinite(b.X) || !double.IsFinite(b.Y)) return;
        double reach = r + 1;
        int x0 = Math.Max(_clip.X0, (int)Math.Floor(Math.Min(a.X, b.X) - reach));
        int x1 = Math.Min(_clip.X1, (int)Math.Ceiling(Math.Max(a.X, b.X) + reach));
        int y0 = Math.Max(_clip.Y0, (int)Math.Floor(Math.Min(a.Y, b.Y) - reach));
        int y1 = Math.Min(_clip.Y1, (int)Math.Ceiling(Math.Max(a.Y, b.Y) + reach));
        if (x1 <= x0 || y1 <= y0) return;
        MarkDirty(x0, y0, x1, y1);
        double dx = b.X - a.X, dy = b.Y - a.Y, len2 = dx * dx + dy * dy, len = Math.Sqrt(len2);
        bool steep = Math.Abs(dy) > 1e-9 && Math.Abs(dy) * 4 > len;
        for (int y = y0; y < y1; y++)
        {
            double py = y + 0.5;
            int sx0 = x0, sx1 = x1;
            if (steep)
            {
                // only the band of columns the capsule crosses on this row
                double xc = a.X + (py - a.Y) * dx / dy, half = reach * len / Math.Abs(dy);
                sx0 = Math.Max(x0, (int)Math.Floor(xc - half));
                sx1 = Math.Min(x1, (int)Math.Ceiling(xc + half));
            }
            int row = y * Width;
            for (int x = sx0; x < sx1; x++)
            {
                double px = x + 0.5, t = len2 > 0 ? Math.Clamp(((px - a.X) * dx + (py - a.Y) * dy) / len2, 0, 1) : 0;
                double ex = px - (a.X + t * dx), ey = py - (a.Y + t * dy);
                float cov = (float)Math.Clamp(r + 0.5 - Math.Sqrt(ex * ex + ey * ey), 0, 1);
                if (cov > _mask[row + x]) _mask[row + x] = cov;
            }
        }
    }

    // ---- circles -----------------------------------------------------------------------------

    public void FillCircle(double cx, double cy, double radius, Color c) => Circle(cx, cy, radius, -1, c);

    public void StrokeCircle(double cx, double cy, double radius, double width, Color c) => Circle(cx, cy, radius, width, c);

    private void Circle(double cx, double cy, double radius, double strokeWidth, Color c)
    {
        double reach = radius + Math.Max(strokeWidth, 0) / 2 + 1;
        int x0 = Math.Max(_clip.X0, (int)Math.Floor(cx - reach)), x1 = Math.Min(_clip.X1, (int)Math.Ceiling(cx + reach));
        int y0 = Math.Max(_clip.Y0, (int)Math.Floor(cy - reach)), y1 = Math.Min(_clip.Y1, (int)Math.Ceiling(cy + reach));
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                double d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
                double cov = strokeWidth < 0
                    ? Math.Clamp(radius + 0.5 - d, 0, 1)
                    : Math.Clamp(strokeWidth / 2 + 0.5 - Math.Abs(d - radius), 0, 1);
                if (cov > 0) Blend(x, y, c, (float)cov);
            }
    }

    // ---- polygons ----------------------------------------------------------------------------

    /// <summary>Fills a polygon (non-zero winding; several closed rings allowed, NaN separates rings).</summary>
    public void FillPolygon(ReadOnlySpan<(double X, double Y)> pts, Color c)
    {
        var edges = new List<(double X0, double Y0, double X1, double Y1, int Dir)>();
        int start = 0;
        for (int i = 0; i <= pts.Length; i++)
        {
            if (i == pts.Length || !double.IsFinite(pts[i].X) || !double.IsFinite(pts[i].Y))
            {
                for (int k = start; k < i; k++)
                {
                    var p = pts[k];
                    var q = pts[k + 1 < i ? k + 1 : start];
                    if (p.Y != q.Y) edges.Add(p.Y < q.Y ? (p.X, p.Y, q.X, q.Y, 1) : (q.X, q.Y, p.X, p.Y, -1));
                }
                start = i + 1;
            }
        }
        if (edges.Count == 0) return;
        double minY = edges.Min(e => e.Y0), maxY = edges.Max(e => e.Y1);
        int y0 = Math.Max(_clip.Y0, (int)Math.Floor(minY)), y1 = Math.Min(_clip.Y1, (int)Math.Ceiling(maxY));
        const int Sub = 4;
        var cross = new List<(double X, int Dir)>();
        BeginMask();
        for (int y = y0; y < y1; y++)
        {
            int row = y * Width;
            for (int s = 0; s < Sub; s++)
            {
                double sy = y + (s + 0.5) / Sub;
                cross.Clear();
                foreach (var e in edges)
                    if (sy >= e.Y0 && sy < e.Y1) cross.Add((e.X0 + (sy - e.Y0) * (e.X1 - e.X0) / (e.Y1 - e.Y0), e.Dir));
                if (cross.Count < 2) continue;
                cross.Sort((u, v) => u.X.CompareTo(v.X));
                int wind = 0;
                for (int k = 0; k < cross.Count - 1; k++)
                {
                    wind += cross[k].Dir;
                    if (wind == 0) continue;
                    double xa = Math.Max(cross[k].X, _clip.X0), xb = Math.Min(cross[k + 1].X, _clip.X1);
                    if (xb <= xa) continue;
                    int ia = (int)Math.Floor(xa), ib = (int)Math.Ceiling(xb);
                    MarkDirty(ia, y, ib, y + 1);
                    for (int x = ia; x < ib; x++)
                        _mask[row + x] += (float)((Math.Min(x + 1, xb) - Math.Max(x, xa)) / Sub);
                }
            }
        }
        CommitMask(c);
    }

    // ---- images ------------------------------------------------------------------------------

    /// <summary>Draws <paramref name="src"/> into the rectangle, nearest-neighbour (keeps pixels and heatmap cells crisp).</summary>
    public void DrawImage(RgbaImage src, double x0, double y0, double x1, double y1)
    {
        int ix0 = (int)Math.Round(x0), ix1 = (int)Math.Round(x1), iy0 = (int)Math.Round(y0), iy1 = (int)Math.Round(y1);
        if (ix1 <= ix0 || iy1 <= iy0) return;
        double sx = (double)src.Width / (ix1 - ix0), sy = (double)src.Height / (iy1 - iy0);
        var sp = src.Pixels;
        for (int y = Math.Max(iy0, _clip.Y0); y < Math.Min(iy1, _clip.Y1); y++)
        {
            int srow = Math.Min(src.Height - 1, (int)((y - iy0 + 0.5) * sy)) * src.Width;
            for (int x = Math.Max(ix0, _clip.X0); x < Math.Min(ix1, _clip.X1); x++)
            {
                int i = (srow + Math.Min(src.Width - 1, (int)((x - ix0 + 0.5) * sx))) * 4;
                Blend(x, y, new Color(sp[i], sp[i + 1], sp[i + 2], sp[i + 3]), 1f);
            }
        }
    }

    // ---- text --------------------------------------------------------------------------------

    /// <summary>Draws text with its baseline starting at (x, y); rotated text reads bottom to top.</summary>
    public void DrawText(string text, double x, double y, double size, Color c, bool rotated = false)
    {
        var face = BitmapFont.Default.FaceFor(size);
        int ox = (int)Math.Round(x), oy = (int)Math.Round(y);
        long pen64 = 0, prevPen64 = 0, prevAdv64 = 0;
        int prevTop = 0, xHeight = face.Glyphs.TryGetValue('x', out var xg) ? xg.Top : 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var g = face.Get(rune.Value);
            bool combining = BitmapFont.IsCombining(rune.Value);
            // A combining mark (bar, hat, tilde, dot over a symbol) takes no advance: it is centred over
            // the previous glyph, and lifted above it when that glyph is taller than a lowercase x
            // (the font places marks for lowercase letters).
            int u0 = combining
                ? (int)Math.Round(prevPen64 / 64.0 + (prevAdv64 / 64.0 - g.Width) / 2)
                : (int)Math.Round(pen64 / 64.0) + g.Left;
            int lift = combining && prevTop > xHeight ? prevTop - xHeight + 1 : 0;
            for (int j = 0; j < g.Height; j++)
                for (int i = 0; i < g.Width; i++)
                {
                    byte cov = g.Coverage[j * g.Width + i];
                    if (cov == 0) continue;
                    int u = u0 + i, v = j - g.Top - lift;
                    int px = rotated ? ox + v : ox + u, py = rotated ? oy - u - 1 : oy + v;
                    if (px < _clip.X0 || px >= _clip.X1 || py < _clip.Y0 || py >= _clip.Y1) continue;
                    Blend(px, py, c, cov / 255f);
                }
            if (combining) prevTop = g.Top + lift; // a second mark stacks above the first
            else { prevPen64 = pen64; prevAdv64 = g.Advance64; prevTop = g.Top; pen64 += g.Advance64; }
        }
    }
}

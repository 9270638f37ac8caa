using Course.Visuals.Raster;

namespace Course.Visuals.Rendering;

/// <summary>Draws a <see cref="Scene"/> onto pixels; <c>scale</c> 2 gives a sharp image for high-DPI screens.</summary>
internal static class SceneRasterizer
{
    public static RgbaImage Render(Scene scene, double scale = 1)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), "Scale must be positive.");
        int w = Math.Max(1, (int)Math.Round(scene.Width * scale)), h = Math.Max(1, (int)Math.Round(scene.Height * scale));
        var img = new RgbaImage(w, h, scene.Background);
        var cv = new Canvas(img);
        double S(double v) => v * scale;
        foreach (var m in scene.Marks)
        {
            switch (m)
            {
                case ClipMark c: cv.SetClip(S(c.X), S(c.Y), S(c.X + c.W), S(c.Y + c.H)); break;
                case UnclipMark: cv.ResetClip(); break;
                case RectMark r:
                    if (r.Fill is { } rf) cv.FillRect(S(r.X), S(r.Y), S(r.X + r.W), S(r.Y + r.H), rf);
                    if (r.Stroke is { } rs) cv.StrokeRect(S(r.X), S(r.Y), S(r.X + r.W), S(r.Y + r.H), S(r.StrokeWidth), rs);
                    break;
                case CircleMark c:
                    if (c.Fill is { } cf) cv.FillCircle(S(c.X), S(c.Y), S(c.R), cf);
                    if (c.Stroke is { } cs) cv.StrokeCircle(S(c.X), S(c.Y), S(c.R), S(c.StrokeWidth), cs);
                    break;
                case PathMark p:
                    var pts = p.Points.Select(q => (S(q.X), S(q.Y))).ToArray();
                    if (p.Fill is { } pf) cv.FillPolygon(pts, pf);
                    if (p.Stroke is { } ps && p.StrokeWidth > 0)
                    {
                        if (p.Dash is { Length: > 0 } d)
                            foreach (var piece in Dashes(pts, d.Select(S).ToArray())) cv.StrokePolyline(piece, S(p.StrokeWidth), ps);
                        else
                            foreach (var run in Runs(pts, p.Closed)) cv.StrokePolyline(run.Points, S(p.StrokeWidth), ps, run.Closed);
                    }
                    break;
                case TextMark t:
                {
                    // measure with the face actually drawn, so anchoring is exact at every scale
                    double width = BitmapFont.Default.FaceFor(S(t.Size)).Measure(t.Text);
                    double shift = t.Anchor switch { TextAnchor.Middle => width / 2, TextAnchor.End => width, _ => 0 };
                    if (t.Rotated) cv.DrawText(t.Text, S(t.X), S(t.Y) + shift, S(t.Size), t.Color, rotated: true);
                    else cv.DrawText(t.Text, S(t.X) - shift, S(t.Y), S(t.Size), t.Color);
                    break;
                }
                case ImageMark im: cv.DrawImage(im.Image, S(im.X), S(im.Y), S(im.X + im.W), S(im.Y + im.H)); break;
            }
        }
        return img;
    }

    // Non-finite points break a path into separately stroked runs (as SVG's M commands do).
    private static IEnumerable<((double X, double Y)[] Points, bool Closed)> Runs((double X, double Y)[] pts, bool closed)
    {
        int start = 0;
        for (int i = 0; i <= pts.Length; i++)
            if (i == pts.Length || !double.IsFinite(pts[i].X) || !double.IsFinite(pts[i].Y))
            {
                if (i > start) yield return (pts[start..i], closed && start == 0 && i == pts.Length);
                start = i + 1;
            }
    }

    private static IEnumerable<(double X, double Y)[]> Dashes((double X, double Y)[] pts, double[] pattern)
    {
        foreach (var (run, _) in Runs(pts, false))
        {
            int k = 0; double left = pattern[0]; bool on = true;
            var cur = new List<(double, double)> { run[0] };
            for (int i = 1; i < run.Length; i++)
            {
                var (ax, ay) = run[i - 1]; var (bx, by) = run[i];
                double seg = Math.Sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay)), pos = 0;
                while (seg - pos > left)
                {
                    pos += left;
                    double t = pos / seg;
                    var p = (ax + (bx - ax) * t, ay + (by - ay) * t);
                    if (on) { cur.Add(p); yield return cur.ToArray(); cur.Clear(); }
                    else { cur.Clear(); cur.Add(p); }
                    on = !on; k = (k + 1) % pattern.Length; left = pattern[k];
                }
                left -= seg - pos;
                if (on) cur.Add((bx, by));
            }
            if (on && cur.Count > 1) yield return cur.ToArray();
        }
    }
}

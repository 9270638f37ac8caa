namespace Course.Visuals;

/// <summary>Histogram binning, kernel density estimates and arrow scaling.</summary>
internal static class Binning
{
    /// <summary>Freedman-Diaconis bin count (2 IQR n^(-1/3) wide), kept between 5 and 100.</summary>
    public static int AutoBins(double[] v)
    {
        if (v.Length < 4) return Math.Max(1, v.Length);
        var s = (double[])v.Clone();
        Array.Sort(s);
        double iqr = Quantile(s, 0.75) - Quantile(s, 0.25), range = s[^1] - s[0];
        if (range <= 0) return 1;
        if (iqr <= 0) return Math.Clamp((int)Math.Ceiling(Math.Log2(v.Length) + 1), 5, 100);
        double h = 2 * iqr * Math.Pow(v.Length, -1.0 / 3);
        return Math.Clamp((int)Math.Ceiling(range / h), 5, 100);
    }

    public static double Quantile(double[] sorted, double q)
    {
        double pos = (sorted.Length - 1) * q;
        int i = (int)Math.Floor(pos);
        return i + 1 < sorted.Length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i) : sorted[i];
    }

    /// <summary>Bins [start + k size, start + (k+1) size), the last bin closed on the right.</summary>
    public static double[] Histogram1D(double[] v, double start, double size, int bins, HistNorm norm)
    {
        var h = new double[bins];
        int n = 0;
        foreach (var x in v)
        {
            int k = (int)Math.Floor((x - start) / size);
            if (k == bins && x <= start + size * bins + size * 1e-9) k = bins - 1;
            if (k < 0 || k >= bins) continue;
            h[k]++; n++;
        }
        double total = v.Length;
        if (norm == HistNorm.Probability) for (int i = 0; i < bins; i++) h[i] /= total;
        if (norm == HistNorm.Density) for (int i = 0; i < bins; i++) h[i] /= total * size;
        return h;
    }

    public static double[,] Histogram2D(double[] x, double[] y, double x0, double x1, double y0, double y1, int nx, int ny, HistNorm norm)
    {
        var z = new double[ny, nx];
        double sx = (x1 - x0) / nx, sy = (y1 - y0) / ny;
        for (int i = 0; i < x.Length; i++)
        {
            int cx = (int)Math.Floor((x[i] - x0) / sx), cy = (int)Math.Floor((y[i] - y0) / sy);
            if (cx == nx && x[i] <= x1) cx--;
            if (cy == ny && y[i] <= y1) cy--;
            if (cx < 0 || cx >= nx || cy < 0 || cy >= ny) continue;
            z[cy, cx]++;
        }
        double k = norm switch { HistNorm.Probability => 1.0 / x.Length, HistNorm.Density => 1.0 / (x.Length * sx * sy), _ => 1 };
        if (k != 1) for (int r = 0; r < ny; r++) for (int c = 0; c < nx; c++) z[r, c] *= k;
        return z;
    }

    /// <summary>Gaussian KDE with Scott's bandwidth 1.06 sigma n^(-1/5), on 200 points spanning the data.</summary>
    public static (double[] X, double[] Density) Kde(double[] v, double lo, double hi, int points = 200)
    {
        double mean = v.Average(), sd = Math.Sqrt(v.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, v.Length - 1));
        double h = 1.06 * (sd > 0 ? sd : 1) * Math.Pow(v.Length, -0.2);
        // a large sample is thinned to a fixed number of kernels: the curve is a picture, not an estimator
        var sample = v.Length > 20000 ? Enumerable.Range(0, 20000).Select(i => v[(int)((long)i * v.Length / 20000)]).ToArray() : v;
        var xs = new double[points];
        var ds = new double[points];
        double norm = 1 / (sample.Length * h * Math.Sqrt(2 * Math.PI));
        for (int i = 0; i < points; i++)
        {
            double x = lo + (hi - lo) * i / (points - 1), s = 0;
            foreach (var a in sample) { double u = (x - a) / h; if (u * u < 50) s += Math.Exp(-0.5 * u * u); }
            xs[i] = x; ds[i] = s * norm;
        }
        return (xs, ds);
    }

    /// <summary>Cell edges from centres (n values), edges (n+1 values) or nothing (indices).</summary>
    public static double[] Edges(double[]? coords, int n)
    {
        if (coords is null) return Enumerable.Range(0, n + 1).Select(i => i - 0.5).ToArray();
        if (coords.Length == n + 1) return coords;
        if (coords.Length != n) throw new ArgumentException($"Expected {n} cell centres or {n + 1} edges, got {coords.Length}.");
        if (n == 1) return [coords[0] - 0.5, coords[0] + 0.5];
        var e = new double[n + 1];
        for (int i = 1; i < n; i++) e[i] = (coords[i - 1] + coords[i]) / 2;
        e[0] = coords[0] - (e[1] - coords[0]);
        e[n] = coords[n - 1] + (coords[n - 1] - e[n - 1]);
        return e;
    }

    /// <summary>Scale so the longest arrow spans about 0.9 of the typical spacing between anchors.</summary>
    public static double AutoArrowScale(double[] x, double[] y, double[] u, double[] v)
    {
        double maxLen = 0;
        for (int i = 0; i < u.Length; i++)
        {
            double l = Math.Sqrt(u[i] * u[i] + v[i] * v[i]);
            if (double.IsFinite(l)) maxLen = Math.Max(maxLen, l);
        }
        if (maxLen == 0 || x.Length == 0) return 1;
        double spacing = Math.Min(Spacing(x), Spacing(y));
        if (!(spacing > 0) || !double.IsFinite(spacing))
        {
            var (x0, x1) = Bounds.Of(x); var (y0, y1) = Bounds.Of(y);
            spacing = Math.Max(x1 - x0, y1 - y0) / Math.Max(1, Math.Sqrt(x.Length));
            if (!(spacing > 0)) spacing = 1;
        }
        return 0.9 * spacing / maxLen;
    }

    // Smallest gap between distinct sorted coordinates: the grid pitch for gridded anchors.
    private static double Spacing(double[] c)
    {
        var d = c.Where(double.IsFinite).Distinct().OrderBy(a => a).ToArray();
        if (d.Length < 2) return double.PositiveInfinity;
        if (d.Length > 200) return (d[^1] - d[0]) / Math.Sqrt(c.Length);
        double m = double.PositiveInfinity;
        for (int i = 1; i < d.Length; i++) m = Math.Min(m, d[i] - d[i - 1]);
        return m;
    }
}

using System.Globalization;

namespace Course.Visuals.Rendering;

/// <summary>Tick placement at "nice" numbers (1, 2, 2.5, 5 times a power of ten) and their labels.</summary>
internal static class Ticks
{
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(rough))), f = rough / mag;
        // nearest nice value on a log scale; callers coarsen further when labels would collide
        return mag * (f < 1.42 ? 1 : f < 3.17 ? 2 : f < 7.08 ? 5 : 10);
    }

    /// <summary>The next coarser nice step after <paramref name="step"/>.</summary>
    public static double Coarser(double step)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9)), f = Math.Round(step / mag, 6);
        return mag * (f < 2 ? 2 : f < 2.5 ? 2.5 : f < 5 ? 5 : 10);
    }

    public static List<double> Linear(double min, double max, double step)
    {
        var t = new List<double>();
        if (!(step > 0)) return t;
        double first = Math.Ceiling(min / step - 1e-9) * step;
        for (int i = 0; i < 1000; i++)
        {
            double v = first + i * step;
            if (v > max + step * 1e-9) break;
            t.Add(Math.Abs(v) < step * 1e-9 ? 0 : v);
        }
        return t;
    }

    /// <summary>Labels for ticks spaced by step: just enough decimals, exponent form for extreme magnitudes.</summary>
    public static string[] Format(IReadOnlyList<double> ticks, double step)
    {
        double maxAbs = ticks.Count == 0 ? 0 : ticks.Max(Math.Abs);
        bool exp = maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3);
        if (exp) return ticks.Select(v => Minus(v == 0 ? "0" : v.ToString(ExpFormat(ticks, step), CultureInfo.InvariantCulture))).ToArray();
        int decimals = Decimals(step);
        return ticks.Select(v => Minus(v.ToString("F" + decimals, CultureInfo.InvariantCulture))).ToArray();
    }

    public static string FormatOne(double v)
    {
        if (v == 0) return "0";
        double a = Math.Abs(v);
        if (a >= 1e5 || a < 1e-3) return Minus(v.ToString("0.##e0", CultureInfo.InvariantCulture));
        return Minus(v.ToString(a >= 100 ? "0" : a >= 1 ? "0.##" : "0.###", CultureInfo.InvariantCulture));
    }

    private static string ExpFormat(IReadOnlyList<double> ticks, double step)
    {
        for (int d = 0; d <= 4; d++)
        {
            string f = d == 0 ? "0e0" : "0." + new string('0', d) + "e0";
            bool ok = ticks.All(v => v == 0 || Math.Abs(double.Parse(v.ToString(f, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) - v) <= step * 1e-6);
            if (ok) return f;
        }
        return "0.####e0";
    }

    private static int Decimals(double step)
    {
        for (int d = 0; d < 12; d++)
        {
            double s = step * Math.Pow(10, d);
            if (Math.Abs(s - Math.Round(s)) < 1e-6 * Math.Max(1, s)) return d;
        }
        return 12;
    }

    internal static string Minus(string s) => s.Replace('-', '\u2212');

    private static readonly string Sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /// <summary>
    /// Log-axis ticks (positions in log10 units) for an axis <paramref name="pixels"/> long. Candidates, in order of
    /// preference: powers of ten (every decade, or every 2nd, 3rd, 5th... on long ranges); 1-2-5, 1-2-3-5 and 1..9
    /// multiples within each decade (ranges up to a few decades); evenly spaced values (ranges under a decade, e.g.
    /// 4, 4.5, 5, 5.5). The first candidate whose labels do not collide and which gives enough labels is taken; when
    /// none gives enough, the one with the most labels that still fit.
    /// </summary>
    public static (List<double> Positions, string[] Labels) Log(double lo, double hi, double pixels, bool horizontal)
    {
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi)) return (new List<double>(), []);
        int target = Math.Clamp((int)(pixels / (horizontal ? 80 : 62)), 3, 10);
        int most = 2 * target, enough = Math.Clamp(target - 2, 3, 5);
        var candidates = LogCandidates(lo, hi).Where(c => c.Positions.Count > 0).ToList();
        bool Fits((List<double> Positions, string[] Labels) c)
        {
            if (c.Positions.Count > most) return false;
            double perUnit = pixels / (hi - lo);
            for (int i = 1; i < c.Positions.Count; i++)
            {
                double gap = (c.Positions[i] - c.Positions[i - 1]) * perUnit;
                double need = horizontal
                    ? (Scene.MeasureText(c.Labels[i - 1], Style.TickSize) + Scene.MeasureText(c.Labels[i], Style.TickSize)) / 2 + 10
                    : Style.TickSize * 1.4;
                if (gap < need) return false;
            }
            return true;
        }
        var fitting = candidates.Where(Fits).ToList();
        if (fitting.FirstOrDefault(c => c.Positions.Count >= enough) is { Positions: not null } good) return good;
        if (fitting.Count > 0) return fitting.OrderByDescending(c => c.Positions.Count).First(); // stable: ties keep preference order
        return candidates.Count > 0 ? candidates.OrderBy(c => c.Positions.Count).First() : (new List<double>(), []);
    }

    private static IEnumerable<(List<double> Positions, string[] Labels)> LogCandidates(double lo, double hi)
    {
        const double Eps = 1e-9;
        int k0 = (int)Math.Ceiling(lo - Eps), k1 = (int)Math.Floor(hi + Eps);
        // powers of ten, every `every` decades (aligned to multiples of `every`, so 10⁻⁴, 10⁰, 10⁴ rather than 10⁻³, 10¹)
        foreach (int every in new[] { 1, 2, 3, 5, 10, 20, 50, 100 })
        {
            var ks = Enumerable.Range(k0, Math.Max(0, k1 - k0 + 1)).Where(k => k % every == 0).ToList();
            if (ks.Count == 0) break;
            yield return Labelled(ks.Select(k => (k, 1)).ToList());
            if (ks.Count <= 2) break;
        }
        // multiples within each decade
        if (hi - lo <= 4)
            foreach (var mantissas in new[] { new[] { 1, 2, 5 }, new[] { 1, 2, 3, 5 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })
            {
                var ticks = new List<(int K, int M)>();
                for (int k = (int)Math.Floor(lo) - 1; k <= k1; k++)
                    foreach (int m in mantissas)
                    {
                        double v = k + Math.Log10(m);
                        if (v >= lo - Eps && v <= hi + Eps) ticks.Add((k, m));
                    }
                yield return Labelled(ticks);
            }
        // under a decade: evenly spaced values, coarse to fine
        if (hi - lo < 1)
        {
            double a = Math.Pow(10, lo), b = Math.Pow(10, hi);
            double step = NiceStep((b - a) / 2);
            for (int i = 0; i < 6; i++, step = Finer(step))
            {
                var lin = Linear(a, b, step).Where(v => v > 0).ToList();
                if (lin.Count >= 2) yield return (lin.Select(Math.Log10).ToList(), Format(lin, step));
            }
        }
    }

    /// <summary>The next finer nice step (1, 2, 2.5, 5 times a power of ten) below <paramref name="step"/>.</summary>
    private static double Finer(double step)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9)), f = Math.Round(step / mag, 6);
        return f > 5 ? 5 * mag : f > 2.5 ? 2.5 * mag : f > 2 ? 2 * mag : f > 1 ? mag : 0.5 * mag;
    }

    /// <summary>Labels m·10^k: plain numbers (0.02, 50, 2000) while all are between 0.001 and 10⁵, else 10ⁿ and 2×10ⁿ.</summary>
    private static (List<double> Positions, string[] Labels) Labelled(List<(int K, int M)> ticks)
    {
        double Value(int k, int m) => double.Parse((m * Math.Pow(10, k)).ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        bool plain = ticks.All(t => t.K >= -3 && t.K <= 4);
        string Power(int k) => "10" + string.Concat(k.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : Sup[c - '0']));
        var labels = ticks.Select(t => plain
            ? Value(t.K, t.M).ToString("0.############", CultureInfo.InvariantCulture)
            : t.M == 1 ? Power(t.K) : t.M.ToString(CultureInfo.InvariantCulture) + "×" + Power(t.K)).ToArray();
        return (ticks.Select(t => t.K + Math.Log10(t.M)).ToList(), labels);
    }
}

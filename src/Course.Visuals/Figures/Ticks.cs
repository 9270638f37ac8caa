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

    /// <summary>Log-axis ticks at powers of ten (in log10 units), or at 1-2-5 multiples when the range is short.</summary>
    public static (List<double> Positions, string[] Labels) Log(double lo, double hi, int maxTicks)
    {
        int k0 = (int)Math.Ceiling(lo - 1e-9), k1 = (int)Math.Floor(hi + 1e-9);
        var pos = new List<double>();
        var labels = new List<string>();
        if (k1 - k0 >= 1)
        {
            int every = Math.Max(1, (int)Math.Ceiling((k1 - k0 + 1) / (double)Math.Max(2, maxTicks)));
            // plain numbers while they stay short, powers of ten (10⁻⁴) for all labels otherwise
            bool plain = k0 >= -3 && k1 <= 4;
            for (int k = k0; k <= k1; k++)
            {
                if ((k - k0) % every != 0) continue;
                pos.Add(k);
                labels.Add(plain ? Minus(Math.Pow(10, k).ToString("0.###", CultureInfo.InvariantCulture))
                    : "10" + string.Concat(k.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : Sup[c - '0'])));
            }
            if (pos.Count <= 2 && k1 - k0 <= 2)
            {
                // few decades: add 2x and 5x
                for (int k = k0 - 1; k <= k1; k++)
                    foreach (var m in new[] { 2.0, 5.0 })
                    {
                        double v = k + Math.Log10(m);
                        if (v >= lo && v <= hi) { pos.Add(v); labels.Add(FormatOne(Math.Pow(10, v))); }
                    }
            }
            var order = pos.Select((p, i) => (p, labels[i])).OrderBy(a => a.p).ToList();
            return (order.Select(a => a.p).ToList(), order.Select(a => a.Item2).ToArray());
        }
        // less than a decade: linear nice ticks in value space
        double a = Math.Pow(10, lo), b = Math.Pow(10, hi), step = NiceStep((b - a) / Math.Max(2, maxTicks));
        var lin = Linear(a, b, step).Where(v => v > 0).ToList();
        return (lin.Select(Math.Log10).ToList(), Format(lin, step));
    }
}

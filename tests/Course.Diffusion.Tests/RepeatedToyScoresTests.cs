using System.Globalization;
using Course.Diffusion.Metrics;

namespace Course.Diffusion.Tests;

/// <summary>Lesson 08's 2-D scores over several seeds: the mean and range per model, and rankings against the runs' range.</summary>
public class RepeatedToyScoresTests
{
    static ToyScores Row(string model, double sw, double mmd, int modes, double near, double seconds = 10, string data = "rings") =>
        new(model, data, sw, 0.05, mmd, -1.5, new ModeCoverageResult(modes, 8, new long[8], near), seconds);

    static readonly ToyScores[] Rows =
    {
        Row("data", 0.05, -0.0001, 8, 0.99),
        Row("A", 0.10, 0.010, 8, 0.50, 10), Row("B", 0.30, 0.012, 5, 0.90, 20),
        Row("A", 0.12, 0.020, 7, 0.60, 12), Row("B", 0.31, 0.011, 6, 0.80, 22),
        Row("A", 0.11, 0.015, 8, 0.70, 14), Row("B", 0.29, 0.013, 5, 0.85, 24),
    };

    [Fact]
    public void The_table_prints_each_models_mean_and_range_over_its_runs()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            var lines = RepeatedToyScores.Table(Rows).Split('\n');
            Assert.Equal(4, lines.Length);                       // header, data, A, B in order of appearance
            Assert.StartsWith("data        model      runs SW₁ mean (range)", lines[0]);
            Assert.Equal("rings       data          1 0.0500                       1.0 -0.00010                      -1.500    8/8    99.0 %       ",
                lines[1]);
            Assert.Equal("rings       A             3 0.1100 (0.1000–0.1200)       2.2 +0.01500 (+0.01000–+0.02000)   -1.500  7–8/8    60.0 %   12 s",
                lines[2]);
            Assert.Contains(" 3 0.3000 (0.2900–0.3100) ", lines[3]);
            Assert.Contains(" 5–6/8 ", lines[3]);
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void A_winner_only_where_the_gap_beats_the_runs_range()
    {
        // SW₁: A's mean 0.11 against B's 0.30, ranges 0.02 each: resolved.
        var sw = RepeatedToyScores.Rank(Rows, "rings", "SW₁", r => r.Sw, lowerIsBetter: true);
        Assert.True(sw.Resolved);
        Assert.Equal(("A", "B"), (sw.Best, sw.RunnerUp));
        Assert.Equal(0.02, sw.Noise, 12);
        Assert.Equal("the larger range of the two over their 3 runs", sw.NoiseSource);
        // MMD²: B's mean 0.012 against A's 0.015, A's range 0.01: not resolved.
        var mmd = RepeatedToyScores.Rank(Rows, "rings", "MMD²", r => r.Mmd, lowerIsBetter: true);
        Assert.False(mmd.Resolved);
        Assert.Equal(("B", "A"), (mmd.Best, mmd.RunnerUp));
        // Modes, higher is better: A 7.67 against B 5.33, ranges 1: resolved.
        var modes = RepeatedToyScores.Rank(Rows, "rings", "modes", r => r.Modes!.ModesCovered, lowerIsBetter: false);
        Assert.True(modes.Resolved);
        Assert.Equal("A", modes.Best);
    }

    [Fact]
    public void Bad_input_gets_a_clear_exception()
    {
        Assert.Throws<ArgumentException>(() => RepeatedToyScores.Rank(Rows, "spiral", "SW₁", r => r.Sw, true));   // nothing to rank
        Assert.Throws<ArgumentException>(() => RepeatedToyScores.Rank(Rows.Take(3), "rings", "SW₁", r => r.Sw, true)); // one run each
        Assert.Throws<ArgumentNullException>(() => RepeatedToyScores.Table(null!));
    }
}

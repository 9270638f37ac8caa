using Course.Diffusion.Metrics;

namespace Course.Diffusion.Tests;

public class RankingTests
{
    static readonly (string, double)[] Fids = { ("s = 0", 108.9), ("s = 1", 42.4), ("s = 3", 30.8), ("s = 6", 51.7) };

    [Fact]
    public void NamesTheWinnerOnlyWhenTheGapBeatsTheNoise()
    {
        var clear = Ranking.Best("FID", Fids, lowerIsBetter: true, noise: 9.7, noiseSource: "the floor's range");
        Assert.Equal(("s = 3", "s = 1"), (clear.Best, clear.RunnerUp));
        Assert.Equal(11.6, clear.Gap, 10);
        Assert.True(clear.Resolved);
        Assert.Equal("FID: best s = 3 (30.8, then s = 1 at 42.4); the gap 11.6 is larger than the floor's range (9.7)",
            clear.Describe("0.0"));

        var unclear = Ranking.Best("FID", Fids, lowerIsBetter: true, noise: 11.6, noiseSource: "the floor's range");
        Assert.False(unclear.Resolved);   // a gap equal to the noise is not resolved
        Assert.Equal("FID: this run cannot tell s = 3 (30.8) from s = 1 (42.4); the gap 11.6 is within the floor's range (11.6)",
            unclear.Describe("0.0"));
    }

    [Fact]
    public void HigherIsBetterRanksTheOtherWay()
    {
        var recall = Ranking.Best("recall", new[] { ("a", 0.50), ("b", 0.70), ("c", 0.57) }, lowerIsBetter: false,
            noise: 0.05, noiseSource: "spread");
        Assert.Equal(("b", 0.70, "c", 0.57), (recall.Best, recall.BestValue, recall.RunnerUp, recall.RunnerUpValue));
        Assert.True(recall.Resolved);
    }

    [Fact]
    public void SpreadIsTheRangeOfRepeatedMeasurements()
    {
        Assert.Equal(9.75, Ranking.Spread(new[] { 20.03, 14.86, 24.61, 18.0 }), 12);
        Assert.Throws<ArgumentException>(() => Ranking.Spread(new[] { 1.0 }));
        Assert.Throws<ArgumentException>(() => Ranking.Spread(new[] { 1.0, double.NaN }));
    }

    [Fact]
    public void RepeatedMeasurementsRankByTheirMeansAgainstTheirOwnRange()
    {
        // Three seeds each: a and b overlap (means 1.00 and 1.05, ranges 0.2 and 0.1), c is far behind.
        var overlapping = Ranking.BestOfRepeated("SW₁", new (string, IReadOnlyList<double>)[]
        {
            ("c", new[] { 2.0, 2.1, 1.9 }), ("b", new[] { 1.0, 1.1, 1.05 }), ("a", new[] { 0.9, 1.1, 1.0 }),
        }, lowerIsBetter: true);
        Assert.Equal(("a", "b"), (overlapping.Best, overlapping.RunnerUp));
        Assert.Equal(1.0, overlapping.BestValue, 12);
        Assert.Equal(1.05, overlapping.RunnerUpValue, 12);
        Assert.Equal(0.2, overlapping.Noise, 12);   // the larger range of the two leaders, not c's
        Assert.False(overlapping.Resolved);
        Assert.Contains("cannot tell a (1.000) from b (1.050)", overlapping.Describe());
        Assert.Contains("the range of the repeated runs (0.200)", overlapping.Describe());

        // Move a down by more than the ranges: now a wins.
        var separated = Ranking.BestOfRepeated("SW₁", new (string, IReadOnlyList<double>)[]
        {
            ("b", new[] { 1.0, 1.1, 1.05 }), ("a", new[] { 0.5, 0.6, 0.55 }),
        }, lowerIsBetter: true, noiseSource: "the range over 3 seeds");
        Assert.True(separated.Resolved);
        Assert.Equal(0.1, separated.Noise, 12);
        Assert.StartsWith("SW₁: best a (0.550, then b at 1.050)", separated.Describe());

        // Higher is better ranks the other way.
        var higher = Ranking.BestOfRepeated("accuracy", new (string, IReadOnlyList<double>)[]
        {
            ("b", new[] { 1.0, 1.1 }), ("a", new[] { 0.5, 0.6 }),
        }, lowerIsBetter: false);
        Assert.Equal("b", higher.Best);
        Assert.True(higher.Resolved);
    }

    [Fact]
    public void RepeatedMeasurementsNeedTwoEach()
    {
        var once = Assert.Throws<ArgumentException>(() => Ranking.BestOfRepeated("SW₁", new (string, IReadOnlyList<double>)[]
            { ("a", new[] { 1.0, 1.1 }), ("b", new[] { 2.0 }) }, true));
        Assert.Contains("SW₁ of b was measured 1 time(s)", once.Message);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        Assert.Throws<ArgumentException>(() => Ranking.Best("FID", new[] { ("only", 1.0) }, true, 0, "x"));
        var nan = Assert.Throws<ArgumentException>(() => Ranking.Best("FID", new[] { ("a", 1.0), ("b", double.NaN) }, true, 0, "x"));
        Assert.Contains("FID of b is NaN", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranking.Best("FID", Fids, true, -1, "x"));
    }
}

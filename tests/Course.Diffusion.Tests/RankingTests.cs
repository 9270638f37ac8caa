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
    public void BadInputIsNamed()
    {
        Assert.Throws<ArgumentException>(() => Ranking.Best("FID", new[] { ("only", 1.0) }, true, 0, "x"));
        var nan = Assert.Throws<ArgumentException>(() => Ranking.Best("FID", new[] { ("a", 1.0), ("b", double.NaN) }, true, 0, "x"));
        Assert.Contains("FID of b is NaN", nan.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ranking.Best("FID", Fids, true, -1, "x"));
    }
}

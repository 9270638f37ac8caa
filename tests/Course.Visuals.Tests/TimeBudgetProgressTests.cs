namespace Course.Visuals.Tests;

/// <summary>The progress display of a run limited by time (lesson 10): the bar is the time used, the
/// countdown the time left, and the run is done when its budget is spent.</summary>
public class TimeBudgetProgressTests
{
    [Fact]
    public void The_bar_fills_with_time_and_counts_down_what_is_left()
    {
        double seconds = 0;
        var p = new TrainingProgress(TimeSpan.FromMinutes(2), "live", () => TimeSpan.FromSeconds(seconds));
        for (int i = 1; i <= 60; i++) { seconds = i; p.Report(i * 20, 0.3); }
        Assert.Equal(TimeSpan.FromMinutes(2), p.Budget);
        Assert.Equal(0.5, p.Fraction, 12);
        Assert.Equal(TimeSpan.FromSeconds(60), p.Eta);
        Assert.Equal(20.0, p.StepsPerSecond, 9);
        Assert.False(p.Finished);
        Assert.Contains("step 1200, 1:00 of 2:00", p.ToString());
        Assert.Contains("left 1:00", p.ToString());
        Assert.NotEmpty(p.Render().ToPng());

        seconds = 121;
        p.Report(2420, 0.2);
        Assert.True(p.Finished);
        Assert.Equal(1.0, p.Fraction, 12);
        Assert.Null(p.Eta);
        Assert.Contains("done in 2:01", p.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingProgress(TimeSpan.Zero));
    }

    [Fact]
    public void A_step_limited_run_still_counts_steps()
    {
        var p = new TrainingProgress(100, "steps", () => TimeSpan.FromSeconds(1));
        p.Report(10, 0.5);
        Assert.Null(p.Budget);
        Assert.Contains("10/100", p.ToString());
        Assert.Equal(0.1, p.Fraction, 12);
    }
}

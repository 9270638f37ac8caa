using System.Globalization;
using Course.Diffusion.Metrics;
using Course.Diffusion.Score;

namespace Course.Diffusion.Tests;

/// <summary>Lesson 08's yardsticks of a 2-D data set: the reference, SW₁'s noise floor, MMD², log p(x) and modes.</summary>
public class ToyYardstickTests
{
    static Tensor Normal(long count, Generator g) => randn(new[] { count, 2L }, generator: g);

    // Two tight modes at (±3, 0), equally weighted, std 0.1.
    static readonly double[,] Centres = { { -3, 0 }, { 3, 0 } };

    static Tensor TwoModes(long count, Generator g)
    {
        var side = (rand(new[] { count, 1L }, generator: g) < 0.5).to(float32) * 6 - 3;
        return cat(new[] { side, zeros(count, 1) }, 1) + 0.1f * randn(new[] { count, 2L }, generator: g);
    }

    [Fact]
    public void A_shift_scores_its_closed_form_and_the_data_scores_its_floor()
    {
        using var scope = NewDisposeScope();
        var yardstick = new ToyYardstick("normal", Normal, n: 2000);
        Assert.Equal(Normal(2000, new Generator(100)).data<float>().ToArray(), yardstick.Reference.data<float>().ToArray());
        Assert.Equal(9, yardstick.FloorDraws.Count);
        Assert.Equal(yardstick.FloorDraws.Order(), yardstick.FloorDraws);
        Assert.Equal(yardstick.FloorDraws[4], yardstick.NoiseFloor);
        // Two draws of 2,000 standard normal points: SW₁ of a few hundredths, from sampling noise alone.
        Assert.InRange(yardstick.NoiseFloor, 0.005, 0.08);

        // The floor's first draw is the data's "second draw": it scores one of the floor's values exactly.
        var secondDraw = yardstick.Measure("data", Normal(2000, new Generator(101)));
        Assert.Contains(secondDraw.Sw, yardstick.FloorDraws);
        Assert.Equal(yardstick.NoiseFloor, secondDraw.Floor);

        // Shifting the data by c moves every projection by |<c, θ>|: SW₁ = 2 |c| / π in 2-D.
        var shifted = Normal(2000, new Generator(50)) + tensor(new float[] { 1, 0 });
        var scores = yardstick.Measure("shifted", shifted, seconds: 3, cpuSeconds: 5);
        Assert.Equal(2 / Math.PI, scores.Sw, 0.05);
        Assert.Equal(SlicedWasserstein.Distance(shifted, yardstick.Reference, 500, generator: new Generator(6)), scores.Sw);
        Assert.Equal(MaximumMeanDiscrepancy.Squared(shifted, yardstick.Reference, bandwidth: 0.25), scores.Mmd);
        Assert.True(scores.Mmd > 10 * Math.Abs(secondDraw.Mmd));
        Assert.Equal(("shifted", "normal", 3.0, 5.0), (scores.Model, scores.Data, scores.Seconds, scores.CpuSeconds));
        // No density, no modes: those columns stay empty.
        Assert.Null(scores.LogLikelihood);
        Assert.Null(scores.Modes);
        Assert.Null(yardstick.ModeCoverage(shifted));
    }

    [Fact]
    public void With_a_known_density_it_scores_likelihood_and_modes()
    {
        using var scope = NewDisposeScope();
        var density = GaussianMixture.Isotropic(new[] { 0.5, 0.5 }, Centres, 0.01);
        var yardstick = new ToyYardstick("two modes", TwoModes, n: 1000, density, tensor(Centres), modeRadius: 0.3,
            floorDraws: 3);
        Assert.Equal(3, yardstick.FloorDraws.Count);

        var data = yardstick.Measure("data", TwoModes(1000, new Generator(7)));
        Assert.Equal(2, data.Modes!.ModesCovered);
        Assert.True(data.Modes.NearFraction > 0.98);             // 3σ holds 98.9 % of a 2-D Gaussian
        Assert.Equal(MixtureLikelihood.MeanLogLikelihood(density, TwoModes(1000, new Generator(7))),
            data.LogLikelihood!.Value, 10);

        // A model collapsed onto one mode: as precise as the data, half the coverage, a worse SW₁.
        var collapsed = TwoModes(1000, new Generator(8)).abs() * tensor(new float[] { -1, 1 });
        var scores = yardstick.Measure("collapsed", collapsed);
        Assert.Equal(1, scores.Modes!.ModesCovered);
        Assert.Equal(new long[] { scores.Modes.CountPerMode[0], 0 }, scores.Modes.CountPerMode);
        Assert.True(scores.LogLikelihood > data.LogLikelihood - 0.1);  // precise: log p(x) does not see the lost mode
        Assert.True(scores.Sw > 10 * yardstick.NoiseFloor);             // about 3 units for half the mass
    }

    [Fact]
    public void The_table_and_the_floor_line_print_every_column()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            var modes = new ModeCoverageResult(7, 8, new long[8], 0.813);
            var rows = new[]
            {
                new ToyScores("data", "8gaussians", 0.0123, 0.0100, -0.00001, -1.234, modes, 0),
                new ToyScores("GAN", "swiss-roll", 0.25, 0.02, 0.004567, null, null, 61.4, 100),
            };
            var lines = ToyScores.Table(rows).Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.Equal("data        model           SW₁  × floor      MMD²  log p(x)  modes  within 3σ    time", lines[0]);
            Assert.Equal("8gaussians  data         0.0123      1.2  -0.00001    -1.234    7/8     81.3 %        ", lines[1]);
            Assert.Equal("swiss-roll  GAN          0.2500     12.5  +0.00457         –      –          –    61 s", lines[2]);

            var yardstick = new ToyYardstick("normal", Normal, n: 200, floorDraws: 3);
            var line = yardstick.DescribeSecondDraw(rows[0]);
            var f = yardstick.FloorDraws;
            Assert.Equal($"8gaussians  a second draw of the data: SW₁ 0.0123; noise floor (median of 3 draws) {f[1]:0.0000}, " +
                $"range {f[0]:0.0000}–{f[2]:0.0000}; MMD² -0.00001, log-likelihood -1.234, 7/8 modes, 81.3 % within 3σ", line);
            Assert.DoesNotContain("log-likelihood", yardstick.DescribeSecondDraw(rows[1]));
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void It_refuses_what_it_cannot_measure()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToyYardstick("x", Normal, 100, floorDraws: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToyYardstick("x", Normal, 100, modeCentres: tensor(Centres)));
        Assert.Throws<ArgumentException>(() => new ToyYardstick("x", (c, g) => randn(new[] { c + 1, 2L }, generator: g), 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToyYardstick("x", Normal, 1));
    }
}

using System.Globalization;
using Course.Diffusion.Schedules;

namespace Course.Diffusion.Tests;

public class ScheduleTests
{
    [Fact]
    public void LinearAlphaBarAtTIsAbout4e5()
    {
        var s = NoiseSchedule.Linear();
        Assert.Equal(1000, s.Length);
        Assert.Equal(1e-4, s.Betas[0], 15);
        Assert.Equal(0.02, s.Betas[^1], 15);
        // prod_{t=1}^{1000} (1 - beta_t) = 4.035829765e-5 (numpy float64, same formula).
        Assert.Equal(4.035829765375676e-5, s.AlphasCumprod[^1], 1e-15);
    }

    [Fact]
    public void CosineBeta1IsAbout4e5AndBetasAreClipped()
    {
        var s = NoiseSchedule.Cosine();
        // 1 - f(1)/f(0) with f(t) = cos^2((t/1000 + 0.008)/1.008 * pi/2) = 4.128422482e-5 (Nichol & Dhariwal eq. 17).
        Assert.Equal(4.128422482196914e-5, s.Betas[0], 1e-14);
        Assert.All(s.Betas, b => Assert.InRange(b, 0, 0.999));
        Assert.Equal(0.999, s.Betas[^1]);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    [InlineData("quadratic")]
    [InlineData("sigmoid")]
    public void PosteriorVarianceAtT1IsZeroAndItsClippedLogIsFinite(string name)
    {
        var s = Make(name);
        Assert.Equal(0.0, s.PosteriorVariance[0]);
        Assert.True(double.IsFinite(s.PosteriorLogVarianceClipped[0]));
        Assert.Equal(Math.Log(s.PosteriorVariance[1]), s.PosteriorLogVarianceClipped[0]);
        Assert.All(s.PosteriorLogVarianceClipped, v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>Every derived array against an independent numpy float64 computation, written as in
    /// Ho et al.'s and improved-diffusion's code (np.cumprod, np.append, np.linspace).</summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    [InlineData("quadratic")]
    [InlineData("sigmoid")]
    public void DerivedTermsMatchNumpy(string name)
    {
        const string script = """
import sys, math, numpy as np
name, T = sys.argv[1], 1000
if name == 'linear': b = np.linspace(1e-4, 0.02, T, dtype=np.float64)
elif name == 'quadratic': b = np.linspace(1e-4 ** 0.5, 0.02 ** 0.5, T, dtype=np.float64) ** 2
elif name == 'sigmoid':
    x = np.linspace(-6, 6, T); b = 1 / (1 + np.exp(-x)) * (0.02 - 1e-4) + 1e-4
else:
    f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
    b = np.array([min(1 - f((i + 1) / T) / f(i / T), 0.999) for i in range(T)])
a = 1 - b; ab = np.cumprod(a); abp = np.append(1.0, ab[:-1])
pv = b * (1 - abp) / (1 - ab)
out = dict(betas=b, ab=ab, abp=abp, pv=pv, plv=np.log(np.append(pv[1], pv[1:])),
    c1=b * np.sqrt(abp) / (1 - ab), c2=(1 - abp) * np.sqrt(a) / (1 - ab), snr=ab / (1 - ab),
    srab=np.sqrt(1 / ab), srm1=np.sqrt(1 / ab - 1))
for k, v in out.items(): print(k, ' '.join(repr(float(z)) for z in v))
""";
        var s = Make(name);
        var reference = Python.Run(script, name).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p.Skip(1).Select(z => double.Parse(z, CultureInfo.InvariantCulture)).ToArray());
        void Check(string key, double[] ours)
        {
            var theirs = reference[key];
            Assert.Equal(theirs.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++)
                Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-12 * Math.Max(1, Math.Abs(theirs[i])), $"{name} {key}[{i}]: {ours[i]} vs numpy {theirs[i]}");
        }
        Check("betas", s.Betas); Check("ab", s.AlphasCumprod); Check("abp", s.AlphasCumprodPrev); Check("pv", s.PosteriorVariance);
        Check("plv", s.PosteriorLogVarianceClipped); Check("c1", s.PosteriorMeanCoef1); Check("c2", s.PosteriorMeanCoef2);
        Check("srab", s.SqrtRecipAlphasCumprod); Check("srm1", s.SqrtRecipm1AlphasCumprod);
        // SNR grows without bound as alpha-bar -> 1: compare relatively.
        for (int i = 0; i < s.Length; i++) Assert.Equal(1, s.SignalToNoiseRatio[i] / reference["snr"][i], 1e-12);
    }

    [Fact]
    public void RespacingKeepsTheAlphaBarsAtTheKeptTimesteps()
    {
        var s = NoiseSchedule.Linear();
        var r = s.Respace(50);
        Assert.Equal(50, r.Length);
        Assert.Equal(0, r.Timesteps[0]);
        Assert.Equal(999, r.Timesteps[^1]);
        for (int k = 0; k < r.Length; k++)
            Assert.Equal(s.AlphasCumprod[r.Timesteps[k]], r.AlphasCumprod[k], 1e-14);
        // Respacing to every step changes nothing.
        var same = s.Respace(1000);
        for (int i = 0; i < 1000; i++) Assert.Equal(s.Betas[i], same.Betas[i], 1e-15);
        // Respacing a respaced schedule maps back to the original timesteps.
        var twice = r.Respace(new[] { 0, 10, 49 });
        Assert.Equal(new long[] { r.Timesteps[0], r.Timesteps[10], r.Timesteps[49] }, twice.Timesteps);
    }

    [Fact]
    public void ExtractGathersInFloat64AndBroadcasts()
    {
        var s = NoiseSchedule.Linear();
        using var x = zeros(new long[] { 3, 1, 4, 4 });
        using var t = tensor(new long[] { 0, 500, 999 });
        using var c = Coefficients.Extract(s.AlphasCumprod, t, x);
        Assert.Equal(new long[] { 3, 1, 1, 1 }, c.shape);
        Assert.Equal(ScalarType.Float32, c.dtype);
        var values = c.data<float>().ToArray();
        Assert.Equal((float)s.AlphasCumprod[0], values[0]);
        Assert.Equal((float)s.AlphasCumprod[500], values[1]);
        Assert.Equal((float)s.AlphasCumprod[999], values[2]);
    }

    [Fact]
    public void BadInputGivesClearExceptions()
    {
        var s = NoiseSchedule.Linear(10);
        using var x = zeros(new long[] { 2, 2 });
        using var outOfRange = tensor(new long[] { 0, 10 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Coefficients.Extract(s.Betas, outOfRange, x));
        Assert.Contains("0..9", e.Message);
        using var floats = tensor(new float[] { 0, 1 });
        Assert.Throws<ArgumentException>(() => Coefficients.Extract(s.Betas, floats, x));
        Assert.Throws<ArgumentException>(() => new NoiseSchedule(new[] { 0.1, 0.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Respace(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.Linear(0));
    }

    static NoiseSchedule Make(string name) => name switch
    {
        "linear" => NoiseSchedule.Linear(),
        "cosine" => NoiseSchedule.Cosine(),
        "quadratic" => NoiseSchedule.Quadratic(),
        "sigmoid" => NoiseSchedule.Sigmoid(),
        _ => throw new ArgumentException(name),
    };
}

using Course.Diffusion.Training;

namespace Course.Diffusion.Tests;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void SchedulesFollowTheirClosedForms()
    {
        const double baseLr = 2e-3, etaMin = 1e-5;
        // Linear warm-up over 4 steps: base * (k + 1) / 4, then flat.
        Assert.Equal(new[] { 0.5e-3, 1e-3, 1.5e-3, 2e-3, 2e-3, 2e-3 },
            Enumerable.Range(0, 6).Select(k => LearningRateSchedule.LinearWarmup(k, baseLr, 4)), new Tolerance(1e-18));
        // Cosine over T = 10: base at 0, the midpoint (base + eta_min) / 2 at 5, eta_min at 10 and after.
        Assert.Equal(baseLr, LearningRateSchedule.CosineAnnealing(0, baseLr, 10, etaMin), 15);
        Assert.Equal((baseLr + etaMin) / 2, LearningRateSchedule.CosineAnnealing(5, baseLr, 10, etaMin), 15);
        Assert.Equal(etaMin, LearningRateSchedule.CosineAnnealing(10, baseLr, 10, etaMin), 15);
        Assert.Equal(etaMin, LearningRateSchedule.CosineAnnealing(25, baseLr, 10, etaMin), 15);
        for (int k = 0; k <= 10; k++)
            Assert.Equal(etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * k / 10)) / 2, LearningRateSchedule.CosineAnnealing(k, baseLr, 10, etaMin), 15);
        // Warm-up 3 then cosine over the remaining 7.
        Assert.Equal(baseLr / 3, LearningRateSchedule.WarmupCosine(0, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(baseLr, LearningRateSchedule.WarmupCosine(3, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * 2 / 7)) / 2, LearningRateSchedule.WarmupCosine(5, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(etaMin, LearningRateSchedule.WarmupCosine(10, baseLr, 3, 10, etaMin), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosine(0, baseLr, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.LinearWarmup(-1, baseLr, 10));
    }

    [Fact]
    public void CosineAnnealingAgreesWithPyTorchsScheduler()
    {
        // PyTorch's CosineAnnealingLR computes the same curve recursively; up to T_max both agree to rounding.
        var expected = Python.Run("""
            import torch
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=0.1)
            s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)
            out = []
            for _ in range(21):
                out.append(repr(opt.param_groups[0]['lr']))
                opt.step(); s.step()
            print(' '.join(out))
            """).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        for (int k = 0; k <= 20; k++)
        {
            var ours = LearningRateSchedule.CosineAnnealing(k, 0.1, 20, 0.001);
            Assert.True(Math.Abs(ours - expected[k]) <= 1e-12, $"step {k}: {ours} vs PyTorch {expected[k]}");
        }
    }

    sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}

using System.Text.Json;
using Xunit.Abstractions;

namespace Course.Torch.Tests;

/// <summary>Reads the JSON fixtures written by fixtures/make_optim_fixtures.py.</summary>
internal static class OptimFixture
{
    public static JsonElement Load(string name)
    {
        var path = Python.FixturePath(name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"fixture {name} is missing: run /usr/bin/python3 tests/Course.Torch.Tests/fixtures/make_optim_fixtures.py", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static long[] Shape(JsonElement t) => t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    public static double[] Data(JsonElement t) => t.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>A float32 tensor from {shape, data} (the values were float32 in Python, so the conversion is exact).</summary>
    public static Tensor Float32(JsonElement t) => tensor(Data(t).Select(v => (float)v).ToArray(), Shape(t));

    public static double MaxAbsDiff(Tensor actual, JsonElement expected)
    {
        var got = actual.data<float>();
        var want = Data(expected);
        Assert.Equal(want.Length, got.Length);
        double worst = 0;
        for (int i = 0; i < got.Length; i++) worst = Math.Max(worst, Math.Abs(got[i] - want[i]));
        return worst;
    }
}

public class OptimTests
{
    readonly ITestOutputHelper _output;
    public OptimTests(ITestOutputHelper output) => _output = output;

    /// <summary>The fixture's problem: y = tanh(x @ W1 + b1) @ W2 + b2, loss mean((y - t)^2), with the
    /// same primitive operators as the Python script so both run identical kernels.</summary>
    static Tensor Loss(Tensor x, Tensor t, IReadOnlyList<Parameter> p)
    {
        using var xw = matmul(x, p[0]);
        using var pre = xw + p[1];
        using var h = pre.tanh();
        using var hw = matmul(h, p[2]);
        using var y = hw + p[3];
        using var d = y - t;
        using var sq = d.pow(2);
        return sq.mean();
    }

    static optim.Optimizer MakeOptimizer(JsonElement c, IReadOnlyList<Parameter> p)
    {
        double Get(string name, double fallback) => c.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        bool Flag(string name) => c.TryGetProperty(name, out var v) && v.GetBoolean();
        var lr = Get("lr", double.NaN);
        return c.GetProperty("kind").GetString() switch
        {
            "SGD" => optim.SGD(p, lr, momentum: Get("momentum", 0), weight_decay: Get("weight_decay", 0), nesterov: Flag("nesterov")),
            "Adam" => optim.Adam(p, lr, weight_decay: Get("weight_decay", 0), amsgrad: Flag("amsgrad")),
            "AdamW" => optim.AdamW(p, lr, weight_decay: Get("weight_decay", 1e-2), amsgrad: Flag("amsgrad")),
            var k => throw new InvalidOperationException($"unknown optimizer kind {k}"),
        };
    }

    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("sgd_nesterov_wd")]
    [InlineData("adam")]
    [InlineData("adam_wd_amsgrad")]
    [InlineData("adamw")]
    [InlineData("adamw_clip_schedule")]
    public void FollowsPyTorchTrajectoryFor100Steps(string name)
    {
        var fx = OptimFixture.Load($"optim_{name}.json");
        var c = fx.GetProperty("case");
        var names = fx.GetProperty("param_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        using var x = OptimFixture.Float32(fx.GetProperty("x"));
        using var t = OptimFixture.Float32(fx.GetProperty("t"));
        var p = names.Select(n => { using var init = OptimFixture.Float32(fx.GetProperty("initial").GetProperty(n)); return new Parameter(init); }).ToArray();
        using var opt = MakeOptimizer(c, p);
        double? clip = c.TryGetProperty("clip", out var cl) ? cl.GetDouble() : null;
        optim.lr_scheduler.LRScheduler? schedule = null;
        if (c.TryGetProperty("schedule", out var s))
            schedule = optim.lr_scheduler.WarmupCosine(opt, s.GetProperty("warmup").GetInt64(), s.GetProperty("total").GetInt64(), s.GetProperty("eta_min").GetDouble());

        var losses = fx.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var norms = fx.GetProperty("total_norms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var records = fx.GetProperty("records").EnumerateArray().ToDictionary(r => r.GetProperty("step").GetInt32());
        double worstParam = 0, worstLoss = 0;
        for (int k = 0; k < losses.Length; k++)
        {
            using (NewDisposeScope())
            {
                opt.zero_grad();
                var loss = Loss(x, t, p);
                loss.backward();
                worstLoss = Math.Max(worstLoss, Math.Abs(loss.item<float>() - losses[k]));
                if (clip is double maxNorm)
                {
                    var total = nn.utils.clip_grad_norm_(p, maxNorm);
                    Assert.Equal(norms[k], total, 5);
                }
                opt.step();
                schedule?.step();
            }
            if (records.TryGetValue(k + 1, out var rec))
                for (int i = 0; i < p.Length; i++)
                    worstParam = Math.Max(worstParam, OptimFixture.MaxAbsDiff(p[i], rec.GetProperty("params").GetProperty(names[i])));
        }
        _output.WriteLine($"{name}: largest parameter deviation from PyTorch over 100 steps {worstParam:G3}, loss deviation {worstLoss:G3}");
        Assert.True(worstParam <= 1e-5, $"{name}: parameters drifted {worstParam:G3} from PyTorch's trajectory (tolerance 1e-5)");
        Assert.True(worstLoss <= 1e-5, $"{name}: losses drifted {worstLoss:G3} from PyTorch's (tolerance 1e-5)");
        foreach (var q in p) q.Dispose();
    }

    [Fact]
    public void ClipGradNormMatchesPyTorch()
    {
        var fx = OptimFixture.Load("optim_clip_grad_norm.json");
        var grads = fx.GetProperty("grads").EnumerateArray().ToArray();
        foreach (var c in fx.GetProperty("cases").EnumerateArray())
        {
            var normType = c.GetProperty("norm_type").ValueKind == JsonValueKind.String ? double.PositiveInfinity : c.GetProperty("norm_type").GetDouble();
            var maxNorm = c.GetProperty("max_norm").GetDouble();
            var ps = grads.Select(g => { using var z = zeros(OptimFixture.Shape(g)); return new Parameter(z); }).ToArray();
            for (int i = 0; i < ps.Length; i++)
            {
                using var g = OptimFixture.Float32(grads[i]);
                ps[i].grad = g;
            }
            var total = nn.utils.clip_grad_norm_(ps, maxNorm, normType);
            var want = c.GetProperty("total_norm").GetDouble();
            Assert.True(Math.Abs(total - want) <= 1e-6 * want, $"p={normType}: total norm {total} vs PyTorch {want}");
            var clipped = c.GetProperty("clipped").EnumerateArray().ToArray();
            for (int i = 0; i < ps.Length; i++)
            {
                using var g = ps[i].grad!;
                Assert.True(OptimFixture.MaxAbsDiff(g, clipped[i]) <= 1e-6, $"p={normType}, max_norm={maxNorm}: clipped gradient {i} differs from PyTorch");
                ps[i].Dispose();
            }
        }
    }

    [Fact]
    public void ClipGradNormScalesToMaxNormAndSkipsMissingGradients()
    {
        // Closed form: gradients (3, 4) and (12) have joint 2-norm 13; max_norm 1.3 scales them by 1.3 / (13 + 1e-6).
        using var a0 = zeros(2); using var b0 = zeros(1); using var c0 = zeros(3);
        var a = new Parameter(a0); var b = new Parameter(b0); var noGrad = new Parameter(c0);
        using (var ga = tensor(new float[] { 3, 4 })) a.grad = ga;
        using (var gb = tensor(new float[] { 12 })) b.grad = gb;
        var total = nn.utils.clip_grad_norm_(new[] { a, b, noGrad }, 1.3);
        Assert.Equal(13.0, total, 5);
        using var ga2 = a.grad!;
        var scale = 1.3 / (13 + 1e-6);
        Assert.Equal(new[] { 3 * scale, 4 * scale }, ga2.data<float>().Select(v => (double)v), new ToleranceComparer(1e-6));
        Assert.Null(noGrad.grad);
        Assert.Equal(0.0, nn.utils.clip_grad_norm_(new[] { noGrad }, 1.0));
        a.Dispose(); b.Dispose(); noGrad.Dispose();
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void SchedulesFollowTheirClosedForms()
    {
        const double baseLr = 2e-3, etaMin = 1e-5;
        // Linear warm-up over 4 steps: base * (k + 1) / 4, then flat.
        Assert.Equal(new[] { 0.5e-3, 1e-3, 1.5e-3, 2e-3, 2e-3, 2e-3 },
            Enumerable.Range(0, 6).Select(k => optim.lr_scheduler.linear_warmup_lr(k, baseLr, 4)), new ToleranceComparer(1e-18));
        // Cosine over T = 10: base at 0, the midpoint (base + eta_min) / 2 at 5, eta_min at 10 and after.
        Assert.Equal(baseLr, optim.lr_scheduler.cosine_annealing_lr(0, baseLr, 10, etaMin), 15);
        Assert.Equal((baseLr + etaMin) / 2, optim.lr_scheduler.cosine_annealing_lr(5, baseLr, 10, etaMin), 15);
        Assert.Equal(etaMin, optim.lr_scheduler.cosine_annealing_lr(10, baseLr, 10, etaMin), 15);
        Assert.Equal(etaMin, optim.lr_scheduler.cosine_annealing_lr(25, baseLr, 10, etaMin), 15);
        for (int k = 0; k <= 10; k++)
            Assert.Equal(etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * k / 10)) / 2, optim.lr_scheduler.cosine_annealing_lr(k, baseLr, 10, etaMin), 15);
        // Warm-up 3 then cosine over the remaining 7.
        Assert.Equal(baseLr / 3, optim.lr_scheduler.warmup_cosine_lr(0, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(baseLr, optim.lr_scheduler.warmup_cosine_lr(3, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * 2 / 7)) / 2, optim.lr_scheduler.warmup_cosine_lr(5, baseLr, 3, 10, etaMin), 15);
        Assert.Equal(etaMin, optim.lr_scheduler.warmup_cosine_lr(10, baseLr, 3, 10, etaMin), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.lr_scheduler.warmup_cosine_lr(0, baseLr, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.lr_scheduler.linear_warmup_lr(-1, baseLr, 10));
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
        using var z = zeros(1);
        var p = new Parameter(z);
        using var opt = optim.SGD(new[] { p }, 0.1);
        var s = optim.lr_scheduler.CosineAnnealing(opt, 20, 0.001);
        for (int k = 0; k <= 20; k++)
        {
            Assert.True(Math.Abs(opt.LearningRate - expected[k]) <= 1e-12, $"step {k}: {opt.LearningRate} vs PyTorch {expected[k]}");
            Assert.Equal(opt.LearningRate, s.get_last_lr());
            s.step();
        }
        p.Dispose();
    }

    [Fact]
    public void SchedulerDrivesTheOptimizerAndResumesFromItsState()
    {
        using var z = zeros(1);
        var p = new Parameter(z);
        using var opt = optim.AdamW(new[] { p }, lr: 1e-2);
        var s = optim.lr_scheduler.WarmupCosine(opt, 5, 50, 1e-4);
        Assert.Equal(optim.lr_scheduler.warmup_cosine_lr(0, 1e-2, 5, 50, 1e-4), opt.LearningRate);
        for (int k = 1; k <= 17; k++) { s.step(); Assert.Equal(s.lr_at(k), opt.LearningRate); }
        var state = s.state_dict();
        using var opt2 = optim.AdamW(new[] { p }, lr: 1e-2);
        var s2 = optim.lr_scheduler.WarmupCosine(opt2, 5, 50, 1e-4);
        s2.load_state_dict(state);
        Assert.Equal(17, s2.last_epoch);
        Assert.Equal(opt.LearningRate, opt2.LearningRate);
        foreach (var v in state.Values) v.Dispose();
        p.Dispose();
    }

    [Fact]
    public void CheckpointResumesTrainingBitForBit()
    {
        // Train 30 steps; save parameters, optimizer and scheduler to one safetensors file; train 30
        // more. A fresh model, optimizer and scheduler restored from the file must then produce the
        // same 30 steps exactly (CPU kernels are deterministic).
        var fx = OptimFixture.Load("optim_adamw_clip_schedule.json");
        var names = fx.GetProperty("param_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        using var x = OptimFixture.Float32(fx.GetProperty("x"));
        using var t = OptimFixture.Float32(fx.GetProperty("t"));
        Parameter[] Fresh() => names.Select(n => { using var init = OptimFixture.Float32(fx.GetProperty("initial").GetProperty(n)); return new Parameter(init); }).ToArray();
        void Train(Parameter[] p, optim.Optimizer opt, optim.lr_scheduler.LRScheduler s, int steps)
        {
            for (int k = 0; k < steps; k++)
                using (NewDisposeScope())
                {
                    opt.zero_grad();
                    Loss(x, t, p).backward();
                    nn.utils.clip_grad_norm_(p, 0.5);
                    opt.step();
                    s.step();
                }
        }
        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var a = Fresh();
            using var optA = optim.AdamW(a, lr: 3e-2, amsgrad: true);
            var schedA = optim.lr_scheduler.WarmupCosine(optA, 10, 100, 1e-4);
            Train(a, optA, schedA, 30);
            var checkpoint = new Dictionary<string, Tensor>();
            for (int i = 0; i < a.Length; i++) checkpoint["model." + names[i]] = a[i].alias().DetachFromDisposeScope();
            foreach (var (k, v) in optA.state_dict()) checkpoint["optimizer." + k] = v;
            foreach (var (k, v) in schedA.state_dict()) checkpoint["scheduler." + k] = v;
            save(checkpoint, path, new Dictionary<string, string> { ["step"] = "30" });
            foreach (var v in checkpoint.Values) v.Dispose();
            Train(a, optA, schedA, 30);

            var b = Fresh();
            using var optB = optim.AdamW(b, lr: 3e-2, amsgrad: true);
            var schedB = optim.lr_scheduler.WarmupCosine(optB, 10, 100, 1e-4);
            using (NewDisposeScope())
            {
                var loaded = load(path);
                Assert.Equal("30", load_metadata(path)["step"]);
                using (no_grad())
                    for (int i = 0; i < b.Length; i++) b[i].copy_(loaded["model." + names[i]]);
                optB.load_state_dict(Section(loaded, "optimizer."));
                schedB.load_state_dict(Section(loaded, "scheduler."));
            }
            Assert.Equal(30, optB.step_count(0));
            Train(b, optB, schedB, 30);
            for (int i = 0; i < a.Length; i++)
                Assert.Equal(a[i].data<float>(), b[i].data<float>());
            Assert.Equal(optA.LearningRate, optB.LearningRate);
            foreach (var q in a.Concat(b)) q.Dispose();
        }
        finally { File.Delete(path); }
    }

    static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    [Fact]
    public void StateDictNamesFollowPyTorchAndBadStateIsRejectedWithoutChanges()
    {
        using var z = zeros(2, 3);
        var p = new Parameter(z);
        using var opt = optim.Adam(new[] { p }, lr: 0.1);
        using (var g = ones(2, 3)) p.grad = g;
        opt.step();
        var state = opt.state_dict();
        Assert.Equal(new[] { "param_groups.0.beta1", "param_groups.0.beta2", "param_groups.0.eps", "param_groups.0.lr", "param_groups.0.weight_decay",
                             "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step" }, state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1f, state["state.0.step"].item<float>());
        // One Adam step from zero moments with gradient 1 moves every element by -lr (bias correction undoes the averages).
        Assert.All(p.data<float>(), v => Assert.Equal(-0.1f, v, 6));

        var wrongShape = new Dictionary<string, Tensor>(state) { ["state.0.exp_avg"] = zeros(3, 2) };
        var ex = Assert.Throws<ArgumentException>(() => opt.load_state_dict(wrongShape));
        Assert.Contains("state.0.exp_avg", ex.Message);
        var unknown = new Dictionary<string, Tensor>(state) { ["state.0.velocity"] = zeros(2, 3) };
        Assert.Contains("velocity", Assert.Throws<ArgumentException>(() => opt.load_state_dict(unknown)).Message);
        var tooMany = new Dictionary<string, Tensor>(state) { ["state.4.exp_avg"] = zeros(2, 3) };
        Assert.Throws<ArgumentException>(() => opt.load_state_dict(tooMany));
        Assert.Equal(1, opt.step_count(0));   // nothing changed
        wrongShape["state.0.exp_avg"].Dispose(); unknown["state.0.velocity"].Dispose(); tooMany["state.4.exp_avg"].Dispose();
        foreach (var v in state.Values) v.Dispose();
        p.Dispose();
    }

    [Fact]
    public void ZeroGradSetsGradientsToNoneAndBadArgumentsAreRejected()
    {
        using var z = zeros(3);
        var p = new Parameter(z);
        using var opt = optim.SGD(new[] { p }, 0.1, momentum: 0.9);
        using (var g = ones(3)) p.grad = g;
        opt.zero_grad();
        Assert.Null(p.grad);
        opt.step();   // no gradient: nothing happens
        Assert.Equal(new float[3], p.data<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = -1);
        Assert.Throws<ArgumentException>(() => optim.Adam(Array.Empty<Parameter>()));
        Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p, p }, 0.1));
        Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.Adam(new[] { p }, beta1: 1.0));
        p.Dispose();
    }
}

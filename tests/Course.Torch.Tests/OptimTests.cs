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
        var got = actual.data<float>().ToArray();
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
        // The fixture's schedule (make_optim_fixtures.py: linear warm-up, then cosine), set per step
        // through TorchSharp's ParamGroups.
        Func<int, double>? learningRate = null;
        if (c.TryGetProperty("schedule", out var s))
        {
            double baseLr = c.GetProperty("lr").GetDouble(), etaMin = s.GetProperty("eta_min").GetDouble();
            long warmup = s.GetProperty("warmup").GetInt64(), total = s.GetProperty("total").GetInt64();
            learningRate = k => k < warmup ? baseLr * Math.Min(1.0, (k + 1) / (double)warmup)
                : etaMin + (baseLr - etaMin) * (1 + Math.Cos(Math.PI * Math.Min(k - warmup, total - warmup) / (total - warmup))) / 2;
        }

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
                if (learningRate is not null) foreach (var group in opt.ParamGroups) group.LearningRate = learningRate(k);
                opt.step();
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
        Assert.Equal(new[] { 3 * scale, 4 * scale }, ga2.data<float>().ToArray().Select(v => (double)v), new ToleranceComparer(1e-6));
        Assert.Null(noGrad.grad);
        Assert.Equal(0.0, nn.utils.clip_grad_norm_(new[] { noGrad }, 1.0));
        a.Dispose(); b.Dispose(); noGrad.Dispose();
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    static Dictionary<string, Tensor> Section(Dictionary<string, Tensor> all, string prefix) =>
        all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    [Fact]
    public void ZeroGradZeroesGradientsAndBadArgumentsAreRejected()
    {
        // TorchSharp's optimizers zero the gradients in place (libtorch's C++ zero_grad); its modules'
        // zero_grad() sets them to None (PyTorch 2's default). Course.Torch does the same.
        using var z = zeros(3);
        var p = new Parameter(z);
        using var opt = optim.SGD(new[] { p }, 0.1, momentum: 0.9);
        using (var g = ones(3)) p.grad = g;
        opt.zero_grad();
        using (var zeroed = p.grad) Assert.Equal(new float[3], zeroed!.data<float>().ToArray());
        opt.step();   // a zero gradient: nothing moves
        Assert.Equal(new float[3], p.data<float>().ToArray());
        using var linear = nn.Linear(2, 1);
        using (var loss = linear.call(ones(1, 2)).sum()) loss.backward();
        Assert.All(linear.parameters(), q => Assert.NotNull(q.grad));
        linear.zero_grad();
        Assert.All(linear.parameters(), q => Assert.Null(q.grad));
        // Bad optimizer arguments: BadCallTests, engine by engine.
        p.Dispose();
    }
}

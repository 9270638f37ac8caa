using System.Text.Json;
using Course.Diffusion.Schedules;
using Course.Diffusion.Training;
using Course.Diffusion.Models;

namespace Course.Diffusion.Tests;

/// <summary>
/// The engine's self-check. None of these assume the CPU they run on: a wrong result is injected
/// where the machine gives right ones, and where the machine gives wrong ones (TorchSharp on AMD Zen 5)
/// the check's remedy must have made them right before anything trains. Alone: building modules draws
/// from the global generator, which tests of same-seed reproducibility in other classes rely on.
/// </summary>
[Collection(nameof(RunsAloneCollection))]
public class EngineNumericsCheckTests
{
    const string OutputConvInputGradient = "conv2d 3x3 stride 1 (32→1 channels, 28x28): d input";

    static float[] AddToFirst(float[] values, float amount)
    {
        var changed = (float[])values.Clone();
        changed[0] += amount;
        return changed;
    }

    [Fact]
    public void The_reference_loops_agree_with_PyTorch_in_double_precision()
    {
        // Inputs from PyTorch's generator, results from torch.autograd in float64; the loops get the same inputs.
        var json = Python.Run("""
import json, torch
import torch.nn.functional as F
torch.manual_seed(7)
def leaf(*s): return torch.randn(*s, dtype=torch.float64, requires_grad=True)
def grads(y, *xs):
    g = torch.randn_like(y); (y * g).sum().backward()
    return [g] + [x.grad for x in xs]
out = {}
x, w, b = leaf(2, 3, 9, 9), leaf(5, 3, 4, 4), leaf(5)
y = F.conv2d(x, w, b, stride=2, padding=1); out['conv'] = [x, w, b, y] + grads(y, x, w, b)
x, w = leaf(2, 4, 5, 5), leaf(4, 3, 4, 4)
y = F.conv_transpose2d(x, w, stride=2, padding=1); out['convt'] = [x, w, y] + grads(y, x, w)
x, w, b = leaf(6, 10), leaf(7, 10), leaf(7)
y = F.linear(x, w, b); out['linear'] = [x, w, b, y] + grads(y, x, w, b)
a, c = leaf(2, 3, 4), leaf(2, 4, 5)
y = torch.bmm(a, c); out['bmm'] = [a, c, y] + grads(y, a, c)
x = leaf(4, 6); y = x.softmax(-1); out['softmax'] = [x, y] + grads(y, x)
x = leaf(30); y = F.silu(x); out['silu'] = [x, y] + grads(y, x)
x, gm, bt = leaf(2, 6, 3, 3), leaf(6), leaf(6)
y = F.group_norm(x, 3, gm, bt, 1e-5); out['groupnorm'] = [x, gm, bt, y] + grads(y, x, gm, bt)
x = leaf(2, 3, 2, 3); y = F.interpolate(x, scale_factor=2.0, mode='nearest'); out['upsample'] = [x, y] + grads(y, x)
print(json.dumps({k: [t.detach().flatten().tolist() for t in v] for k, v in out.items()}))
""");
        var o = JsonSerializer.Deserialize<Dictionary<string, double[][]>>(json)!;
        static void Same(double[] expected, double[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs PyTorch {expected[i]}");
        }
        var c = o["conv"];   // x, w, b, y, g, dx, dw, db
        var conv = ReferenceOperations.Conv2d(c[0], 2, 3, 9, 9, c[1], c[2], 5, 4, 2, 1, c[4]);
        Same(c[3], conv.Y, "conv2d y"); Same(c[5], conv.DX, "conv2d dx"); Same(c[6], conv.DW, "conv2d dw"); Same(c[7], conv.DB, "conv2d db");
        var t = o["convt"];  // x, w, y, g, dx, dw
        var convT = ReferenceOperations.ConvTranspose2d(t[0], 2, 4, 5, 5, t[1], 3, 4, 2, 1, t[3]);
        Same(t[2], convT.Y, "conv_transpose2d y"); Same(t[4], convT.DX, "conv_transpose2d dx"); Same(t[5], convT.DW, "conv_transpose2d dw");
        var l = o["linear"];
        var linear = ReferenceOperations.Linear(l[0], 6, 10, l[1], l[2], 7, l[4]);
        Same(l[3], linear.Y, "linear y"); Same(l[5], linear.DX, "linear dx"); Same(l[6], linear.DW, "linear dw"); Same(l[7], linear.DB, "linear db");
        var m = o["bmm"];
        var bmm = ReferenceOperations.BatchMatrixProduct(m[0], m[1], 2, 3, 4, 5, m[3]);
        Same(m[2], bmm.Y, "bmm y"); Same(m[4], bmm.DA, "bmm da"); Same(m[5], bmm.DB, "bmm db");
        var s = o["softmax"];
        var softmax = ReferenceOperations.Softmax(s[0], 4, 6, s[2]);
        Same(s[1], softmax.Y, "softmax y"); Same(s[3], softmax.DX, "softmax dx");
        var u = o["silu"];
        var silu = ReferenceOperations.Silu(u[0], u[2]);
        Same(u[1], silu.Y, "silu y"); Same(u[3], silu.DX, "silu dx");
        var n = o["groupnorm"];  // x, gamma, beta, y, g, dx, dgamma, dbeta
        var norm = ReferenceOperations.GroupNorm(n[0], 2, 6, 9, 3, n[1], n[2], 1e-5, n[4]);
        Same(n[3], norm.Y, "group_norm y"); Same(n[5], norm.DX, "group_norm dx"); Same(n[6], norm.DGamma, "group_norm dgamma"); Same(n[7], norm.DBeta, "group_norm dbeta");
        var p = o["upsample"];
        var up = ReferenceOperations.UpsampleNearest2x(p[0], 6, 2, 3, p[2]);
        Same(p[1], up.Y, "upsample y"); Same(p[3], up.DX, "upsample dx");
    }

    [Fact]
    public void After_the_check_every_result_of_the_engine_is_right_here()
    {
        var report = EngineNumericsCheck.EnsureRightNumbers();
        Assert.True(report.Passed, report.Summary);
        Assert.True(report.Results.Count >= 50, $"only {report.Results.Count} results checked");
        Assert.Contains("Engine check:", report.Summary);
        Assert.Same(report, EngineNumericsCheck.EnsureRightNumbers());   // once per process and device
        Assert.True(EngineNumericsCheck.Verify().Passed, "a second run of the check, after the first one's remedy, disagrees");
    }

    [Fact]
    public void An_injected_wrong_gradient_is_caught_and_named()
    {
        EngineNumericsCheck.EnsureRightNumbers();
        var report = EngineNumericsCheck.Verify(alterEngineResult: (name, values) =>
            name == OutputConvInputGradient ? AddToFirst(values, 0.5f) : values);
        Assert.False(report.Passed);
        var failure = Assert.Single(report.Results, r => !r.Passed);
        Assert.Equal(OutputConvInputGradient, failure.Name);
        Assert.InRange(failure.MaxError, 0.49, 0.51);
        Assert.Contains(OutputConvInputGradient, report.Summary);
        Assert.Contains(CourseEngine.Name, report.Summary);
        Assert.Contains(CpuDescription.Current, report.Summary);

        // A NaN is never "within tolerance".
        var nan = EngineNumericsCheck.Verify(alterEngineResult: (name, values) =>
            name == OutputConvInputGradient ? AddToFirst(values, float.NaN) : values);
        Assert.Equal(OutputConvInputGradient, Assert.Single(nan.Results, r => !r.Passed).Name);
    }

    [Fact]
    public void A_float32_rounding_error_is_not_a_failure_but_a_real_one_is()
    {
        var reference = new[] { 10.0, -3.0, 0.5 };
        Assert.True(ResultCheck.Compare("r", new[] { 10.00001f, -3f, 0.5f }, reference, 1e-4).Passed);
        Assert.False(ResultCheck.Compare("r", new[] { 10.01f, -3f, 0.5f }, reference, 1e-4).Passed);
        Assert.False(ResultCheck.Compare("r", new[] { 10f, -3f }, reference, 1e-4).Passed);
    }

    [Fact]
    public void The_first_remedy_that_makes_every_result_right_is_kept_and_named()
    {
        EngineNumericsCheck.EnsureRightNumbers();
        var broken = true;
        var tried = new List<string>();
        NumericsReport Verify() => EngineNumericsCheck.Verify(alterEngineResult: (name, values) =>
            broken && name == OutputConvInputGradient ? AddToFirst(values, 7f) : values);
        var remedies = new[]
        {
            new NumericsRemedy("cannot be made here", () => { tried.Add("unavailable"); return false; }),
            new NumericsRemedy("changes nothing", () => { tried.Add("useless"); return true; }),
            new NumericsRemedy("switched the broken kernel off", () => { tried.Add("fix"); broken = false; return true; }),
            new NumericsRemedy("never reached", () => { tried.Add("late"); return true; }),
        };
        var report = EngineNumericsCheck.CheckAndRepair(Verify, remedies);
        Assert.True(report.Passed);
        Assert.Equal(new[] { "unavailable", "useless", "fix" }, tried);
        Assert.Equal("switched the broken kernel off", report.Remedy);
        Assert.Equal(OutputConvInputGradient, report.FailureBeforeRemedy!.Name);
        // The learner's one line: which operation, how far off, what changed, the CPU, the engine.
        Assert.Contains(OutputConvInputGradient, report.Summary);
        Assert.Contains("off by 7", report.Summary);
        Assert.Contains("switched the broken kernel off", report.Summary);
        Assert.Contains(CpuDescription.Current, report.Summary);
        Assert.Contains(CourseEngine.Name, report.Summary);
        Assert.DoesNotContain('\n', report.Summary);
    }

    [Fact]
    public void Where_no_remedy_helps_the_check_refuses_with_the_reason()
    {
        EngineNumericsCheck.EnsureRightNumbers();
        NumericsReport Verify() => EngineNumericsCheck.Verify(alterEngineResult: (name, values) =>
            name == OutputConvInputGradient ? AddToFirst(values, 3f) : values);
        var error = Assert.Throws<EngineNumericsException>(() => EngineNumericsCheck.CheckAndRepair(Verify,
            new[] { new NumericsRemedy("tried this", () => true), new NumericsRemedy("unavailable here", () => false) }));
        Assert.Contains(OutputConvInputGradient, error.Message);
        Assert.Contains("off by 3", error.Message);
        Assert.Contains("tried this", error.Message);
        Assert.DoesNotContain("unavailable here", error.Message);
        Assert.Contains(CpuDescription.Current, error.Message);
        Assert.Contains("will not train on wrong numbers", error.Message);
        Assert.False(error.Report.Passed);
    }

    [Fact]
    public void The_oneDnn_switch_is_found_in_the_engines_libtorch_and_the_kernels_behind_it_are_right()
    {
        var remedied = EngineNumericsCheck.EnsureRightNumbers().Remedy is not null;
        try
        {
            Assert.True(NumericsRemedies.SetOneDnnEnabled(false), "at::Context::setUserEnabledMkldnn not found in libtorch_cpu");
            var without = EngineNumericsCheck.Verify();
            Assert.True(without.Passed, without.Summary);
        }
        finally
        {
            if (!remedied) NumericsRemedies.SetOneDnnEnabled(true);
        }
    }

    /// <summary>
    /// What a learner's training computes: convolution gradients of a model built and trained the
    /// course's way, against the loops. On TorchSharp 0.107 on AMD Zen 5 this fails unless the trainer
    /// ran the check first (channel counts that are not multiples of 16 get wrong input gradients).
    /// </summary>
    [Theory]
    [InlineData(8, 8, 12)]
    [InlineData(32, 1, 28)]
    [InlineData(24, 24, 7)]
    [InlineData(3, 8, 14)]
    public void A_trainers_convolution_gradients_agree_with_the_loops(int inChannels, int outChannels, int size)
    {
        using var scope = NewDisposeScope();
        using var unet = new UNet(TrainingTests.TinyUNet);
        var (images, labels) = TrainingTests.TinyImages();
        using var trainer = new DiffusionTrainer(unet, NoiseSchedule.Linear(100), TrainingData.FromTensor(images, labels));

        manual_seed(inChannels * 100 + outChannels);
        using var conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        for (var draw = 0; draw < 3; draw++)   // the Zen 5 bug strikes at random: three draws
        {
            var x = randn(2, inChannels, size, size).requires_grad_(true);
            var y = conv.call(x);
            var g = randn(y.shape);
            conv.zero_grad();
            (y * g).sum().backward();
            static double[] D(Tensor t) => t.detach().to(float64).data<double>().ToArray();
            var exact = ReferenceOperations.Conv2d(D(x), 2, inChannels, size, size, D(conv.weight!), D(conv.bias!),
                                                   outChannels, 3, 1, 1, D(g));
            var dInput = ResultCheck.Compare("d input", x.grad!.data<float>().ToArray(), exact.DX, 1e-4);
            var dWeight = ResultCheck.Compare("d weight", conv.weight!.grad!.data<float>().ToArray(), exact.DW, 1e-4);
            Assert.True(dInput.Passed, $"{dInput} on {CourseEngine.Name}, {CpuDescription.Current}");
            Assert.True(dWeight.Passed, $"{dWeight} on {CourseEngine.Name}, {CpuDescription.Current}");
        }
    }
}

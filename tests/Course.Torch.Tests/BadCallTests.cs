using System.Runtime.InteropServices;

namespace Course.Torch.Tests;

/// <summary>
/// What each mistake in <see cref="BadCalls"/> does, engine by engine, checked as it really is. The
/// course is written once for both engines, so a learner's mistake can meet either: Course.Torch raises a
/// .NET exception that names the problem for every one of them; TorchSharp 0.107 raises libtorch's message
/// for most, ends the process on a bad matmul (SIGABRT, checked in a child process), and lets a few pass
/// silently (those are marked "returns": no error at all). After every failure the process still computes.
/// </summary>
public class BadCallTests
{
    const string Returns = "returns", Aborts = "SIGABRT";

    /// <summary>A normal operation after a failure: (1, 2, 3) * 2 + 1 = (3, 5, 7).</summary>
    internal static void StillWorks()
    {
        using var x = tensor(new float[] { 1, 2, 3 });
        using var y = x * 2;
        using var z = y + 1;
        Assert.Equal(new float[] { 3, 5, 7 }, z.data<float>().ToArray());
    }

    static void Check(string name, string outcome, string messageFragment)
    {
        if (outcome == Aborts)
        {
            var (exitCode, _, stderr) = BadCalls.RunInChildProcess(name);
            Assert.True(exitCode == 128 + 6, $"{name}: expected the child to die of SIGABRT (exit 134), got exit {exitCode}; stderr:\n{stderr}");
            Assert.Contains("terminate called after throwing an instance of 'c10::Error'", stderr);
            Assert.Contains(messageFragment, stderr);
        }
        else if (outcome == Returns)
        {
            BadCalls.Run(name);   // no exception: the mistake goes unnoticed on this engine
        }
        else
        {
            var error = Assert.ThrowsAny<Exception>(() => BadCalls.Run(name));
            Assert.True(error.GetType().Name == outcome, $"{name}: expected {outcome}, got {error.GetType().Name}: {error.Message}");
            Assert.Contains(messageFragment, error.Message);
        }
        StillWorks();
    }

#if COURSE_ENGINE_TORCHSHARP
    [Theory]
    [InlineData(BadCalls.MatmulShapeMismatch, Aborts, "cannot be multiplied")]
    [InlineData(BadCalls.MatmulFloatByInt64, Aborts, "same dtype")]
    [InlineData(BadCalls.LinearFloat64Input, nameof(ExternalException), "same dtype")]
    [InlineData(BadCalls.LinearWrongWidth, nameof(ExternalException), "cannot be multiplied (3x5 and 4x2)")]
    [InlineData("add-shape-mismatch", nameof(ExternalException), "must match")]
    [InlineData("view-wrong-size", nameof(ExternalException), "is invalid for input of size 6")]
    [InlineData("cat-shape-mismatch", nameof(ExternalException), "Sizes of tensors must match")]
    [InlineData("index-select-out-of-range", nameof(ExternalException), "out of range")]
    [InlineData("size-of-missing-dimension", nameof(ExternalException), "Dimension out of range")]
    [InlineData("indexer-out-of-range", nameof(ExternalException), "index 3 out of range")]
    [InlineData("indexer-too-many-indices", nameof(ExternalException), "0-dim tensor")]
    [InlineData("use-after-dispose", nameof(InvalidOperationException), "empty handle")]
    [InlineData("backward-of-non-scalar", nameof(ExternalException), "only for scalar outputs")]
    [InlineData("backward-without-grad", nameof(ExternalException), "does not require grad")]
    [InlineData("tensor-data-shape-mismatch", nameof(ArgumentException), "mismatched total size")]
    [InlineData("zeros-negative-size", nameof(ExternalException), "non-negative")]
    [InlineData("conv2d-2d-input", nameof(ArgumentException), "with 3 channels to Conv2d")]
    [InlineData("conv2d-channel-mismatch", nameof(ArgumentException), "with 3 channels to Conv2d")]
    [InlineData("conv2d-bad-groups", Returns, "")]
    [InlineData("group-norm-bad-groups", Returns, "")]
    [InlineData("group-norm-channel-mismatch", nameof(ExternalException), "number of channels")]
    [InlineData("batch-norm-one-value", Returns, "")]
    [InlineData("embedding-index-out-of-range", nameof(ExternalException), "out of range")]
    [InlineData("embedding-float-input", nameof(ExternalException), "Long, Int")]
    [InlineData("mse-loss-shape-mismatch", Returns, "")]
    [InlineData("cross-entropy-int32-target", nameof(ExternalException), "expected scalar type Long but found Int")]
    [InlineData("interpolate-size-and-scale", nameof(ExternalException), "only one of size or scale_factor")]
    [InlineData("interpolate-nearest-align-corners", nameof(ExternalException), "align_corners")]
    [InlineData("interpolate-one-scale-factor", nameof(ExternalException), "scale_factor shape must match")]
    [InlineData("reflect-pad-too-wide", nameof(ExternalException), "Padding size should be less")]
    [InlineData("attention-key-width-mismatch", nameof(ExternalException), "Expected size")]
    [InlineData("attention-mask-and-causal", nameof(ArgumentException), "cannot pass a mask")]
    [InlineData("dropout-probability-above-one", Returns, "")]
    [InlineData("item-of-wrong-dtype", nameof(ArgumentException), "Double is not compatible with Float32")]
    [InlineData("adam-without-parameters", Returns, "")]
    [InlineData("sgd-parameter-twice", Returns, "")]
    [InlineData("sgd-nesterov-without-momentum", nameof(ArgumentException), "Nesterov momentum requires a momentum")]
    [InlineData("adam-beta1-one", nameof(ArgumentException), "Invalid beta1")]
    public void OnTorchSharp(string name, string outcome, string messageFragment) => Check(name, outcome, messageFragment);

    [Fact]
    public void WrongDeviceOnTorchSharp()
    {
        if (cuda.is_available()) return;   // with a GPU, moving there is no mistake
        Check("to-cuda-without-gpu", nameof(InvalidOperationException), "CUDA did not initialise");
    }
#else
    [Theory]
    [InlineData(BadCalls.MatmulShapeMismatch, nameof(ExternalException), "cannot be multiplied")]
    [InlineData(BadCalls.MatmulFloatByInt64, nameof(ExternalException), "Long")]
    [InlineData(BadCalls.LinearFloat64Input, nameof(ArgumentException), "its parameters are float32 but the input is float64")]
    [InlineData(BadCalls.LinearWrongWidth, nameof(ArgumentException), "expects input [..., 4], got shape [3, 5]")]
    [InlineData("add-shape-mismatch", nameof(ExternalException), "must match")]
    [InlineData("view-wrong-size", nameof(ExternalException), "is invalid for input of size 6")]
    [InlineData("cat-shape-mismatch", nameof(ExternalException), "Sizes of tensors must match")]
    [InlineData("index-select-out-of-range", nameof(ExternalException), "out of range")]
    [InlineData("size-of-missing-dimension", nameof(ArgumentOutOfRangeException), "dimension 2 is out of range for a tensor with 2 dimensions")]
    [InlineData("indexer-out-of-range", nameof(IndexOutOfRangeException), "index 3 is out of range for dimension 1 of size 3")]
    [InlineData("indexer-too-many-indices", nameof(IndexOutOfRangeException), "too many indices (4)")]
    [InlineData("use-after-dispose", nameof(ObjectDisposedException), "disposed")]
    [InlineData("backward-of-non-scalar", nameof(InvalidOperationException), "needs a scalar (one-element) tensor, but this one has shape [3]")]
    [InlineData("backward-without-grad", nameof(ExternalException), "does not require grad")]
    [InlineData("tensor-data-shape-mismatch", nameof(ArgumentException), "shape [2, 2] needs 4 values but the array has 3")]
    [InlineData("zeros-negative-size", nameof(ArgumentException), "non-negative")]
    [InlineData("conv2d-2d-input", nameof(ArgumentException), "expects input of shape [N, 3, H, W] or [3, H, W], got [5, 5]")]
    [InlineData("conv2d-channel-mismatch", nameof(ArgumentException), "expects 3 input channels, but the input has 4")]
    [InlineData("conv2d-bad-groups", nameof(ArgumentException), "must be divisible by groups (2)")]
    [InlineData("group-norm-bad-groups", nameof(ArgumentException), "must be divisible by num_groups (4)")]
    [InlineData("group-norm-channel-mismatch", nameof(ArgumentException), "expects input [N, 6, ...], got shape [2, 4, 3, 3]")]
    [InlineData("batch-norm-one-value", nameof(ArgumentException), "more than one value per channel")]
    [InlineData("embedding-index-out-of-range", nameof(ArgumentOutOfRangeException), "indices must lie in [0, 4]")]
    [InlineData("embedding-float-input", nameof(ArgumentException), "indices must be int64 or int32, got float32")]
    [InlineData("mse-loss-shape-mismatch", nameof(ArgumentException), "input has shape [4, 1] but target has shape [4]")]
    [InlineData("cross-entropy-int32-target", nameof(ArgumentException), "targets must be int64, got int32")]
    [InlineData("interpolate-size-and-scale", nameof(ArgumentException), "exactly one of size and scale_factor")]
    [InlineData("interpolate-nearest-align-corners", nameof(ArgumentException), "align_corners only applies to bilinear")]
    [InlineData("interpolate-one-scale-factor", nameof(ArgumentException), "one value per spatial dimension")]
    [InlineData("reflect-pad-too-wide", nameof(ArgumentException), "must be smaller than the size 3")]
    [InlineData("attention-key-width-mismatch", nameof(ArgumentException), "query and key must share the embedding size")]
    [InlineData("attention-mask-and-causal", nameof(ArgumentException), "either attn_mask or is_casual")]
    [InlineData("dropout-probability-above-one", nameof(ArgumentOutOfRangeException), "must lie in [0, 1]")]
    [InlineData("item-of-wrong-dtype", nameof(ArgumentException), "needs a float64 tensor, but this one is float32")]
    [InlineData("adam-without-parameters", nameof(ArgumentException), "empty parameter list")]
    [InlineData("sgd-parameter-twice", nameof(ArgumentException), "appears twice")]
    [InlineData("sgd-nesterov-without-momentum", nameof(ArgumentException), "Nesterov momentum needs momentum > 0")]
    [InlineData("adam-beta1-one", nameof(ArgumentOutOfRangeException), "beta1 must be in [0, 1)")]
    public void OnCourseTorch(string name, string outcome, string messageFragment) => Check(name, outcome, messageFragment);

    [Fact]
    public void WrongDeviceOnCourseTorch()
    {
        if (cuda.is_available()) return;   // with a GPU, moving there is no mistake
        Check("to-cuda-without-gpu", nameof(InvalidOperationException), "CUDA is not available");
    }
#endif

    [Fact]
    public void EveryBadCallIsChecked()
    {
        var listed = typeof(BadCallTests).GetMethods()
            .Where(m => m.Name.StartsWith("On", StringComparison.Ordinal))
            .SelectMany(m => m.GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>())
            .Select(a => (string)a.GetData(null!).First()[0])
            .Append("to-cuda-without-gpu");
        Assert.Equal(BadCalls.Names.Order(), listed.Order());
    }
}

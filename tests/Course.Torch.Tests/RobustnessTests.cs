using System.Runtime.InteropServices;
namespace Course.Torch.Tests;

/// <summary>
/// Bad input raises a .NET exception that says what was wrong, and the process goes on: after each
/// failure an ordinary computation still gives the right answer.
/// </summary>
public class RobustnessTests
{
    /// <summary>A normal operation after a failure: (1, 2, 3) * 2 + 1 = (3, 5, 7).</summary>
    static void StillWorks()
    {
        using var x = tensor(new float[] { 1, 2, 3 });
        using var y = x * 2;
        using var z = y + 1;
        Assert.Equal(new float[] { 3, 5, 7 }, z.data<float>().ToArray());
    }

    [Fact]
    public void ShapeMismatchRaisesExternalException()
    {
        using var a = randn(2, 3);
        using var b = randn(4, 5);
        var add = Assert.Throws<ExternalException>(() => a + b);
        Assert.Contains("must match", add.Message);
        StillWorks();
        Assert.Throws<ExternalException>(() => a.view(7));
        Assert.Throws<ExternalException>(() => cat(new[] { a, b }, 0));
        StillWorks();
    }

    [Fact]
    public void DtypeMismatchRaisesExternalException()
    {
        using var f = randn(2, 3);
        using var i = ones(new long[] { 2, 3 }, int64);
        Assert.Throws<ExternalException>(() => i.add_(f));   // an int64 tensor cannot hold a float32 result in place
        Assert.Throws<ArgumentException>(() => f.data<double>().ToArray());
        StillWorks();
    }

    // A bad matmul is where the two engines differ: TorchSharp 0.107's native THSTensor_matmul has no
    // exception guard, so libtorch's c10::Error ends the process with SIGABRT (in a notebook: the
    // kernel dies and its state is lost); Course.Torch turns it into a .NET exception.
#if COURSE_ENGINE_TORCHSHARP
    [Theory]
    [InlineData(MatmulProbe.ShapeMismatch, "cannot be multiplied")]
    [InlineData(MatmulProbe.FloatByInt64, "same dtype")]
    public void BadMatmulAbortsTheProcessOnTorchSharp(string kind, string libtorchMessage)
    {
        var (exitCode, stderr) = MatmulProbe.RunInChildProcess(kind);
        Assert.True(exitCode == 128 + 6, $"expected the child to die of SIGABRT (exit 134), got exit {exitCode}; stderr:\n{stderr}");
        Assert.Contains("terminate called after throwing an instance of 'c10::Error'", stderr);
        Assert.Contains(libtorchMessage, stderr);
        StillWorks();   // this process is untouched
    }
#else
    [Theory]
    // libtorch's own words: 1.13 says "expected scalar type Float but found Long", 2.x "... the same dtype".
    [InlineData(MatmulProbe.ShapeMismatch, "cannot be multiplied")]
    [InlineData(MatmulProbe.FloatByInt64, "(same dtype|expected scalar type Float but found Long)")]
    public void BadMatmulRaisesExternalExceptionOnCourseTorch(string kind, string libtorchMessage)
    {
        var ex = Assert.Throws<ExternalException>(() => MatmulProbe.Run(kind));
        Assert.Matches(libtorchMessage, ex.Message);
        StillWorks();
    }
#endif

    [Fact]
    public void OutOfRangeIndexRaisesAnException()
    {
        using var x = randn(3, 4);
        using var bad = tensor(new long[] { 0, 5 });
        var ex = Assert.Throws<ExternalException>(() => x.index_select(0, bad));
        Assert.Contains("out of range", ex.Message);
        StillWorks();
        using var badGather = tensor(new long[] { 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new long[] { 3, 4 });
        Assert.Throws<ExternalException>(() => x.gather(1, badGather));
        var dim = Assert.Throws<ArgumentOutOfRangeException>(() => x.size(2));
        Assert.Contains("out of range", dim.Message);
        Assert.Throws<ExternalException>(() => x.transpose(0, 5));
        StillWorks();
    }

    [Fact]
    public void WrongDeviceRaisesAnException()
    {
        using var x = randn(2);
        if (!cuda.is_available())
        {
            var ex = Assert.Throws<InvalidOperationException>(() => x.to(CUDA));
            Assert.Contains("CUDA is not available", ex.Message);
            Assert.Throws<InvalidOperationException>(() => zeros(new long[] { 2 }, device: CUDA));
        }
        else
        {
            // With a GPU, mixing devices in one operation is the error.
            using var g = x.to(CUDA);
            Assert.Throws<ExternalException>(() => g.matmul(randn(2)));
        }
        Assert.Throws<ArgumentException>(() => new Device("tpu:0"));
        StillWorks();
    }

    [Fact]
    public void UsingADisposedTensorRaisesObjectDisposedException()
    {
        var x = randn(2, 2);
        x.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => x + 1);
        Assert.Contains("disposed", ex.Message);
        Assert.Throws<ObjectDisposedException>(() => x.shape);
        Assert.Throws<ObjectDisposedException>(() => x.data<float>().ToArray());
        x.Dispose();   // disposing twice is harmless
        Tensor inScope;
        using (NewDisposeScope()) inScope = ones(3);
        Assert.Throws<ObjectDisposedException>(() => inScope.sum());   // freed by its scope
        StillWorks();
    }

    [Fact]
    public void OtherMisuseRaisesClearExceptions()
    {
        using var v = randn(new long[] { 3 }, requires_grad: true);
        using var twice = v * 2;
        Assert.Contains("scalar", Assert.Throws<InvalidOperationException>(() => twice.backward()).Message);
        using var leaf = randn(3);
        Assert.Throws<ExternalException>(() => { using var s = leaf.sum(); s.backward(); });   // nothing requires grad
        Assert.Throws<ArgumentException>(() => tensor(new float[] { 1, 2, 3 }, new long[] { 2, 2 }));
        Assert.Throws<ArgumentException>(() => zeros(-1, 2));
        StillWorks();
    }
}

using System.Runtime.InteropServices;
namespace Course.Torch.Tests;

/// <summary>
/// Bad input raises a .NET exception and the process goes on: after each failure an ordinary
/// computation still gives the right answer. The per-engine table of mistakes is <see cref="BadCallTests"/>;
/// these are the checks both engines pass alike.
/// </summary>
public class RobustnessTests
{
    static void StillWorks() => BadCallTests.StillWorks();

    [Fact]
    public void DtypeMismatchRaisesExternalException()
    {
        using var f = randn(2, 3);
        using var i = ones(new long[] { 2, 3 }, int64);
        Assert.Throws<ExternalException>(() => i.add_(f));   // an int64 tensor cannot hold a float32 result in place
        Assert.Throws<ArgumentException>(() => f.data<double>().ToArray());
        StillWorks();
    }

    [Fact]
    public void OutOfRangeGatherRaisesExternalException()
    {
        using var x = randn(3, 4);
        using var badGather = tensor(new long[] { 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, new long[] { 3, 4 });
        Assert.Throws<ExternalException>(() => x.gather(1, badGather));
        StillWorks();
    }

    [Fact]
    public void UsingADisposedTensorRaisesInvalidOperationException()
    {
        // Course.Torch raises ObjectDisposedException (an InvalidOperationException) saying "disposed";
        // TorchSharp an InvalidOperationException saying "Tensor invalid -- empty handle".
        var x = randn(2, 2);
        x.Dispose();
        Assert.ThrowsAny<InvalidOperationException>(() => x.shape);
        Assert.ThrowsAny<InvalidOperationException>(() => x.data<float>().ToArray());
        x.Dispose();   // disposing twice is harmless
        Tensor inScope;
        using (NewDisposeScope()) inScope = ones(3);
        Assert.ThrowsAny<InvalidOperationException>(() => inScope.sum());   // freed by its scope
        StillWorks();
    }

    [Fact]
    public void UnknownDeviceNameIsAnArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new Device("tpu:0"));
        StillWorks();
    }
}

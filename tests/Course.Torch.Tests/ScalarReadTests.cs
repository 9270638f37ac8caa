namespace Course.Torch.Tests;

/// <summary>Reading one-element tensors: both engines must agree, since course code is written once.
/// TorchSharp's item&lt;T&gt;() needs T to be the tensor's exact dtype; ToDouble() and its siblings convert.</summary>
public class ScalarReadTests
{
    [Fact]
    public void ItemNeedsTheExactDtype()
    {
        using var x = tensor(1.5f);
        Assert.Equal(1.5f, x.item<float>());
        var error = Assert.Throws<ArgumentException>(() => x.item<double>());
        Assert.Contains("Double", error.Message);
        using var count = tensor(7L);
        Assert.Equal(7L, count.item<long>());
        Assert.Throws<ArgumentException>(() => count.item<int>());
    }

    [Fact]
    public void ToDoubleAndSiblingsConvertAnyDtype()
    {
        using var single = tensor(0.1f);
        Assert.Equal((double)0.1f, single.ToDouble());   // the float32 value, widened exactly
        using var integer = tensor(3L);
        Assert.Equal(3.0, integer.ToDouble());
        using var precise = tensor(2.75);
        Assert.Equal(2.75f, precise.ToSingle());
        Assert.Equal(2L, precise.ToInt64());               // truncates toward zero, as a C++ cast
        using var flag = tensor(2.0).gt(1.0);
        Assert.True(flag.ToBoolean());
        Assert.Equal(1.0, flag.ToDouble());
    }

    [Fact]
    public void ItemOfAManyElementTensorIsAnError()
    {
        using var x = zeros(3);
        Assert.ThrowsAny<Exception>(() => x.item<float>());
        Assert.ThrowsAny<Exception>(() => x.ToDouble());
    }
}

/// <summary>TorchSharp's overloads as they bind in C#, on both engines: the same source must mean the same thing.</summary>
public class OverloadTests
{
    [Fact]
    public void SumOfLiteralZeroIsAWholeTensorSumInByte()
    {
        // x.sum(0) binds to sum(ScalarType? type), because the literal 0 converts to any enum:
        // ScalarType 0 is Byte, so 300 ones sum to 300 mod 256 = 44. A sum over a dimension is sum(dim: 0).
        using var x = ones(300, 2);
        using var wrapped = x.sum(0);
        Assert.Equal(ScalarType.Byte, wrapped.dtype);
        Assert.Equal(600 % 256, wrapped.ToInt64());
        using var columns = x.sum(dim: 0);
        Assert.Equal(new float[] { 300, 300 }, columns.data<float>().ToArray());
        using var rows = x.sum(1);   // any other literal is a dimension
        Assert.Equal(new long[] { 300 }, rows.shape);
    }
}

namespace Course.Torch.Tests;

public class IndexingTests
{
    static Tensor Grid() => arange(24).reshape(2, 3, 4); // values 0..23

    [Fact]
    public void SelectsAndSlicesLikePyTorch()
    {
        using var x = Grid();
        using var a = x[.., 0];                 // x[:, 0]
        Assert.Equal(new long[] { 2, 4 }, a.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 12, 13, 14, 15 }, a.data<long>().ToArray());

        using var b = x[1, 1..3, ^1];           // x[1, 1:3, -1]
        Assert.Equal(new long[] { 19, 23 }, b.data<long>().ToArray());

        using var c = x[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)]; // x[..., ::2]
        Assert.Equal(new long[] { 2, 3, 2 }, c.shape);
        Assert.Equal(new long[] { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22 }, c.data<long>().ToArray());

        using var d = x[TensorIndex.None, 0];   // x[None, 0]
        Assert.Equal(new long[] { 1, 3, 4 }, d.shape);
    }

    [Fact]
    public void AdvancedIndexingWithIntegerAndBoolTensors()
    {
        using var x = Grid();
        using var idx = tensor(new long[] { 2, 0 });
        using var e = x[0, idx];                // x[0, [2, 0]]
        Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, e.data<long>().ToArray());

        using var mask = x.gt(20);
        using var f = x[mask];
        Assert.Equal(new long[] { 21, 22, 23 }, f.data<long>().ToArray());
    }

    [Fact]
    public void AssignmentWritesThroughViews()
    {
        using var x = zeros(2, 3);
        x[.., 1] = ones(2);
        x.index_put_(5, 0, 0);
        using var mask = x.eq(0);
        x[mask] = full(new long[] { 3 }, -1, dtype: float32);   // as in PyTorch, an integer fill value alone makes int64
        Assert.Equal(new float[] { 5, 1, -1, -1, 1, -1 }, x.data<float>().ToArray());
    }

    [Fact]
    public void NegativeIndicesCountFromTheEnd()
    {
        using var x = Grid();
        using var last = x[0, -3];              // x[0, -3] is x[0, 0]
        Assert.Equal(new long[] { 0, 1, 2, 3 }, last.data<long>().ToArray());
    }

    [Fact]
    public void IndexedViewsCarryGradients()
    {
        using var w = ones(new long[] { 3, 2 }, requires_grad: true);
        using var y = (w[.., 0] * 3).sum();
        y.backward();
        using var g = w.grad!;
        Assert.Equal(new float[] { 3, 0, 3, 0, 3, 0 }, g.data<float>().ToArray());
    }
}

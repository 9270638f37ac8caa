namespace Course.Torch.Tests;

[Collection(GlobalGeneratorCollection.Name)]
public class SmokeTests
{
    [Fact]
    public void SeededRandnMatchesPyTorch()
    {
        manual_seed(0);
        using var x = randn(2, 3);
        var expected = Python.Run("import torch; torch.manual_seed(0); print(' '.join(repr(v) for v in torch.randn(2, 3).flatten().tolist()))")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        Assert.Equal(expected.Length, x.numel());
        var got = x.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], got[i], 6);
    }
}

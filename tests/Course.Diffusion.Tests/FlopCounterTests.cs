using Course.Diffusion.Models;
using Course.Diffusion.Scaling;

namespace Course.Diffusion.Tests;

public class FlopCounterTests
{
    [Fact]
    public void A_small_mlp_costs_what_a_hand_count_gives()
    {
        // x (2) and emb(t) (4) -> Linear 6x3 -> SiLU -> Linear 3x3 -> SiLU -> Linear 3x2, counted by hand:
        //   embedding  4/2 multiplies + 4 sin/cos                     =  6
        //   net.0      2*6*3 = 36 multiply-add FLOPs, bias 3           = 39
        //   net.1      SiLU on 3 values                                =  3
        //   net.2      2*3*3 = 18, bias 3                              = 21
        //   net.3      SiLU on 3                                       =  3
        //   net.4      2*3*2 = 12, bias 2                              = 14
        // matmuls 36 + 18 + 12 = 66 (twice the 33 weights), the rest 20, forward 86 FLOPs per sample.
        using var model = new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 3, hiddenLayers: 2, timeEmbeddingDimension: 4);
        var report = FlopCounter.Forward(model);
        Assert.Equal(new long[] { 6, 39, 3, 21, 3, 14 }, report.Layers.Select(l => l.Flops).ToArray());
        Assert.Equal(new[] { "time_embedding", "net.0", "net.1", "net.2", "net.3", "net.4" }, report.Layers.Select(l => l.Name).ToArray());
        Assert.Equal(66, report.MatmulFlops);
        Assert.Equal(20, report.OtherFlops);
        Assert.Equal(86, report.Forward);
        Assert.Equal(41, report.Parameters);
        Assert.Equal(model.parameter_count(), report.Parameters);
        // a training step: forward plus a backward of twice its cost, for each sample of the batch
        Assert.Equal(3.0 * 86 * 512, report.TrainingStep(512));
        Assert.Equal(1000 * 3.0 * 86 * 512, report.Training(1000, 512));
    }

    [Fact]
    public void A_class_conditional_mlp_adds_its_class_vector()
    {
        using var plain = new TimeConditionedMlp(hiddenWidth: 3, hiddenLayers: 2, timeEmbeddingDimension: 4);
        using var conditional = new TimeConditionedMlp(hiddenWidth: 3, hiddenLayers: 2, timeEmbeddingDimension: 4, numClasses: 5);
        Assert.Equal(FlopCounter.Forward(plain).Forward + 4, FlopCounter.Forward(conditional).Forward);
        Assert.Equal(plain.parameter_count() + 6 * 4, FlopCounter.Forward(conditional).Parameters);
    }

    [Fact]
    public void A_small_convolutional_stack_costs_what_a_hand_count_gives()
    {
        // [1,4,4] -conv 3x3 pad 1-> [2,4,4]: 32 outputs x (1*9) multiply-adds = 288 -> 576, bias 32
        //          -SiLU-> 32
        //          -conv 3x3 stride 2 pad 1-> [4,2,2]: 16 outputs x (2*9) = 288 -> 576, bias 16
        //          -grouped conv 1x1, 2 groups-> [4,2,2]: 16 outputs x (2*1) = 32 -> 64, no bias
        //          -transposed conv 2x2 stride 2-> [1,4,4]: 16 inputs x (1*2*2) = 64 -> 128, bias 16
        //          -flatten-> [16] -Linear 16x1-> 32, bias 1
        var net = nn.Sequential(
            nn.Conv2d(1, 2, 3, padding: 1), nn.SiLU(), nn.Conv2d(2, 4, 3, stride: 2, padding: 1),
            nn.Conv2d(4, 4, 1, groups: 2, bias: false), nn.ConvTranspose2d(4, 1, 2, stride: 2), nn.Flatten(), nn.Linear(16, 1));
        var report = FlopCounter.Forward(net, new long[] { 1, 4, 4 });
        Assert.Equal(new long[] { 608, 32, 592, 64, 144, 0, 33 }, report.Layers.Select(l => l.Flops).ToArray());
        Assert.Equal(new long[] { 1, 4, 4 }, report.Layers[4].OutputShape);
        Assert.Equal(576 + 576 + 64 + 128 + 32, report.MatmulFlops);
        Assert.Equal(net.parameters().Sum(p => p.numel()), report.Parameters);
    }

    [Fact]
    public void A_wide_mlp_costs_about_two_flops_per_parameter_forward()
    {
        // C ≈ 6 N D holds when the matmuls dominate: forward ≈ 2N, within the bias and activation terms.
        using var model = new TimeConditionedMlp(hiddenWidth: 256, hiddenLayers: 3, timeEmbeddingDimension: 32);
        var report = FlopCounter.Forward(model);
        double weights = model.parameters().Where(p => p.dim() == 2).Sum(p => p.numel());
        Assert.Equal(2 * weights, report.MatmulFlops);
        Assert.InRange(report.Forward / (2.0 * report.Parameters), 1.0, 1.01);
    }

    [Fact]
    public void Shapes_that_do_not_fit_and_unknown_modules_are_named()
    {
        var linear = nn.Linear(3, 2);
        var e = Assert.Throws<ArgumentException>(() => FlopCounter.Forward(linear, new long[] { 4 }));
        Assert.Contains("in_features=3", e.Message);
        Assert.Throws<ArgumentException>(() => FlopCounter.Forward(linear, new long[] { 0 }));
        Assert.Throws<ArgumentException>(() => FlopCounter.Forward(nn.Conv2d(3, 2, 3), new long[] { 3, 8 }));
        var conv = Assert.Throws<ArgumentException>(() => FlopCounter.Forward(nn.Conv2d(3, 2, 3), new long[] { 4, 8, 8 }));
        Assert.Contains("Conv2d", conv.Message);
        var unknown = Assert.Throws<NotSupportedException>(() => FlopCounter.Forward(nn.Embedding(4, 2), new long[] { 1 }));
        Assert.Contains("Embedding", unknown.Message);
        using var model = new TimeConditionedMlp(hiddenWidth: 3, hiddenLayers: 1, timeEmbeddingDimension: 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => FlopCounter.Forward(model).TrainingStep(0));
    }
}

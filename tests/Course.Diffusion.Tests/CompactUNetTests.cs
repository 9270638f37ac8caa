using System.Globalization;
using System.Text.Json;
using Course.Diffusion.Models;

namespace Course.Diffusion.Tests;

/// <summary>
/// Lesson 10's CPU-shaped UNet: the patch folding against its closed form, the whole network against
/// its PyTorch twin (fixtures/compact_unet_twin.py, in float64) on the same weights and inputs, and what a fresh
/// model and a saved one must do.
/// </summary>
public class CompactUNetTests
{
    static string Twin([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "fixtures", "compact_unet_twin.py");

    [Fact]
    public void Space_to_depth_puts_pixel_py_plus_i_px_plus_j_into_channel_c_p2_plus_i_p_plus_j_and_depth_to_space_undoes_it()
    {
        using var scope = NewDisposeScope();
        const int p = 2;
        var x = arange(0, 2 * 3 * 4 * 6, 1, float32).reshape(2, 3, 4, 6);
        var folded = CompactUNet.SpaceToDepth(x, p);
        Assert.Equal(new long[] { 2, 12, 2, 3 }, folded.shape);
        var xs = x.data<float>().ToArray();
        var fs = folded.data<float>().ToArray();
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < p; j++)
                        for (int y = 0; y < 2; y++)
                            for (int z = 0; z < 3; z++)
                            {
                                float pixel = xs[((b * 3 + c) * 4 + p * y + i) * 6 + p * z + j];
                                float channel = fs[((b * 12 + c * p * p + i * p + j) * 2 + y) * 3 + z];
                                Assert.Equal(pixel, channel);
                            }
        Assert.Equal(xs, CompactUNet.DepthToSpace(folded, p).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => CompactUNet.SpaceToDepth(zeros(1, 1, 5, 4), 2));
        Assert.Throws<ArgumentException>(() => CompactUNet.DepthToSpace(zeros(1, 3, 2, 2), 2));
    }

    [Theory]
    [InlineData(2, "32,64", 1, 10)]
    [InlineData(1, "8,16,16", 2, 0)]
    public void Output_equals_the_pytorch_twin_on_the_same_weights(int patch, string channels, int blocks, int classes)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var config = new CompactUNetConfig
        {
            Patch = patch, Channels = channels.Split(',').Select(int.Parse).ToArray(), BlocksPerLevel = blocks,
            Groups = 4, NumClasses = classes,
        };
        using var model = new CompactUNet(config);
        using (no_grad())
            foreach (var p in model.parameters()) p.normal_(0, 0.2, new Generator(5));   // the zero-initialised layers too
        model.eval();
        var g = new Generator(7);
        var x = randn(new long[] { 3, 1, 28, 28 }, generator: g);
        var t = tensor(new long[] { 0, 417, 999 });
        Tensor? labels = classes > 0 ? tensor(new long[] { 2, 9, classes }) : null;
        var output = model.call(x, t, labels);

        var file = TrainingTests.TempFile("compact-twin.safetensors");
        try
        {
            var tensors = model.state_dict().ToDictionary(kv => "weights." + kv.Key, kv => kv.Value);
            tensors["x"] = x;
            tensors["t"] = t;
            if (labels is not null) tensors["labels"] = labels;
            Safetensors.Save(tensors, file, new Dictionary<string, string> { ["config"] = config.ToJson() });
            using var doc = JsonDocument.Parse(Python.Run(File.ReadAllText(Twin()), file));
            var shape = doc.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(output.shape, shape);
            var expected = doc.RootElement.GetProperty("values").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var actual = output.data<float>().ToArray();
            double scale = expected.Max(Math.Abs);
            Assert.True(scale > 0.1, "the twin's output should not be trivially small");
            double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            // The twin computes in float64, so this is the float32 engine against an exact reference (measured
            // 2.5e-6 of the scale on both engines); a float32 PyTorch is no reference where its own kernels
            // are wrong (Debian 13's PyTorch 2.6 on an AMD Zen 5: conv2d 24→8 channels off by 0.0081 here).
            Assert.True(worst <= 1e-4 * scale, string.Create(CultureInfo.InvariantCulture, $"largest difference {worst:g3} against an output scale of {scale:g3}"));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_fresh_model_predicts_zero_everywhere_and_counts_its_parameters_as_the_twin_does()
    {
        using var scope = NewDisposeScope();
        using var model = new CompactUNet(CompactUNetConfig.ForFashionMnist(numClasses: 10));
        var output = model.call(randn(4, 1, 28, 28), tensor(new long[] { 1, 10, 500, 999 }), tensor(new long[] { 0, 3, 9, 10 }));
        Assert.Equal(new long[] { 4, 1, 28, 28 }, output.shape);
        Assert.Equal(0f, output.abs().max().ToSingle());
        // Counted by hand for 2x2 patches, channels (32, 64), embedding 128, 10 classes + null:
        long Block(long i, long o) => 2 * i + (9 * i * o + o) + (128 * 2 * o + 2 * o) + 2 * o + (9 * o * o + o) + (i == o ? 0 : i * o + o);
        long expected = (32 * 128 + 128) + (128 * 128 + 128) + 11 * 128      // time MLP, class embedding
            + (9 * 4 * 32 + 32)                                                // input conv on 4 patch channels
            + Block(32, 32) + (9 * 32 * 32 + 32) + Block(32, 64)               // down, stride-2 conv
            + Block(64, 64)                                                    // middle
            + Block(128, 64) + Block(96, 32)                                   // up, on concatenations
            + 2 * 32 + (9 * 32 * 4 + 4);                                       // output norm and conv
        Assert.Equal(expected, model.parameter_count());
        Assert.Contains("CompactUNet(1x28x28, patch 2, channels (32, 64), classes=10+null", model.ToString());
    }

    [Fact]
    public void Saved_weights_load_back_as_the_same_model_through_model_files()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = new CompactUNet(new CompactUNetConfig { Channels = new[] { 16, 32 }, NumClasses = 3 });
        using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.1, new Generator(12));
        model.eval();
        var x = randn(2, 1, 28, 28);
        var t = tensor(new long[] { 5, 700 });
        var y = tensor(new long[] { 1, 3 });
        var before = model.call(x, t, y).data<float>().ToArray();
        var file = TrainingTests.TempFile("compact.safetensors");
        try
        {
            model.SaveWeights(file);
            using var loaded = ModelFiles.Load(file);
            Assert.IsType<CompactUNet>(loaded);
            Assert.Equal(before, loaded.call(x, t, y).data<float>().ToArray());
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Impossible_shapes_are_refused_with_the_reason()
    {
        var odd = Assert.Throws<ArgumentException>(() => new CompactUNet(new CompactUNetConfig { Channels = new[] { 32, 64, 64 } }));
        Assert.Contains("divisible by Patch · 2^2 = 8", odd.Message);
        Assert.Throws<ArgumentException>(() => new CompactUNet(new CompactUNetConfig { Channels = new[] { 30 } }));   // 8 groups
        Assert.Throws<ArgumentException>(() => new CompactUNet(new CompactUNetConfig { Patch = 0 }));
        Assert.Throws<ArgumentException>(() => new CompactUNet(new CompactUNetConfig { BlocksPerLevel = 0 }));
        using var model = new CompactUNet();
        Assert.Throws<ArgumentException>(() => model.call(zeros(2, 1, 32, 32), zeros(new long[] { 2 }, int64)));
    }
}

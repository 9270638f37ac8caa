using Course.Diffusion.Models;
using Course.Diffusion.Processes;

namespace Course.Diffusion.Tests;

public class ModelTests
{
    static long SumOfParameters(nn.Module m) => m.parameters().Sum(p => p.numel());

    /// <summary>Gives every parameter random values (the zero-initialised output layers would otherwise hide mistakes).</summary>
    static void Randomize(nn.Module m, long seed)
    {
        using var g = new Generator(unchecked((ulong)seed));
        using (no_grad())
            foreach (var p in m.parameters())
                p.normal_(0, 0.3, g);
    }

    [Fact]
    public void Sinusoidal_embedding_matches_the_closed_form()
    {
        // emb[i] = sin(t ω_i), emb[half + i] = cos(t ω_i), ω_i = 10000^(−i/(half−1)) (Ho et al. get_timestep_embedding).
        using var scope = NewDisposeScope();
        long[] ts = { 0, 1, 17, 500, 999 };
        const int dim = 16, half = 8;
        var emb = SinusoidalTimeEmbedding.Embed(tensor(ts), dim);
        Assert.Equal(new long[] { ts.Length, dim }, emb.shape);
        var values = emb.data<float>().ToArray();
        for (int b = 0; b < ts.Length; b++)
            for (int i = 0; i < half; i++)
            {
                double w = Math.Pow(10000, -(double)i / (half - 1));
                // float32 arithmetic on t·ω up to 999: the angle carries ~1e-4 absolute error.
                Assert.Equal(Math.Sin(ts[b] * w), values[b * dim + i], 3e-4);
                Assert.Equal(Math.Cos(ts[b] * w), values[b * dim + half + i], 3e-4);
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => SinusoidalTimeEmbedding.Embed(tensor(ts), 7));
    }

    [Fact]
    public void Mlp_maps_points_to_noise_of_the_same_shape_and_counts_its_parameters()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new TimeConditionedMlp();
        var y = model.call(randn(32, 2), randint(0, 1000, new long[] { 32 }));
        Assert.Equal(new long[] { 32, 2 }, y.shape);
        // (2 + 64)·128 + 128, two 128·128 + 128 hidden layers, 128·2 + 2 output.
        long expected = (66 * 128 + 128) + 2 * (128 * 128 + 128) + (128 * 2 + 2);
        Assert.Equal(expected, model.parameter_count());
        Assert.Equal(SumOfParameters(model), model.parameter_count());
        Assert.Equal(new[] { "net.0.weight", "net.0.bias", "net.2.weight" }, model.named_parameters().Select(p => p.name).Take(3));
    }

    [Fact]
    public void Class_conditional_mlp_uses_labels_and_the_null_class_by_default()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = new TimeConditionedMlp(numClasses: 8);
        Assert.Equal(8, model.NullClass);
        var x = randn(16, 2);
        var t = randint(0, 1000, new long[] { 16 });
        var labels = randint(0, 8, new long[] { 16 });
        var conditional = model.call(x, t, labels);
        Assert.Equal(new long[] { 16, 2 }, conditional.shape);
        var implicitNull = model.call(x, t);
        var explicitNull = model.call(x, t, full(new long[] { 16 }, 8, int64));
        Assert.Equal(explicitNull.data<float>().ToArray(), implicitNull.data<float>().ToArray());
        Assert.NotEqual(conditional.data<float>().ToArray(), implicitNull.data<float>().ToArray());
        Assert.Equal(SumOfParameters(model), model.parameter_count());
        Assert.Equal(9 * 64, model.parameter_count() - new TimeConditionedMlp().parameter_count());
        Assert.Throws<ArgumentOutOfRangeException>(() => model.call(x, t, full(new long[] { 16 }, 9, int64)));
    }

    [Fact]
    public void Unet_for_fashion_mnist_keeps_the_image_shape_with_and_without_classes()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
        Randomize(model, 3);
        var x = randn(4, 1, 28, 28);
        var t = tensor(new long[] { 0, 10, 500, 999 });
        var y = model.call(x, t, tensor(new long[] { 0, 3, 9, 10 }));
        Assert.Equal(new long[] { 4, 1, 28, 28 }, y.shape);
        Assert.Equal(new long[] { 4, 1, 28, 28 }, model.call(x, t).shape);
        Assert.Equal(10, model.NullClass);
        Assert.Equal(SumOfParameters(model), model.parameter_count());
        Assert.Contains(model.named_modules(), m => m.module is AttentionBlock);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void Unet_for_32x32_colour_images_keeps_the_image_shape()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new UNet(UNetConfig.ForCifar());
        var y = model.call(randn(2, 3, 32, 32), tensor(new long[] { 1, 900 }));
        Assert.Equal(new long[] { 2, 3, 32, 32 }, y.shape);
        Assert.Equal(SumOfParameters(model), model.parameter_count());
        Assert.False(model.IsClassConditional);
        Assert.Throws<InvalidOperationException>(() => model.NullClass);
        Assert.Throws<ArgumentException>(() => model.call(randn(2, 3, 32, 32), tensor(new long[] { 1, 2 }), tensor(new long[] { 0, 1 })));
    }

    [Fact]
    public void Unet_rejects_inputs_and_configs_that_cannot_work_with_clear_messages()
    {
        using var scope = NewDisposeScope();
        using var model = new UNet();
        var wrongSize = Assert.Throws<ArgumentException>(() => model.call(randn(2, 1, 32, 32), tensor(new long[] { 1, 2 })));
        Assert.Contains("[batch, 1, 28, 28]", wrongSize.Message);
        Assert.Throws<ArgumentException>(() => model.call(randn(2, 1, 28, 28), tensor(new long[] { 1, 2, 3 })));
        var odd = Assert.Throws<ArgumentException>(() => new UNet(new UNetConfig { ImageSize = 30, ChannelMultipliers = new[] { 1, 2, 2 } }));
        Assert.Contains("divisible", odd.Message);
        Assert.Throws<ArgumentException>(() => new UNet(new UNetConfig { Groups = 5 }));
    }

    [Fact]
    public void Unet_works_as_a_sampler_denoiser()
    {
        using var scope = NewDisposeScope();
        using var model = new UNet(new UNetConfig { BaseChannels = 8, ChannelMultipliers = new[] { 1, 2 }, ImageSize = 8, NumClasses = 2 });
        Denoiser denoiser = model.call;
        Assert.Equal(new long[] { 3, 1, 8, 8 }, denoiser(randn(3, 1, 8, 8), tensor(new long[] { 1, 2, 3 }), null).shape);
    }

    [Fact]
    public void Unet_config_round_trips_through_json()
    {
        var config = UNetConfig.ForCifar(numClasses: 10) with { Dropout = 0.2 };
        var back = UNetConfig.FromJson(config.ToJson());
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(new[] { 1, 2, 2, 2 }, back.ChannelMultipliers);
    }

    [Fact]
    public void Upsample_turns_each_pixel_into_a_2x2_block_before_its_convolution()
    {
        using var scope = NewDisposeScope();
        using var up = new Course.Diffusion.Models.Upsample(3);
        // Make the 3x3 convolution the identity (centre tap 1 on the same channel), so the output
        // is the nearest-neighbour doubling itself.
        using (no_grad())
            foreach (var (name, p) in up.named_parameters())
            {
                p.zero_();
                if (name.EndsWith("weight")) for (int c = 0; c < 3; c++) p.index_put_(1.0, c, c, 1, 1);
            }
        var x = randn(2, 3, 5, 4);
        var doubled = up.call(x);
        Assert.Equal(new long[] { 2, 3, 10, 8 }, doubled.shape);
        float[] input = x.data<float>().ToArray(), output = doubled.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 10; i++)
                    for (int j = 0; j < 8; j++)
                        Assert.Equal(input[((n * 3 + c) * 5 + i / 2) * 4 + j / 2], output[((n * 3 + c) * 10 + i) * 8 + j], 6);
    }

    [Fact]
    public void Attention_block_equals_a_plain_loop_computation()
    {
        using var scope = NewDisposeScope();
        const int batch = 2, channels = 8, heads = 2, groups = 4, height = 3, width = 3, pixels = height * width, d = channels / heads;
        using var block = new AttentionBlock(channels, heads, groups);
        Randomize(block, 5);
        var x = randn(new long[] { batch, channels, height, width }, generator: new Generator(6));
        var y = block.call(x).data<float>().ToArray();

        var p = block.named_parameters().ToDictionary(e => e.name, e => e.parameter.data<float>().ToArray());
        var input = x.data<float>().ToArray();
        double[] gamma = p["norm.weight"].Select(v => (double)v).ToArray(), beta = p["norm.bias"].Select(v => (double)v).ToArray();
        float[] wqkv = p["qkv.weight"], bqkv = p["qkv.bias"], wproj = p["projection.weight"], bproj = p["projection.bias"];
        for (int b = 0; b < batch; b++)
        {
            double X(int c, int q) => input[(b * channels + c) * pixels + q];
            // GroupNorm (Wu & He 2018): biased variance over each group's channels and pixels, eps 1e-5.
            var normalized = new double[channels, pixels];
            int perGroup = channels / groups;
            for (int g = 0; g < groups; g++)
            {
                double mean = 0, sq = 0; int n = perGroup * pixels;
                for (int c = g * perGroup; c < (g + 1) * perGroup; c++) for (int q = 0; q < pixels; q++) mean += X(c, q);
                mean /= n;
                for (int c = g * perGroup; c < (g + 1) * perGroup; c++) for (int q = 0; q < pixels; q++) sq += (X(c, q) - mean) * (X(c, q) - mean);
                double std = Math.Sqrt(sq / n + 1e-5);
                for (int c = g * perGroup; c < (g + 1) * perGroup; c++) for (int q = 0; q < pixels; q++)
                    normalized[c, q] = (X(c, q) - mean) / std * gamma[c] + beta[c];
            }
            // 1x1 convolution to q, k, v.
            var qkv = new double[3 * channels, pixels];
            for (int o = 0; o < 3 * channels; o++) for (int q = 0; q < pixels; q++)
            {
                double s = bqkv[o];
                for (int c = 0; c < channels; c++) s += wqkv[o * channels + c] * normalized[c, q];
                qkv[o, q] = s;
            }
            // Per head: softmax(qᵀk/√d) v.
            var attended = new double[channels, pixels];
            for (int h = 0; h < heads; h++)
                for (int q = 0; q < pixels; q++)
                {
                    var scores = new double[pixels];
                    for (int k = 0; k < pixels; k++)
                    {
                        double s = 0;
                        for (int j = 0; j < d; j++) s += qkv[h * d + j, q] * qkv[channels + h * d + j, k];
                        scores[k] = s / Math.Sqrt(d);
                    }
                    double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                    for (int j = 0; j < d; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < pixels; k++) s += Math.Exp(scores[k] - max) / total * qkv[2 * channels + h * d + j, k];
                        attended[h * d + j, q] = s;
                    }
                }
            // Output projection and residual.
            for (int o = 0; o < channels; o++) for (int q = 0; q < pixels; q++)
            {
                double s = bproj[o];
                for (int c = 0; c < channels; c++) s += wproj[o * channels + c] * attended[c, q];
                double expected = X(o, q) + s;
                Assert.Equal(expected, y[(b * channels + o) * pixels + q], 1e-4);
            }
        }
    }

    [Fact]
    public void Every_group_norm_of_a_fresh_model_starts_at_scale_one_and_shift_zero()
    {
        // PyTorch's initial values; TorchSharp 0.107's nn.GroupNorm leaves them uninitialised (Normalization.GroupNorm).
        using var scope = NewDisposeScope();
        using var unet = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
        using var decoder = new Course.Diffusion.Generative.ImageDecoder(latentDimension: 8, channels: 1, imageSize: 28, width: 16);
        var norms = unet.named_modules().Concat(decoder.named_modules()).Where(m => m.Item2 is TorchSharp.Modules.GroupNorm).ToList();
        Assert.True(norms.Count >= 10, $"found only {norms.Count} GroupNorm layers");
        foreach (var (name, module) in norms)
        {
            var norm = (TorchSharp.Modules.GroupNorm)module;
            Assert.True(norm.weight!.data<float>().ToArray().All(v => v == 1), $"{name}.weight should start at 1");
            Assert.True(norm.bias!.data<float>().ToArray().All(v => v == 0), $"{name}.bias should start at 0");
        }
    }

    [Fact]
    public void Fresh_attention_and_residual_blocks_start_as_the_identity()
    {
        // Ho et al.'s zero-initialised output convolutions: a new block passes its input through.
        using var scope = NewDisposeScope();
        using var attention = new AttentionBlock(8, 1, 4);
        using var residual = new ResidualBlock(8, 8, 16, 0.0, 4);
        var x = randn(2, 8, 4, 4);
        Assert.Equal(x.data<float>().ToArray(), attention.call(x).data<float>().ToArray());
        Assert.Equal(x.data<float>().ToArray(), residual.call(x, randn(2, 16)).data<float>().ToArray());
    }
}

public class ModelFileTests
{
    [Fact]
    public void A_saved_model_and_a_training_checkpoint_load_back_into_the_same_network()
    {
        var file = Path.Combine(Path.GetTempPath(), $"course-model-{Guid.NewGuid():N}.safetensors");
        var checkpoint = Path.Combine(Path.GetTempPath(), $"course-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(30);
            using var model = new UNet(new UNetConfig { ImageSize = 8, BaseChannels = 8, ChannelMultipliers = new[] { 1, 2 }, Groups = 4, NumClasses = 2 });
            using (no_grad()) foreach (var p in model.parameters()) p.normal_(0, 0.2, new Generator(31));
            model.SaveWeights(file);
            using var loaded = ModelFiles.Load(file);
            Assert.IsType<UNet>(loaded);
            Assert.Equal(model.ConfigJson, loaded.ConfigJson);
            var x = randn(2, 1, 8, 8);
            var t = tensor(new long[] { 5, 600 });
            model.eval();
            Assert.Equal(model.call(x, t).data<float>().ToArray(), loaded.call(x, t).data<float>().ToArray());

            using var mlp = new Models.TimeConditionedMlp(hiddenWidth: 16, hiddenLayers: 2, numClasses: 3);
            using var trainer = new Training.DiffusionTrainer(mlp, Schedules.NoiseSchedule.Linear(),
                Training.TrainingData.FromSampler((n, g) => (randn(new[] { n, 2 }, generator: g), randint(0, 3, new[] { n }, generator: g))),
                new Training.TrainingOptions { TotalSteps = 3, BatchSize = 16, CheckpointPath = checkpoint });
            trainer.Train();
            using var fromEma = ModelFiles.Load(checkpoint, useEma: true);
            using var fromRaw = ModelFiles.Load(checkpoint, useEma: false);
            var shadow = trainer.Ema.ShadowByName();
            foreach (var (name, p) in fromEma.named_parameters()) Assert.Equal(shadow[name].data<float>().ToArray(), p.data<float>().ToArray());
            var raw = mlp.named_parameters().ToDictionary(e => e.name, e => e.parameter.data<float>().ToArray());
            foreach (var (name, p) in fromRaw.named_parameters()) Assert.Equal(raw[name], p.data<float>().ToArray());
        }
        finally { File.Delete(file); File.Delete(checkpoint); }
    }
}

/// <summary>
/// The models against their PyTorch twins (fixtures/make_model_fixtures.py): same weights, same
/// inputs, eval mode. Both sides run the same libtorch kernels, so only the order of a few float32
/// operations can differ: the tolerance is 1e-4 of the output's largest magnitude.
/// </summary>
public class PyTorchTwinTests
{
    static string FixtureFile([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "fixtures", "models.safetensors");

    [Theory]
    [InlineData("mlp")]
    [InlineData("unet_small")]
    [InlineData("unet_rgb")]
    public void Model_output_equals_its_pytorch_twin(string name)
    {
        var path = FixtureFile();
        using var scope = NewDisposeScope();
        var configs = System.Text.Json.JsonDocument.Parse(Safetensors.ReadMetadata(path)["configs"]).RootElement;
        var config = configs.GetProperty(name).GetRawText();
        using DenoisingModel model = name == "mlp"
            ? ModelFiles.Create(nameof(TimeConditionedMlp), config)
            : new UNet(UNetConfig.FromJson(config));
        var all = Safetensors.Load(path);
        var prefix = name + ".weights.";
        model.load_state_dict(all.Where(kv => kv.Key.StartsWith(prefix)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value), strict: true);
        model.eval();
        var output = model.call(all[name + ".x"], all[name + ".t"], all.GetValueOrDefault(name + ".labels"));
        var expected = all[name + ".output"];
        Assert.Equal(expected.shape, output.shape);
        double scale = expected.abs().max().ToSingle();
        double error = (output - expected).abs().max().ToSingle();
        Assert.True(scale > 0.01, $"{name}: the reference output is (nearly) zero, which would test nothing");
        Assert.True(error <= 1e-4 * scale, $"{name}: largest difference {error:g3} for outputs up to {scale:g3}");
    }
}

public class ModelDescriptionTests
{
    [Fact]
    public void Models_describe_their_shape_and_parameter_count()
    {
        using var mlp = new TimeConditionedMlp();
        Assert.StartsWith("TimeConditionedMlp(data=2, hidden=128x3, time_embedding=64, 41,858 parameters)", mlp.ToString());
        using var unet = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
        Assert.StartsWith($"UNet(1x28x28, base=32, mults=(1, 2, 2), classes=10+null, {unet.parameter_count().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters)", unet.ToString());
    }
}

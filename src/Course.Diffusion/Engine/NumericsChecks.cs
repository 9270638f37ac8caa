using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion;

/// <summary>
/// The checks <see cref="EngineNumericsCheck"/> runs: each builds small random inputs (float32
/// values, so both sides start from the same numbers), runs the engine's operation with autograd on
/// L = Σ output ⊙ g, and pairs every engine result with <see cref="ReferenceOperations"/>' double
/// result. Shapes follow the models: the Fashion-MNIST UNet (32 and 64 channels at 28, 14 and 7
/// pixels; 3x3 convolutions of stride 1 and 2, 1x1 skips, attention at 7x7, GroupNorm of 8 groups,
/// nearest upsampling) and the VAE/GAN (4x4 convolutions of stride 2).
/// </summary>
internal static class NumericsChecks
{
    internal delegate List<(string Name, float[] Engine, double[] Reference)> Check(Device device, Random random);

    internal static readonly Check[] All =
    {
        // The Fashion-MNIST UNet: input and output convolutions, residual blocks, skips, downsampling.
        (d, r) => Conv(d, r, batch: 2, inChannels: 1, size: 28, outChannels: 32, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 32, size: 28, outChannels: 1, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 32, size: 14, outChannels: 32, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 64, size: 7, outChannels: 64, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 32, size: 14, outChannels: 32, kernel: 3, stride: 2, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 32, size: 7, outChannels: 64, kernel: 1, stride: 1, padding: 0),
        // The VAE's and GAN's strided 4x4 convolutions.
        (d, r) => Conv(d, r, batch: 2, inChannels: 16, size: 14, outChannels: 32, kernel: 4, stride: 2, padding: 1),
        // Channel counts a learner may choose that are not multiples of 16: oneDNN pads them inside its
        // blocked layouts, where the Zen 5 bug lives; it strikes at random, so each is drawn twice.
        (d, r) => Conv(d, r, batch: 2, inChannels: 8, size: 12, outChannels: 8, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 8, size: 12, outChannels: 8, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 24, size: 7, outChannels: 24, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 24, size: 7, outChannels: 24, kernel: 3, stride: 1, padding: 1),
        (d, r) => Conv(d, r, batch: 2, inChannels: 3, size: 14, outChannels: 8, kernel: 3, stride: 1, padding: 1),
        (d, r) => ConvTranspose(d, r, batch: 2, inChannels: 16, size: 7, outChannels: 8, kernel: 4, stride: 2, padding: 1),
        Linear, BatchMatrixProduct, Softmax, Silu, GroupNorm, UpsampleNearest,
    };

    static List<(string, float[], double[])> Conv(Device device, Random random, int batch, int inChannels, int size,
        int outChannels, int kernel, int stride, int padding)
    {
        var name = $"conv2d {kernel}x{kernel} stride {stride} ({inChannels}→{outChannels} channels, {size}x{size})";
        var x = Draw(random, batch * inChannels * size * size);
        var w = Draw(random, outChannels * inChannels * kernel * kernel, 1 / Math.Sqrt(inChannels * kernel * kernel));
        var b = Draw(random, outChannels);
        var (xt, wt, bt) = (Leaf(x, device, batch, inChannels, size, size),
                            Leaf(w, device, outChannels, inChannels, kernel, kernel), Leaf(b, device, outChannels));
        var y = nn.functional.conv2d(xt, wt, bt, new long[] { stride, stride }, new long[] { padding, padding },
                                     new long[] { 1, 1 }, 1);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.Conv2d(x.Exact, batch, inChannels, size, size, w.Exact, b.Exact, outChannels,
                                               kernel, stride, padding, g);
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX),
                       ($"{name}: d weight", Read(wt.grad!), exact.DW), ($"{name}: d bias", Read(bt.grad!), exact.DB) };
    }

    static List<(string, float[], double[])> ConvTranspose(Device device, Random random, int batch, int inChannels,
        int size, int outChannels, int kernel, int stride, int padding)
    {
        var name = $"conv_transpose2d {kernel}x{kernel} stride {stride} ({inChannels}→{outChannels} channels, {size}x{size})";
        var x = Draw(random, batch * inChannels * size * size);
        var w = Draw(random, inChannels * outChannels * kernel * kernel, 1 / Math.Sqrt(inChannels * kernel * kernel));
        var (xt, wt) = (Leaf(x, device, batch, inChannels, size, size), Leaf(w, device, inChannels, outChannels, kernel, kernel));
        var y = nn.functional.conv_transpose2d(xt, wt, null, new long[] { stride, stride }, new long[] { padding, padding },
                                               new long[] { 0, 0 }, new long[] { 1, 1 }, 1);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.ConvTranspose2d(x.Exact, batch, inChannels, size, size, w.Exact, outChannels,
                                                        kernel, stride, padding, g);
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX),
                       ($"{name}: d weight", Read(wt.grad!), exact.DW) };
    }

    static List<(string, float[], double[])> Linear(Device device, Random random)
    {
        const int rows = 16, inputs = 64, outputs = 128;
        var (x, w, b) = (Draw(random, rows * inputs), Draw(random, outputs * inputs, 0.125), Draw(random, outputs));
        var (xt, wt, bt) = (Leaf(x, device, rows, inputs), Leaf(w, device, outputs, inputs), Leaf(b, device, outputs));
        var y = nn.functional.linear(xt, wt, bt);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.Linear(x.Exact, rows, inputs, w.Exact, b.Exact, outputs, g);
        const string name = "linear (64→128, 16 rows)";
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX),
                       ($"{name}: d weight", Read(wt.grad!), exact.DW), ($"{name}: d bias", Read(bt.grad!), exact.DB) };
    }

    static List<(string, float[], double[])> BatchMatrixProduct(Device device, Random random)
    {
        const int batch = 2, m = 49, k = 32, n = 49;
        var (a, b) = (Draw(random, batch * m * k), Draw(random, batch * k * n));
        var (at, bt) = (Leaf(a, device, batch, m, k), Leaf(b, device, batch, k, n));
        var y = at.bmm(bt);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.BatchMatrixProduct(a.Exact, b.Exact, batch, m, k, n, g);
        const string name = "bmm ([2, 49, 32] x [2, 32, 49], attention at 7x7)";
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d left", Read(at.grad!), exact.DA),
                       ($"{name}: d right", Read(bt.grad!), exact.DB) };
    }

    static List<(string, float[], double[])> Softmax(Device device, Random random)
    {
        const int rows = 98, width = 49;
        var x = Draw(random, rows * width, 3);
        var xt = Leaf(x, device, rows, width);
        var y = xt.softmax(-1);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.Softmax(x.Exact, rows, width, g);
        const string name = "softmax (98 rows of 49)";
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX) };
    }

    static List<(string, float[], double[])> Silu(Device device, Random random)
    {
        var x = Draw(random, 2 * 32 * 14 * 14, 3);
        var xt = Leaf(x, device, 2, 32, 14, 14);
        var y = nn.functional.silu(xt);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.Silu(x.Exact, g);
        return new() { ("SiLU: output", Read(y), exact.Y), ("SiLU: d input", Read(xt.grad!), exact.DX) };
    }

    static List<(string, float[], double[])> GroupNorm(Device device, Random random)
    {
        const int batch = 2, channels = 32, size = 14, groups = 8;
        var x = Draw(random, batch * channels * size * size, 2);
        var (gamma, beta) = (Draw(random, channels), Draw(random, channels));
        var (xt, gt, bt) = (Leaf(x, device, batch, channels, size, size), Leaf(gamma, device, channels), Leaf(beta, device, channels));
        var y = nn.functional.group_norm(xt, groups, gt, bt, 1e-5);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.GroupNorm(x.Exact, batch, channels, size * size, groups, gamma.Exact, beta.Exact, 1e-5, g);
        const string name = "group_norm (8 groups of 32 channels, 14x14)";
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX),
                       ($"{name}: d weight", Read(gt.grad!), exact.DGamma), ($"{name}: d bias", Read(bt.grad!), exact.DBeta) };
    }

    static List<(string, float[], double[])> UpsampleNearest(Device device, Random random)
    {
        const int batch = 2, channels = 16, size = 7;
        var x = Draw(random, batch * channels * size * size);
        var xt = Leaf(x, device, batch, channels, size, size);
        var y = nn.functional.interpolate(xt, null, new[] { 2.0, 2.0 }, InterpolationMode.Nearest);
        var g = Backward(y, random, device);
        var exact = ReferenceOperations.UpsampleNearest2x(x.Exact, batch * channels, size, size, g);
        const string name = "interpolate nearest x2 (16 channels, 7x7)";
        return new() { ($"{name}: output", Read(y), exact.Y), ($"{name}: d input", Read(xt.grad!), exact.DX) };
    }

    /// <summary>Standard normal values, scaled, rounded to float32 (so both sides see the same numbers).</summary>
    static (float[] Values, double[] Exact) Draw(Random random, int count, double scale = 1)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var (u, v) = (1 - random.NextDouble(), random.NextDouble());
            values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return (values, Array.ConvertAll(values, f => (double)f));
    }

    static Tensor Leaf((float[] Values, double[] Exact) data, Device device, params long[] shape) =>
        tensor(data.Values, shape).to(device).requires_grad_(true);

    /// <summary>Backpropagates L = Σ y ⊙ g for a random g, and returns g (as the reference sees it).</summary>
    static double[] Backward(Tensor y, Random random, Device device)
    {
        var g = Draw(random, (int)y.numel());
        (y * tensor(g.Values, y.shape).to(device)).sum().backward();
        return g.Exact;
    }

    static float[] Read(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
}

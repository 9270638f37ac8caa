// conv2d's gradient with respect to its input, from TorchSharp (libtorch's autograd), against a
// naive loop in double precision. Prints the CPU, the oneDNN settings in the environment, and the
// largest error for each case. Exit code 1 when any case is wrong. Standalone: TorchSharp 0.107.0
// and libtorch-cpu-linux-x64 2.10.0 from NuGet, nothing of the course.
using TorchSharp;
using static TorchSharp.torch;

string Field(string key) => File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith(key)).Split(':', 2)[1].Trim();
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch {__version__}");
Console.WriteLine($"CPU: {Field("model name")}, cpu family {Field("cpu family")}, model {Field("model\t")}");
foreach (var name in new[] { "DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS" })
    Console.WriteLine($"{name}={Environment.GetEnvironmentVariable(name) ?? "(unset)"}");

// Channel counts that are multiples of 16 fill oneDNN's 16-wide blocks; the others are padded.
// The error comes and goes from run to run, so each case runs five times.
var wrong = false;
manual_seed(1);
foreach (var (channels, size, stride) in new[] { (1, 28, 1), (8, 12, 1), (24, 7, 1), (16, 12, 1), (32, 14, 1), (64, 7, 1), (8, 12, 2) })
{
    var (wrongRuns, worst, largest) = (0, 0.0, 0.0);
    for (var run = 0; run < 5; run++)
    {
        var input = randn(2, channels, size, size).requires_grad_(true);
        var weight = randn(channels, channels, 3, 3) * 0.1;
        var output = nn.functional.conv2d(input, weight, strides: new long[] { stride, stride }, padding: new long[] { 1, 1 });
        var upstream = randn(output.shape);
        (output * upstream).sum().backward();
        var expected = NaiveInputGradient(input.detach(), weight, upstream, stride);
        var error = (input.grad!.to_type(ScalarType.Float64) - expected).abs().max().item<double>();
        var scale = expected.abs().max().item<double>();
        if (error > 1e-4 * Math.Max(1, scale)) wrongRuns++;
        (worst, largest) = (Math.Max(worst, error), Math.Max(largest, scale));
    }
    wrong |= wrongRuns > 0;
    Console.WriteLine($"conv2d 3x3, batch 2, {channels,2} channels, {size,2}x{size,-2}, stride {stride}, padding 1: "
        + $"d input wrong in {wrongRuns} of 5 runs; max |error| {worst:G3} (values up to {largest:G3})");
}
return wrong ? 1 : 0;

// dL/dx[n,c,y,x] = sum over k,i,j of w[k,c,i,j] * g[n,k,oy,ox] where y = oy*stride - 1 + i.
static Tensor NaiveInputGradient(Tensor x, Tensor w, Tensor g, int stride)
{
    var (n, c, h, wd) = ((int)x.shape[0], (int)x.shape[1], (int)x.shape[2], (int)x.shape[3]);
    var (k, oh, ow) = ((int)g.shape[1], (int)g.shape[2], (int)g.shape[3]);
    var wv = w.to_type(ScalarType.Float64).data<double>().ToArray();
    var gv = g.to_type(ScalarType.Float64).data<double>().ToArray();
    var dx = new double[n * c * h * wd];
    for (var b = 0; b < n; b++)
    for (var o = 0; o < k; o++)
    for (var oy = 0; oy < oh; oy++)
    for (var ox = 0; ox < ow; ox++)
    {
        var gval = gv[((b * k + o) * oh + oy) * ow + ox];
        for (var ci = 0; ci < c; ci++)
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
        {
            int y = oy * stride - 1 + i, xx = ox * stride - 1 + j;
            if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
            dx[((b * c + ci) * h + y) * wd + xx] += wv[((o * c + ci) * 3 + i) * 3 + j] * gval;
        }
    }
    return tensor(dx, new long[] { n, c, h, wd });
}

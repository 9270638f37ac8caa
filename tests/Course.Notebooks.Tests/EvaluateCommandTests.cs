using System.Globalization;
using System.Text.Json;
using Course.Notebooks.Cli;
using Course.Testing;

namespace Course.Notebooks.Tests;

/// <summary>
/// The <c>evaluate</c> command end to end, on real Fashion-MNIST training images written out by numpy: PyTorch rebuilds
/// the classifier from the shipped safetensors file and recomputes the features, the classes and every metric from the
/// written features; the PNG form of the same images gives the same numbers; bad input is one message and exit code 2.
/// Needs lib/ and notebooks/checkpoints/fashion-mnist-classifier.safetensors.
/// </summary>
public class EvaluateCommandTests
{
    const int N = 300;

    static string Root => CourseNotebookTests.RepositoryRoot();

    static async Task<(int Code, string Output, string Error)> Evaluate(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var options = EvaluateCommand.Parse(args.Concat(new[] { "--lib", Path.Combine(Root, "lib"),
            "--classifier", Path.Combine(Root, "notebooks/checkpoints/fashion-mnist-classifier.safetensors") }).ToArray());
        int code = await EvaluateCommand.RunAsync(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>N training images 1000 … 1000 + N (uint8 .npy and PNGs) and their labels, by numpy and PIL from Debian's files.</summary>
    static void WriteSamples(TempDir dir) => Python.Run("""
import sys, gzip, numpy as np
from PIL import Image
d, n = sys.argv[1], int(sys.argv[2])
root = '/usr/share/datasets/fashion-mnist/'
images = np.frombuffer(gzip.open(root + 'train-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28)[1000:1000 + n]
labels = np.frombuffer(gzip.open(root + 'train-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)[1000:1000 + n].astype(np.int64)
np.save(d + '/samples.npy', images)
np.save(d + '/labels.npy', labels)
import os; os.makedirs(d + '/png')
for i, im in enumerate(images): Image.fromarray(im, mode='L').save(d + '/png/%04d.png' % i)
""", dir.Path, N.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task EvaluateAgreesWithPyTorchAndNumpyOnTheSameImagesAndFeatures()
    {
        using var dir = new TempDir();
        WriteSamples(dir);
        var (code, output, error) = await Evaluate(dir.File("samples.npy"), "--labels", dir.File("labels.npy"), "--json",
            "--features-out", dir.File("features.npz"));
        Assert.True(code == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var json = JsonDocument.Parse(lines[^1]);
        var r = json.RootElement;
        Assert.Equal(N, r.GetProperty("n").GetInt64());
        Assert.Equal(10000, r.GetProperty("reference_n").GetInt64());
        Assert.Equal(N, r.GetProperty("floor").GetProperty("n").GetInt64());
        Assert.Contains("FID", output);

        // PyTorch: the classifier from the safetensors file (read with numpy), run on the same uint8 images; numpy: the
        // metrics from the written features (KID over the whole sets, against which the subset mean has its spread)
        const string script = """
import sys, json, struct, numpy as np, torch
d, checkpoint = sys.argv[1], sys.argv[2]
raw = open(checkpoint, 'rb').read()
size = struct.unpack('<Q', raw[:8])[0]; header = json.loads(raw[8:8 + size])
state = {k: torch.from_numpy(np.frombuffer(raw[8 + size + v['data_offsets'][0]: 8 + size + v['data_offsets'][1]],
         dtype={'F32': np.float32, 'I64': np.int64}[v['dtype']]).reshape(v['shape']).copy())
         for k, v in header.items() if k != '__metadata__'}
nn = torch.nn
def block(i, o): return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
body = nn.Sequential(*block(1, 32), *block(32, 64), *block(64, 128), nn.Flatten(), nn.Linear(1152, 128), nn.ReLU())
head = nn.Linear(128, 10)
mapping = {}
for torch_index, ours in ((0, 'conv1'), (4, 'conv2'), (8, 'conv3')):
    mapping['%d.weight' % torch_index] = ours + '.weight'
    for s in ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'):
        mapping['%d.%s' % (torch_index + 1, s)] = ours.replace('conv', 'norm') + '.' + s
mapping['13.weight'] = 'hidden.weight'; mapping['13.bias'] = 'hidden.bias'
result = body.load_state_dict({k: state[v] for k, v in mapping.items() if v in state}, strict=False)
assert not result.unexpected_keys and all(k.endswith('num_batches_tracked') for k in result.missing_keys), result
head.load_state_dict({'weight': state['head.weight'], 'bias': state['head.bias']})
body.eval(); head.eval()
x = torch.from_numpy(np.load(d + '/samples.npy')).float().div(127.5).sub(1).unsqueeze(1)
with torch.no_grad(): f = body(x); predicted = head(f).argmax(1).numpy()
z = np.load(d + '/features.npz'); s, r = z['samples'].astype(np.float64), z['reference'].astype(np.float64)
labels = np.load(d + '/labels.npy')
m1, m2, c1, c2 = s.mean(0), r.mean(0), np.cov(s, rowvar=False), np.cov(r, rowvar=False)
fid = ((m1 - m2) ** 2).sum() + np.trace(c1) + np.trace(c2) - 2 * np.sqrt(np.clip(np.linalg.eigvals(c1 @ c2).real, 0, None)).sum()
k = lambda a, b: (a @ b.T / a.shape[1] + 1) ** 3
n, m = len(s), len(r)
kss, kxy = k(s, s), k(s, r)
krr_sum = sum(k(r[i:i + 2000], r).sum() for i in range(0, m, 2000)); krr_diag = ((r * r).sum(1) / r.shape[1] + 1) ** 3
mmd = (kss.sum() - np.trace(kss)) / (n * (n - 1)) + (krr_sum - krr_diag.sum()) / (m * (m - 1)) - 2 * kxy.mean()
def sq(a, b): return np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0)
def radii(a): return np.concatenate([np.sort(sq(a[i:i + 1000], a), axis=1)[:, 3] for i in range(0, len(a), 1000)])
rs, rr = radii(s), radii(r)
dsr = sq(s, r)
print(json.dumps(dict(feature_gap=float(np.abs(f.numpy() - z['samples']).max()), feature_scale=float(np.abs(f.numpy()).max()),
    accuracy=float((predicted == labels).mean()), fid=float(fid), kid_whole=float(mmd),
    precision=float((dsr <= rr[None, :]).any(1).mean()), recall=float((dsr <= rs[:, None]).any(0).mean()),
    shapes=[list(z['samples'].shape), list(z['reference'].shape)])))
""";
        var reference = JsonDocument.Parse(Python.Run(script, dir.Path,
            Path.Combine(Root, "notebooks/checkpoints/fashion-mnist-classifier.safetensors"))).RootElement;
        double Get(JsonElement e, string name) => e.GetProperty(name).GetDouble();
        var shapes = reference.GetProperty("shapes");
        Assert.Equal((N, 128, 10000, 128), (shapes[0][0].GetInt32(), shapes[0][1].GetInt32(), shapes[1][0].GetInt32(), shapes[1][1].GetInt32()));
        Assert.True(Get(reference, "feature_gap") <= 1e-4 * Get(reference, "feature_scale"),
            $"features differ from PyTorch's by {Get(reference, "feature_gap")} (scale {Get(reference, "feature_scale")})");
        Assert.Equal(Get(reference, "accuracy"), Get(r, "accuracy"), 12);
        Assert.True(Get(r, "accuracy") > 0.9, $"accuracy on real training images {Get(r, "accuracy")}");
        Assert.True(Math.Abs(Get(r, "fid") - Get(reference, "fid")) <= 1e-6 * Get(reference, "fid"), $"FID {Get(r, "fid")} vs numpy {Get(reference, "fid")}");
        Assert.Equal(Get(reference, "precision"), Get(r, "precision"), 12);
        Assert.Equal(Get(reference, "recall"), Get(r, "recall"), 12);
        // subsets of N samples (all of them) and N of the 10,000 reference images: the mean estimates the same MMD²
        Assert.True(Math.Abs(Get(r, "kid") - Get(reference, "kid_whole")) <= 4 * Get(r, "kid_std"),
            $"KID {Get(r, "kid")} ± {Get(r, "kid_std")} vs MMD² of the whole sets {Get(reference, "kid_whole")}");

        // the same pixels as PNG files: the same numbers
        var (pngCode, pngOutput, pngError) = await Evaluate(dir.File("png"), "--labels", dir.File("labels.npy"), "--json");
        Assert.True(pngCode == 0, pngOutput + pngError);
        Assert.Equal(lines[^1], pngOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task BadInputIsOneMessageAndExitCode2()
    {
        using var dir = new TempDir();
        Python.Run("""
import sys, numpy as np
d = sys.argv[1]
np.save(d + '/float.npy', np.zeros((8, 28, 28), dtype=np.float32))
np.save(d + '/ok.npy', np.zeros((8, 28, 28), dtype=np.uint8))
np.save(d + '/labels.npy', np.zeros(5, dtype=np.int64))
""", dir.Path);
        async Task Refused(string expected, params string[] args)
        {
            var (code, output, error) = await Evaluate(args);
            Assert.True(code == 2, $"exit code {code}\n{output}\n{error}");
            var message = error.Trim();
            Assert.DoesNotContain('\n', message);
            Assert.Contains(expected, message);
        }
        await Refused("samples must be uint8", dir.File("float.npy"));
        await Refused("has 5 labels but there are 8 images", dir.File("ok.npy"), "--labels", dir.File("labels.npy"));
        await Refused("no such file or folder", dir.File("nothing-here.npy"));
        Assert.Throws<ArgumentException>(() => EvaluateCommand.Parse(["a.npy", "--features-out", "f.json"]));
        Assert.Throws<ArgumentException>(() => EvaluateCommand.Parse(["--json"]));
        Assert.Equal(2, await CourseCommand.MainAsync(["evaluate", "a.npy", "--bogus"]));
    }
}

using System.Globalization;
using System.Text.Json;
using Course.Notebooks.Cli;
using Course.Testing;

namespace Course.Notebooks.Tests;

/// <summary>
/// The <c>train-live</c> command end to end with a budget of seconds: the files it promises (samples, labels, EMA
/// weights, training checkpoint) with their shapes, types and contents checked by numpy and PyTorch (the weights load
/// into the PyTorch twin of the CompactUNet with every name and shape matching), and a resumed run that continues
/// from the checkpoint. Needs lib/.
/// </summary>
public class TrainLiveCommandTests
{
    static string Root => CourseNotebookTests.RepositoryRoot();

    static async Task<(int Code, string Output, string Error)> TrainLive(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var options = TrainLiveCommand.Parse(args.Concat(new[] { "--lib", Path.Combine(Root, "lib") }).ToArray());
        int code = await TrainLiveCommand.RunAsync(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    static long StepOf(string output) => long.Parse(System.Text.RegularExpressions.Regex.Match(output, @"trained: (\d+) steps").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_short_run_writes_samples_labels_weights_and_a_checkpoint_that_resumes()
    {
        using var dir = new TempDir();
        var (code, output, error) = await TrainLive("--minutes", "0.05", "--out", dir.Path, "--per-class", "3", "--seed", "4");
        Assert.True(code == 0, output + error);
        Assert.Contains("first 30 samples (3 per class", output);
        long steps = StepOf(output);
        Assert.True(steps >= 1, output);
        foreach (var f in new[] { "samples.npy", "labels.npy", "model.safetensors", "training.safetensors" })
            Assert.True(File.Exists(dir.File(f)), $"{f} is missing:\n{output}");
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

        // numpy: the arrays evaluate reads; PyTorch: the weights in the twin, the checkpoint's contents.
        var twin = Path.Combine(Root, "tests", "Course.Diffusion.Tests", "fixtures");
        var report = Python.Run("""
import sys, json, numpy as np, torch
d, twin = sys.argv[1], sys.argv[2]
sys.path.insert(0, twin)
from compact_unet_twin import read_safetensors, from_config_json
s, l = np.load(d + '/samples.npy'), np.load(d + '/labels.npy')
w, meta = read_safetensors(d + '/model.safetensors')
model = from_config_json(meta['model_config'])
model.load_state_dict(w, strict=True)
with torch.no_grad():
    out = model(torch.zeros(2, 1, 28, 28), torch.tensor([10, 900]), torch.tensor([3, 10]))
ck, ckmeta = read_safetensors(d + '/training.safetensors')
print(json.dumps({'samples': [str(s.dtype), list(s.shape)], 'labels': [str(l.dtype), l.tolist()],
    'pixels': [int(s.min()), int(s.max()), float(s.std())], 'type': meta['model_type'], 'finite': bool(torch.isfinite(out).all()),
    'step': int(ckmeta['step']), 'format': ckmeta['format'], 'time': float(ckmeta['training_time_s']),
    'ema': sum(k.startswith('ema.') for k in ck), 'model': sum(k.startswith('model.') for k in ck), 'weights': len(w)}))
""", dir.Path, twin);
        using var json = JsonDocument.Parse(report);
        var r = json.RootElement;
        Assert.Equal("uint8", r.GetProperty("samples")[0].GetString());
        Assert.Equal(new[] { 30, 28, 28 }, r.GetProperty("samples")[1].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("int64", r.GetProperty("labels")[0].GetString());
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(c => Enumerable.Repeat((long)c, 3)), r.GetProperty("labels")[1].EnumerateArray().Select(e => e.GetInt64()));
        Assert.True(r.GetProperty("pixels")[2].GetDouble() > 1, "the samples are one flat colour");
        Assert.Equal("CompactUNet", r.GetProperty("type").GetString());
        Assert.True(r.GetProperty("finite").GetBoolean());
        Assert.Equal(steps, r.GetProperty("step").GetInt64());
        Assert.Equal("course-diffusion-checkpoint/1", r.GetProperty("format").GetString());
        Assert.True(r.GetProperty("time").GetDouble() > 0);
        Assert.Equal(r.GetProperty("weights").GetInt32(), r.GetProperty("model").GetInt32());
        Assert.Equal(r.GetProperty("weights").GetInt32(), r.GetProperty("ema").GetInt32());

        // Resuming: --minutes is now the total training time, so a larger one trains on from the checkpoint.
        double trained = r.GetProperty("time").GetDouble();
        string total = ((trained + 2) / 60).ToString("R", CultureInfo.InvariantCulture);
        var (code2, output2, error2) = await TrainLive("--minutes", total, "--out", dir.Path, "--per-class", "1", "--resume", "--seed", "4");
        Assert.True(code2 == 0, output2 + error2);
        Assert.Contains($"resumed from {dir.File("training.safetensors")} at step {steps}", output2);
        Assert.True(StepOf(output2) > steps, output2);
    }

    [Fact]
    public async Task Bad_usage_is_one_message_and_exit_code_2()
    {
        var error = Console.Error;
        Assert.Equal(2, await CourseCommand.MainAsync(["train-live", "--minutes", "1"]));                 // no --out
        Assert.Equal(2, await CourseCommand.MainAsync(["train-live", "--minutes", "soon", "--out", "/tmp/x"]));
        Assert.Equal(2, await CourseCommand.MainAsync(["train-live", "--minutes", "-1", "--out", "/tmp/x"]));
        Assert.Equal(2, await CourseCommand.MainAsync(["train-live", "--out", "/tmp/x", "--frobnicate"]));
        Assert.Equal(0, await CourseCommand.MainAsync(["train-live", "--help"]));
        using var dir = new TempDir();
        var (code, _, message) = await TrainLive("--minutes", "1", "--out", dir.Path, "--resume");
        Assert.Equal(2, code);
        Assert.Contains("no training checkpoint", message);
        File.WriteAllText(dir.File("file"), "");
        Assert.Equal(2, (await TrainLive("--out", dir.File("file"))).Code);
        Assert.Same(error, Console.Error);
    }
}

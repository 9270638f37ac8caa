// The image metrics at the scale of the field's convention: 10,000 samples against the 10,000 Fashion-MNIST test
// images. The "samples" are 10,000 training images (real, disjoint from the test set, so the numbers printed are the
// floor at n = 10,000). Each round times the classifier's features for both sets, then FID, KID (100 subsets of
// 1,000), precision and recall (k = 3); prints one JSON line per round and the medians at the end.
//   dotnet run --project bench/Course.Metrics.Bench -c Release -- [--rounds 5] [--threads N] [--features-out F.npz]
using System.Diagnostics;
using System.Text.Json;
using Course.Data;
using Course.Diffusion.Evaluation;
using Course.Diffusion.Metrics;
using TorchSharp;
using static TorchSharp.torch;

int rounds = 5, threads = 0;
string classifierPath = "notebooks/checkpoints/fashion-mnist-classifier.safetensors";
string? featuresOut = null;
for (int i = 0; i + 1 < args.Length; i += 2)
    switch (args[i])
    {
        case "--rounds": rounds = int.Parse(args[i + 1]); break;
        case "--threads": threads = int.Parse(args[i + 1]); break;
        case "--classifier": classifierPath = args[i + 1]; break;
        case "--features-out": featuresOut = args[i + 1]; break;
        default: throw new ArgumentException($"unknown option {args[i]}; options: --rounds N --threads N --classifier FILE --features-out F.npz");
    }
if (threads > 0) set_num_threads(threads);
Course.Diffusion.LargeTensorMemory.KeepForReuse();   // as the lessons and the command line run
using var classifier = ClassifierFiles.Load(classifierPath);
using var train = FashionMnist.Load(DatasetSplit.Train, limit: 10000);
using var test = FashionMnist.Load(DatasetSplit.Test);
Console.WriteLine(JsonSerializer.Serialize(new { engine = Course.Diffusion.CourseEngine.Describe(), threads = get_num_threads(),
    samples = train.Count, reference = test.Count, cpu = Environment.ProcessorCount }));

var timings = new List<Dictionary<string, double>>();
for (int round = 0; round < rounds; round++)
{
    using var scope = NewDisposeScope();
    var clock = Stopwatch.StartNew();
    double Lap() { double s = clock.Elapsed.TotalSeconds; clock.Restart(); return s; }
    var samples = ClassifierFeatures.Extract(classifier, train.Images);
    var reference = ClassifierFeatures.Extract(classifier, test.Images);
    double features = Lap();
    var fid = FrechetDistance.Between(samples.Features, reference.Features);
    double fidSeconds = Lap();
    var kid = KernelDistance.Between(samples.Features, reference.Features, generator: new Generator(0));
    double kidSeconds = Lap();
    var pr = PrecisionRecall.Between(samples.Features, reference.Features);
    double prSeconds = Lap();
    var t = new Dictionary<string, double>
    {
        ["features_s"] = features, ["fid_s"] = fidSeconds, ["kid_s"] = kidSeconds, ["precision_recall_s"] = prSeconds,
        ["metrics_s"] = fidSeconds + kidSeconds + prSeconds, ["total_s"] = features + fidSeconds + kidSeconds + prSeconds,
    };
    timings.Add(t);
    Console.WriteLine(JsonSerializer.Serialize(new { round, timings = t, fid = fid.Value, kid = kid.Mean, kid_std = kid.StandardDeviation,
        precision = pr.Precision, recall = pr.Recall }));
    if (round == 0 && featuresOut is not null)
        NpyFile.WriteNpz(featuresOut, new Dictionary<string, (float[] Data, long[] Shape)>
        {
            ["samples"] = (samples.Features.data<float>().ToArray(), samples.Features.shape),
            ["reference"] = (reference.Features.data<float>().ToArray(), reference.Features.shape),
        });
    samples.Dispose();
    reference.Dispose();
}
double Median(string key)
{
    var v = timings.Select(t => t[key]).Order().ToArray();
    return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
}
Console.WriteLine(JsonSerializer.Serialize(new { medians = timings[0].Keys.ToDictionary(k => k, Median), rounds }));

using System.Globalization;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>train-classifier</c>.</summary>
public sealed class TrainClassifierOptions
{
    public int Epochs { get; set; } = 12;
    public int Batch { get; set; } = 128;
    public double LearningRate { get; set; } = 3e-3;
    public double WeightDecay { get; set; } = 1e-4;
    public double Dropout { get; set; } = 0.3;
    public double Flip { get; set; } = 0.5;
    public long Seed { get; set; }
    /// <summary>Where the weights go; default notebooks/checkpoints/fashion-mnist-classifier.safetensors.</summary>
    public string Out { get; set; } = "notebooks/checkpoints/fashion-mnist-classifier.safetensors";
    public string Lib { get; set; } = "lib";
}

/// <summary>
/// <c>train-classifier</c>: trains the Fashion-MNIST classifier whose features the image metrics compare (FID, KID,
/// precision and recall) and writes its weights. Like <see cref="TrainFashionCommand"/>, it runs the training as one
/// notebook cell, loading the Course libraries from <c>lib/</c>. Ctrl+C stops it at the next step and saves what it has.
/// </summary>
public static class TrainClassifierCommand
{
    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -c Release -- train-classifier [options]

          --epochs N           passes over the 60,000 training images (default 12)
          --batch B            batch size (default 128)
          --lr LR              AdamW's peak learning rate, one-cycle: 5 % warm-up, then cosine to 0 (default 3e-3)
          --weight-decay W     AdamW's decoupled weight decay (default 1e-4)
          --dropout P          dropout before the class head (default 0.3)
          --flip P             probability of mirroring a training image left-right (default 0.5)
          --seed S             seed of the initialisation, the batches, the mirrors and dropout (default 0)
          --out FILE           the weights (default notebooks/checkpoints/fashion-mnist-classifier.safetensors)
          --lib DIR            folder of the Course libraries (default lib; run `dotnet build -c Release` first)

        It prints progress every 100 steps and the test accuracy after every epoch, and writes the weights when it
        ends (or when stopped with Ctrl+C, at the next step boundary).
        """;

    public static TrainClassifierOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrainClassifierOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            double Number(double min, double max)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min && v <= max))
                    throw new ArgumentException($"{arg} needs a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], not '{text}'");
                return v;
            }
            long Whole(long min, long max = long.MaxValue)
            {
                var text = Value();
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                    throw new ArgumentException($"{arg} needs a whole number in [{min}, {max}], not '{text}'");
                return v;
            }
            switch (arg)
            {
                case "--epochs": o.Epochs = (int)Whole(1, 1000); break;
                case "--batch": o.Batch = (int)Whole(2, 60000); break;
                case "--lr": o.LearningRate = Number(1e-12, 10); break;
                case "--weight-decay": o.WeightDecay = Number(0, 10); break;
                case "--dropout": o.Dropout = Number(0, 0.99); break;
                case "--flip": o.Flip = Number(0, 1); break;
                case "--seed": o.Seed = Whole(0); break;
                case "--out": o.Out = Value(); break;
                case "--lib": o.Lib = Value(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        return o;
    }

    public static async Task<int> RunAsync(TrainClassifierOptions o, TextWriter output, TextWriter error)
    {
        var lib = Path.GetFullPath(o.Lib);
        if (CourseScript.LibrariesMissing(lib, error)) return 2;
        var outPath = Path.GetFullPath(o.Out);
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        return await CourseScript.RunTrainingAsync(Script(o, lib, outPath), output, error).ConfigureAwait(false);
    }

    static string Literal(string s) => CourseScript.Literal(s);

    static string Number(double v) => CourseScript.Number(v);

    /// <summary>The training program, run as one notebook cell so that it sees the libraries exactly as the lessons do.</summary>
    static string Script(TrainClassifierOptions o, string lib, string outPath) => $$"""
        #r {{Literal(Path.Combine(lib, "TorchSharp.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Data.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Diffusion.dll"))}}
        using System.Diagnostics;
        using System.Globalization;
        using System.IO;
        using System.Threading;
        using TorchSharp;
        using static TorchSharp.torch;
        using Course.Data;
        using Course.Diffusion.Evaluation;

        manual_seed({{o.Seed}});
        var train = FashionMnist.Load(DatasetSplit.Train);
        var test = FashionMnist.Load(DatasetSplit.Test);
        var classifier = new FashionClassifier(dropout: {{Number(o.Dropout)}});
        var options = new ClassifierTrainingOptions(Epochs: {{o.Epochs}}, BatchSize: {{o.Batch}}, LearningRate: {{Number(o.LearningRate)}},
            WeightDecay: {{Number(o.WeightDecay)}}, FlipProbability: {{Number(o.Flip)}}, Seed: {{o.Seed}});
        Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images; {nameof(FashionClassifier)}, " +
            $"{classifier.parameters().Sum(p => p.numel()):N0} parameters, features of dimension {FashionClassifier.FeatureDimension}");
        Console.WriteLine($"{options}; libtorch threads {torch.get_num_threads()}");
        var stop = new CancellationTokenSource();   // a script's top level takes no using declaration
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); Console.WriteLine("stopping at the next step ..."); };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        ClassifierTrainingSummary summary;
        try
        {
            summary = ClassifierTraining.Train(classifier, train.Images, train.Labels, test.Images, test.Labels, options,
                new Progress(), stop.Token);
        }
        finally { Console.CancelKeyPress -= onCancel; }
        double accuracy = summary.Cancelled ? ClassifierTraining.Accuracy(classifier, test.Images, test.Labels) : summary.TestAccuracy;
        var metadata = new Dictionary<string, string>
        {
            ["test_accuracy"] = accuracy.ToString("0.0000", CultureInfo.InvariantCulture),
            ["steps"] = summary.Steps.ToString(CultureInfo.InvariantCulture),
            ["epochs_completed"] = summary.EpochsCompleted.ToString(CultureInfo.InvariantCulture),
            ["training_options"] = options.ToString(),
            ["dropout"] = {{Literal(Number(o.Dropout))}},
            ["data"] = "Fashion-MNIST train (60000 images, pixels in [-1, 1]); accuracy on the 10000 test images",
            ["wall_time_s"] = clock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
            ["made_by"] = "dotnet run --project src/Course.Notebooks -c Release -- train-classifier",
        };
        ClassifierFiles.Save(classifier, {{Literal(outPath)}}, metadata);
        Console.WriteLine($"{(summary.Cancelled ? "stopped" : "done")}: {summary.Steps} steps ({summary.EpochsCompleted} whole epochs), " +
            $"test accuracy {accuracy:P2}, wall time {clock.Elapsed:h\\:mm\\:ss}; weights {{outPath.Replace("\\", "\\\\")}} " +
            $"({new FileInfo({{Literal(outPath)}}).Length / 1e6:0.00} MB)");
        classifier.Dispose();
        stop.Dispose();
        train.Dispose();
        test.Dispose();

        class Progress : IProgress<ClassifierTrainingReport>
        {
            public void Report(ClassifierTrainingReport value) => Console.WriteLine(value);
        }
        """;
}

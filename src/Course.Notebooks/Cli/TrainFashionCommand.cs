using System.Globalization;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>train-fashion</c>.</summary>
public sealed class TrainFashionOptions
{
    public long Steps { get; set; } = 6000;
    public int Batch { get; set; } = 64;
    public double LearningRate { get; set; } = 5e-4;
    public long Warmup { get; set; } = 200;
    public int BaseChannels { get; set; } = 32;
    public double Dropout { get; set; } = 0.1;
    /// <summary>Stop (and save) after this many minutes even if <see cref="Steps"/> is not reached.</summary>
    public double? Minutes { get; set; }
    /// <summary>The EMA weights (the file the lessons load).</summary>
    public string Out { get; set; } = "notebooks/checkpoints/fashion-mnist-unet.safetensors";
    /// <summary>The full training checkpoint (weights, EMA, optimizer, generators), for resuming.</summary>
    public string? TrainingCheckpoint { get; set; }
    /// <summary>Write the EMA weights and the training checkpoint every this many steps.</summary>
    public long SaveEvery { get; set; } = 250;
    public bool Resume { get; set; }
    public long Seed { get; set; }
    /// <summary>Where the libraries (Course.*.dll) are; default: lib/ under the current folder.</summary>
    public string Lib { get; set; } = "lib";
}

/// <summary>
/// <c>train-fashion</c>: trains the class-conditional UNet of lesson 06 on Fashion-MNIST and writes
/// its EMA weights (the pretrained checkpoint the lesson samples from). Like the notebooks, it loads the
/// Course libraries from <c>lib/</c> through the notebook kernel (this program never references them).
/// </summary>
public static class TrainFashionCommand
{
    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -c Release -- train-fashion [options]

          --steps N            optimizer steps (default 6000)
          --minutes M          stop after M minutes of training (saving first), whatever --steps says
          --batch B            batch size (default 64)
          --lr LR              AdamW learning rate after the warm-up (default 5e-4)
          --warmup N           linear warm-up steps (default 200)
          --base-channels C    UNet base channels (default 32; multipliers (1, 2, 2), attention at 7x7)
          --dropout P          dropout in the residual blocks (default 0.1)
          --out FILE           EMA weights for sampling (default notebooks/checkpoints/fashion-mnist-unet.safetensors)
          --checkpoint FILE    full training checkpoint for resuming (default FILE.training.safetensors next to --out)
          --save-every N       write both files every N steps (default 250) and at the end
          --resume             continue from --checkpoint
          --seed S             seed of the trainer's generator (default 0)
          --lib DIR            folder of the Course libraries (default lib; run `dotnet build -c Release` first)

        Threads: one libtorch thread unless COURSE_TORCH_THREADS=n is set.
        """;

    public static TrainFashionOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrainFashionOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            double Number(double min)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min) || double.IsInfinity(v))
                    throw new ArgumentException($"{arg} needs a number >= {min.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
                return v;
            }
            long Whole(long min)
            {
                var text = Value();
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
                    throw new ArgumentException($"{arg} needs a whole number >= {min}, not '{text}'");
                return v;
            }
            switch (arg)
            {
                case "--steps": o.Steps = Whole(1); break;
                case "--minutes": o.Minutes = Number(0.01); break;
                case "--batch": o.Batch = (int)Whole(1); break;
                case "--lr": o.LearningRate = Number(1e-12); break;
                case "--warmup": o.Warmup = Whole(0); break;
                case "--base-channels": o.BaseChannels = (int)Whole(8); break;
                case "--dropout": o.Dropout = Number(0); break;
                case "--out": o.Out = Value(); break;
                case "--checkpoint": o.TrainingCheckpoint = Value(); break;
                case "--save-every": o.SaveEvery = Whole(1); break;
                case "--resume": o.Resume = true; break;
                case "--seed": o.Seed = Whole(long.MinValue); break;
                case "--lib": o.Lib = Value(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        return o;
    }

    public static async Task<int> RunAsync(TrainFashionOptions o, TextWriter output, TextWriter error)
    {
        var lib = Path.GetFullPath(o.Lib);
        if (CourseScript.LibrariesMissing(lib, error)) return 2;
        var outPath = Path.GetFullPath(o.Out);
        var checkpointPath = Path.GetFullPath(o.TrainingCheckpoint ?? Path.ChangeExtension(outPath, ".training.safetensors"));
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(checkpointPath)!);
        if (o.Resume && !File.Exists(checkpointPath))
        {
            error.WriteLine($"--resume: no training checkpoint at {checkpointPath}");
            return 2;
        }

        return await CourseScript.RunTrainingAsync(Script(o, lib, outPath, checkpointPath), output, error).ConfigureAwait(false);
    }

    static string Literal(string s) => CourseScript.Literal(s);

    static string Number(double v) => CourseScript.Number(v);

    /// <summary>The training program, run as one notebook cell so that it sees the libraries exactly as the lessons do.</summary>
    static string Script(TrainFashionOptions o, string lib, string outPath, string checkpointPath) => $$"""
        #r {{Literal(Path.Combine(lib, "TorchSharp.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Data.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Diffusion.dll"))}}
        using System.Diagnostics;
        using TorchSharp;
        using static TorchSharp.torch;
        using Course.Data;
        using Course.Diffusion.Models;
        using Course.Diffusion.Schedules;
        using Course.Diffusion.Training;

        manual_seed({{o.Seed}});
        var outPath = {{Literal(outPath)}};
        var checkpointPath = {{Literal(checkpointPath)}};
        var data = FashionMnist.Load(DatasetSplit.Train);
        var config = UNetConfig.ForFashionMnist(numClasses: data.ClassNames.Count) with { BaseChannels = {{o.BaseChannels}}, Dropout = {{Number(o.Dropout)}} };
        var model = new UNet(config);
        var schedule = NoiseSchedule.Linear(1000);
        var options = new TrainingOptions
        {
            TotalSteps = {{o.Steps}}, BatchSize = {{o.Batch}}, LearningRate = {{Number(o.LearningRate)}}, WarmupSteps = {{o.Warmup}},
            GradientClipNorm = 1.0, EmaDecay = 0.999, EmaWarmup = true, UnconditionalProbability = 0.1,
            Seed = {{o.Seed}}, ProgressEvery = 50,
        };
        var trainer = new DiffusionTrainer(model, schedule, TrainingData.FromTensor(data.Images, data.Labels), options);
        if ({{(o.Resume ? "true" : "false")}}) { trainer.Resume(checkpointPath); Console.WriteLine($"resumed from {checkpointPath} at step {trainer.Step}"); }
        Console.WriteLine($"Fashion-MNIST: {data.Count} images, {data.ClassNames.Count} classes; {model.GetType().Name} {config.BaseChannels} base channels, " +
                          $"multipliers ({string.Join(", ", config.ChannelMultipliers)}), dropout {config.Dropout}, {model.parameter_count():N0} parameters; {schedule}");
        Console.WriteLine($"batch {options.BatchSize}, lr {options.LearningRate} (warm-up {options.WarmupSteps}), EMA {options.EmaDecay}, p_uncond {options.UnconditionalProbability}, " +
                          $"libtorch threads {torch.get_num_threads()}, to step {options.TotalSteps}{{(o.Minutes is { } m ? $" or {Number(m)} minutes" : "")}}");
        var clock = Stopwatch.StartNew();
        var limit = {{(o.Minutes is { } minutes ? $"TimeSpan.FromMinutes({Number(minutes)})" : "TimeSpan.MaxValue")}};
        TrainingSummary? summary = null;
        void Save()
        {
            trainer.SaveCheckpoint(checkpointPath);
            using (trainer.Ema.Swap()) model.SaveWeights(outPath);
            Console.WriteLine($"  saved step {trainer.Step}: EMA weights {outPath} ({new FileInfo(outPath).Length / 1e6:0.00} MB), training checkpoint {checkpointPath}");
        }
        while (trainer.Step < options.TotalSteps && clock.Elapsed < limit)
        {
            long chunk = Math.Min({{o.SaveEvery}}, options.TotalSteps - trainer.Step);
            var left = limit == TimeSpan.MaxValue ? (TimeSpan?)null : limit - clock.Elapsed;
            // Report against the whole run (the trainer's own report counts to the end of this chunk).
            summary = trainer.Train(chunk, left, new SynchronousProgress(p => Console.WriteLine(p with
            {
                TotalSteps = options.TotalSteps,
                EstimatedRemaining = TimeSpan.FromSeconds((options.TotalSteps - p.Step) / Math.Max(1e-9, p.StepsPerSecond)),
            })));
            Save();
        }
        Console.WriteLine($"done: step {trainer.Step}, wall time {clock.Elapsed:h\\:mm\\:ss}, last average loss {summary?.FinalAverageLoss:0.0000}");
        trainer.Dispose();
        model.Dispose();
        data.Dispose();

        class SynchronousProgress : IProgress<TrainingReport>
        {
            readonly Action<TrainingReport> _report;
            public SynchronousProgress(Action<TrainingReport> report) => _report = report;
            public void Report(TrainingReport value) => _report(value);
        }
        """;
}

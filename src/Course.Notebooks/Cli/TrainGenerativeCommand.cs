using System.Globalization;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>train-generative</c>.</summary>
public sealed class TrainGenerativeOptions
{
    /// <summary>"vae" or "gan".</summary>
    public string Model { get; set; } = "";
    public long Steps { get; set; } = 6000;
    public int Batch { get; set; } = 64;
    /// <summary>Adam's learning rate; default 1e-3 for the VAE, 2e-4 for the GAN.</summary>
    public double? LearningRate { get; set; }
    /// <summary>Latent dimension; default 16 for the VAE, 64 for the GAN.</summary>
    public int? Latent { get; set; }
    public int Width { get; set; } = 32;
    /// <summary>GAN only: decay of the generator's moving average.</summary>
    public double Ema { get; set; } = 0.999;
    public double? Minutes { get; set; }
    /// <summary>The weights the lesson loads; default notebooks/checkpoints/fashion-mnist-{model}.safetensors.</summary>
    public string? Out { get; set; }
    /// <summary>The full training checkpoint, for resuming.</summary>
    public string? TrainingCheckpoint { get; set; }
    public long SaveEvery { get; set; } = 250;
    public bool Resume { get; set; }
    public long Seed { get; set; }
    public string Lib { get; set; } = "lib";
}

/// <summary>
/// <c>train-generative</c>: trains lesson 08's VAE or GAN on Fashion-MNIST and writes the weights the lesson
/// samples from (for the GAN, the moving average of the generator). Like <see cref="TrainFashionCommand"/>, it runs
/// the training as one notebook cell, loading the Course libraries from <c>lib/</c>.
/// </summary>
public static class TrainGenerativeCommand
{
    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -c Release -- train-generative --model vae|gan [options]

          --model vae|gan      which family to train (required)
          --steps N            optimizer steps (GAN: generator updates, one discriminator update each; default 6000)
          --minutes M          stop after M minutes of training (saving first), whatever --steps says
          --batch B            batch size (default 64)
          --lr LR              Adam's learning rate (default 1e-3 for vae; 2e-4 with beta1 = 0.5 for gan)
          --latent J           latent dimension (default 16 for vae, 64 for gan)
          --width C            channels of the first convolution (default 32; the second level has 2C)
          --ema D              gan: decay of the generator's moving average (default 0.999)
          --out FILE           weights for the lesson (default notebooks/checkpoints/fashion-mnist-{model}.safetensors)
          --checkpoint FILE    full training checkpoint for resuming (default FILE.training.safetensors next to --out)
          --save-every N       write both files every N steps (default 250) and at the end
          --resume             continue from --checkpoint
          --seed S             seed of the weights' initialisation and of the trainer's generator (default 0)
          --lib DIR            folder of the Course libraries (default lib; run `dotnet build -c Release` first)
        """;

    public static TrainGenerativeOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrainGenerativeOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            double Number(double min, double max = double.MaxValue)
            {
                var text = Value();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min && v <= max) || double.IsInfinity(v))
                    throw new ArgumentException($"{arg} needs a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], not '{text}'");
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
                case "--model":
                    o.Model = Value().ToLowerInvariant();
                    if (o.Model is not ("vae" or "gan")) throw new ArgumentException($"--model must be vae or gan, not '{o.Model}'");
                    break;
                case "--steps": o.Steps = Whole(1); break;
                case "--minutes": o.Minutes = Number(0.01); break;
                case "--batch": o.Batch = (int)Whole(2); break;
                case "--lr": o.LearningRate = Number(1e-12); break;
                case "--latent": o.Latent = (int)Whole(1); break;
                case "--width": o.Width = (int)Whole(1); break;
                case "--ema": o.Ema = Number(0, 0.999999); break;
                case "--out": o.Out = Value(); break;
                case "--checkpoint": o.TrainingCheckpoint = Value(); break;
                case "--save-every": o.SaveEvery = Whole(1); break;
                case "--resume": o.Resume = true; break;
                case "--seed": o.Seed = Whole(long.MinValue); break;
                case "--lib": o.Lib = Value(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        if (o.Model.Length == 0) throw new ArgumentException("--model vae|gan is required");
        return o;
    }

    public static async Task<int> RunAsync(TrainGenerativeOptions o, TextWriter output, TextWriter error)
    {
        var lib = Path.GetFullPath(o.Lib);
        if (CourseScript.LibrariesMissing(lib, error)) return 2;
        var outPath = Path.GetFullPath(o.Out ?? $"notebooks/checkpoints/fashion-mnist-{o.Model}.safetensors");
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
    static string Script(TrainGenerativeOptions o, string lib, string outPath, string checkpointPath)
    {
        bool gan = o.Model == "gan";
        int latent = o.Latent ?? (gan ? 64 : 16);
        double lr = o.LearningRate ?? (gan ? 2e-4 : 1e-3);
        string trainerType = gan ? "GanTrainer" : "VaeTrainer";
        string modelType = gan ? "GenerativeAdversarialNetwork" : "VariationalAutoencoder";
        return $$"""
        #r {{Literal(Path.Combine(lib, "TorchSharp.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Data.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Diffusion.dll"))}}
        using System.Diagnostics;
        using System.Globalization;
        using System.IO;
        using TorchSharp;
        using static TorchSharp.torch;
        using Course.Data;
        using Course.Diffusion.Generative;
        using Course.Diffusion.Training;

        manual_seed({{o.Seed}});
        var outPath = {{Literal(outPath)}};
        var checkpointPath = {{Literal(checkpointPath)}};
        var data = FashionMnist.Load(DatasetSplit.Train);
        var config = GenerativeConfig.ForFashionMnist(latentDimension: {{latent}}) with { Width = {{o.Width}} };
        var model = new {{modelType}}(config);
        var baseOptions = {{(gan ? "GenerativeTrainingOptions.ForGan()" : "GenerativeTrainingOptions.ForVae()")}};
        var options = baseOptions with
        {
            TotalSteps = {{o.Steps}}, BatchSize = {{o.Batch}}, LearningRate = {{Number(lr)}}, EmaDecay = {{Number(gan ? o.Ema : 0)}},
            Seed = {{o.Seed}}, ProgressEvery = 50,
        };
        var trainer = new {{trainerType}}(model, TrainingData.FromTensor(data.Images), options);
        if ({{(o.Resume ? "true" : "false")}}) { trainer.Resume(checkpointPath); Console.WriteLine($"resumed from {checkpointPath} at step {trainer.Step}"); }
        Console.WriteLine($"Fashion-MNIST: {data.Count} images; {model.GetType().Name} {config.ToJson()}, {model.parameter_count():N0} parameters");
        Console.WriteLine($"{options.ToJson()}; libtorch threads {torch.get_num_threads()}, to step {options.TotalSteps}{{(o.Minutes is { } m ? $" or {Number(m)} minutes" : "")}}");
        var clock = Stopwatch.StartNew();
        var limit = {{(o.Minutes is { } minutes ? $"TimeSpan.FromMinutes({Number(minutes)})" : "TimeSpan.MaxValue")}};
        void Save()
        {
            trainer.SaveCheckpoint(checkpointPath);
            var metadata = new Dictionary<string, string>
            {
                ["steps"] = trainer.Step.ToString(CultureInfo.InvariantCulture),
                ["training_options"] = options.ToJson(),
                ["data"] = "Fashion-MNIST train, 60000 images, pixels in [-1, 1]",
                ["wall_time_s"] = clock.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
                ["made_by"] = "dotnet run --project src/Course.Notebooks -c Release -- train-generative --model {{o.Model}}",
                ["weights"] = {{(gan ? "\"generator: EMA; discriminator: raw\"" : "\"raw\"")}},
            };
            {{(gan ? "using (trainer.Ema.Swap()) model.SaveWeights(outPath, metadata);" : "model.SaveWeights(outPath, metadata);")}}
            Console.WriteLine($"  saved step {trainer.Step}: weights {outPath} ({new FileInfo(outPath).Length / 1e6:0.00} MB), training checkpoint {checkpointPath}");
        }
        while (trainer.Step < options.TotalSteps && clock.Elapsed < limit)
        {
            long chunk = Math.Min({{o.SaveEvery}}, options.TotalSteps - trainer.Step);
            var left = limit == TimeSpan.MaxValue ? (TimeSpan?)null : limit - clock.Elapsed;
            trainer.Train(chunk, left, new PrintProgress(options.TotalSteps));
            Save();
        }
        Console.WriteLine($"done: step {trainer.Step}, wall time {clock.Elapsed:h\\:mm\\:ss}");
        trainer.Dispose();
        model.Dispose();
        data.Dispose();

        // Reports against the whole run (the trainer's own report counts to the end of the chunk), printed as they come.
        class PrintProgress : IProgress<{{(gan ? "GanTrainingReport" : "VaeTrainingReport")}}>
        {
            readonly long _total;
            public PrintProgress(long total) => _total = total;
            public void Report({{(gan ? "GanTrainingReport" : "VaeTrainingReport")}} value) => Console.WriteLine(value with { TotalSteps = _total });
        }
        """;
    }
}

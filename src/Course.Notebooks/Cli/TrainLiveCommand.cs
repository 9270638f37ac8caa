using System.Globalization;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>train-live</c>.</summary>
public sealed class TrainLiveOptions
{
    /// <summary>Wall-clock minutes from the command's start (data loading counted) to the end of training.</summary>
    public double Minutes { get; set; } = 2.5;
    /// <summary>Train exactly this many steps instead (the cosine then runs over the steps): runs that repeat step for step.</summary>
    public long? Steps { get; set; }
    public string Out { get; set; } = "";
    /// <summary>Samples per class written to samples.npy (10 classes).</summary>
    public int PerClass { get; set; } = 200;
    public double? Guidance { get; set; }
    public int? SamplerSteps { get; set; }
    public int? Batch { get; set; }
    public double? LearningRate { get; set; }
    /// <summary>libtorch threads; null: the engine's default (COURSE_TORCH_THREADS, else 1).</summary>
    public int? Threads { get; set; }
    public long Seed { get; set; }
    public bool Resume { get; set; }
    public string Lib { get; set; } = "lib";
    /// <summary>When the budget's clock started (UTC): the process's start when run as the program, so that
    /// start-up and data loading count; null (in-process callers, tests): when <see cref="TrainLiveCommand.RunAsync"/> starts.</summary>
    public DateTime? Started { get; set; }
}

/// <summary>
/// <c>train-live</c>: lesson 10's recipe from the command line. Trains the class-conditional
/// <c>CompactUNet</c> on Fashion-MNIST from random weights for a wall-clock budget counted from the
/// command's start (so loading the data counts), printing steps, step time and loss as it goes; then
/// writes the EMA weights and a training checkpoint (atomically), draws 10 samples per class first
/// (timed: what a class sees first) and then the rest, and writes <c>samples.npy</c> (uint8 [N, 28, 28],
/// class-major) and <c>labels.npy</c> (int64 [N]), the two files the <c>evaluate</c> command scores.
/// </summary>
public static class TrainLiveCommand
{
    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -c Release -- train-live --minutes M --out DIR [options]

          --minutes M          wall-clock minutes from the command's start to the end of training (fractions allowed;
                               default 2.5); loading the data and starting up count. With --resume: the total
                               training time, this run and the ones before it
          --out DIR            writes DIR/samples.npy (uint8 [N, 28, 28], class-major), DIR/labels.npy (int64 [N]),
                               DIR/model.safetensors (EMA weights; ModelFiles.Load reads it) and
                               DIR/training.safetensors (weights, EMA, optimizer, generators: for --resume)
          --steps N            train exactly N steps instead of for a time (the learning rate's cosine runs over the
                               steps): the same run step for step on any machine, however busy
          --per-class K        samples per class (default 200: N = 2,000); the first 10 of each class are drawn first
          --guidance S         classifier-free guidance scale (default: lesson 10's recipe)
          --sampler-steps N    DPM-Solver++(2M) steps (default: the recipe's)
          --batch B            batch size (default: the recipe's)
          --lr LR              peak learning rate (default: the recipe's)
          --threads N          libtorch threads (default: COURSE_TORCH_THREADS, else 1; 2 on a quiet 2-core machine)
          --seed S             seed of the trainer's generator (default 0); samples use seed S + 1
          --resume             continue from DIR/training.safetensors
          --lib DIR            folder of the Course libraries (default lib; run `dotnet build -c Release` first)

        Ctrl+C stops training at the next step; the weights, the checkpoint and the samples are still written.
        Score the samples with: evaluate DIR/samples.npy --labels DIR/labels.npy
        """;

    public static TrainLiveOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrainLiveOptions();
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
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v >= min && v <= max))
                    throw new ArgumentException($"{arg} needs a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
                return v;
            }
            int Whole(int min, int max = int.MaxValue)
            {
                var text = Value();
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                    throw new ArgumentException($"{arg} needs a whole number from {min} to {max}, not '{text}'");
                return v;
            }
            switch (arg)
            {
                case "--minutes": o.Minutes = Number(0.001, 24 * 60); break;
                case "--out": o.Out = Value(); break;
                case "--steps":
                    var stepsText = Value();
                    if (!long.TryParse(stepsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var steps) || steps < 1)
                        throw new ArgumentException($"--steps needs a whole number >= 1, not '{stepsText}'");
                    o.Steps = steps;
                    break;
                case "--per-class": o.PerClass = Whole(1, 100_000); break;
                case "--guidance": o.Guidance = Number(0, 100); break;
                case "--sampler-steps": o.SamplerSteps = Whole(1, 1000); break;
                case "--batch": o.Batch = Whole(1, 100_000); break;
                case "--lr": o.LearningRate = Number(1e-12, 10); break;
                case "--threads": o.Threads = Whole(1, 1024); break;
                case "--seed":
                    var text = Value();
                    if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) || seed < 0)
                        throw new ArgumentException($"--seed needs a whole number >= 0, not '{text}'");
                    o.Seed = seed;
                    break;
                case "--resume": o.Resume = true; break;
                case "--lib": o.Lib = Value(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        if (o.Out.Length == 0) throw new ArgumentException("--out DIR is required (where the samples, labels and weights go)");
        return o;
    }

    public static async Task<int> RunAsync(TrainLiveOptions o, TextWriter output, TextWriter error)
    {
        var started = o.Started ?? DateTime.UtcNow;
        var lib = Path.GetFullPath(o.Lib);
        if (CourseScript.LibrariesMissing(lib, error)) return 2;
        var dir = Path.GetFullPath(o.Out);
        if (File.Exists(dir))
        {
            error.WriteLine($"--out {dir} is a file; give a folder");
            return 2;
        }
        Directory.CreateDirectory(dir);
        if (o.Resume && !File.Exists(Path.Combine(dir, "training.safetensors")))
        {
            error.WriteLine($"--resume: no training checkpoint at {Path.Combine(dir, "training.safetensors")}");
            return 2;
        }
        return await CourseScript.RunTrainingAsync(Script(o, lib, dir, started), output, error).ConfigureAwait(false);
    }

    static string Literal(string s) => CourseScript.Literal(s);

    static string Number(double v) => CourseScript.Number(v);

    static string Optional(string name, double? v) => v is { } x ? $"{name} = {Number(x)}, " : "";

    /// <summary>The program, run as one notebook cell so that it uses the libraries exactly as lesson 10 does.</summary>
    static string Script(TrainLiveOptions o, string lib, string dir, DateTime started) => $$"""
        #r {{Literal(Path.Combine(lib, "TorchSharp.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Data.dll"))}}
        #r {{Literal(Path.Combine(lib, "Course.Diffusion.dll"))}}
        using System.Diagnostics;
        using System.Globalization;
        using System.IO;
        using TorchSharp;
        using static TorchSharp.torch;
        using Course.Data;
        using Course.Diffusion.Models;
        using Course.Diffusion.Training;
        using Course.Diffusion.TrainLive;
        using Course.Interrupts;

        // The budget runs from the command's start: runtime, kernel and data loading all count.
        var started = new DateTime({{started.ToUniversalTime().Ticks}}L, DateTimeKind.Utc);
        TimeSpan SinceStart() => DateTime.UtcNow - started;
        {{(o.Threads is { } threads ? $"torch.set_num_threads({threads});" : "")}}
        manual_seed({{o.Seed}});
        var dir = {{Literal(dir)}};
        var checkpointPath = Path.Combine(dir, "training.safetensors");
        var weightsPath = Path.Combine(dir, "model.safetensors");
        var kernelReady = SinceStart();
        var data = FashionMnist.Load(DatasetSplit.Train);
        var dataLoaded = SinceStart();
        var recipe = new LiveTrainingRecipe
        {
            {{Optional("Guidance", o.Guidance)}}{{Optional("SamplerSteps", o.SamplerSteps)}}{{Optional("BatchSize", o.Batch)}}{{Optional("LearningRate", o.LearningRate)}}Seed = {{o.Seed}},
        };
        var model = recipe.CreateModel();
        bool resume = {{(o.Resume ? "true" : "false")}};
        var minutes = TimeSpan.FromMinutes({{Number(o.Minutes)}});
        var budget = resume ? minutes : minutes - SinceStart();
        if (budget <= TimeSpan.Zero && {{(o.Steps is null ? "true" : "false")}})
        {
            Console.WriteLine($"starting up took {SinceStart().TotalSeconds:0.0} s, the whole budget of {minutes.TotalSeconds:0.0} s: training one step");
        }
        var options = recipe.TrainingOptions(budget, progressEvery: 100);
        long? fixedSteps = {{(o.Steps is { } n ? n.ToString(CultureInfo.InvariantCulture) : "null")}};
        if (fixedSteps is { } stepCount)
            options = options with { TimeBudget = null, TotalSteps = stepCount, WarmupSteps = Math.Min(options.WarmupSteps, stepCount - 1) };
        else if (budget <= TimeSpan.Zero) options = options with { TimeBudget = TimeSpan.FromTicks(1) };
        var trainer = new DiffusionTrainer(model, recipe.Schedule(), TrainingData.FromTensor(data.Images, data.Labels), options);
        if (resume)
        {
            trainer.Resume(checkpointPath);
            Console.WriteLine($"resumed from {checkpointPath} at step {trainer.Step} after {trainer.TrainingTime.TotalSeconds:0.0} s of training");
        }
        long firstStep = trainer.Step;
        var trainedBefore = trainer.TrainingTime;
        Console.WriteLine($"Fashion-MNIST: {data.Count:N0} images; {model.ToString().Split('\n')[0].TrimEnd('(')}; {recipe.Schedule()}");
        Console.WriteLine($"batch {recipe.BatchSize}, lr {recipe.LearningRate} (warm-up {recipe.WarmupSteps} steps, cosine over the budget), " +
            $"{recipe.Prediction}-prediction, EMA {recipe.EmaDecay}, p_uncond {recipe.UnconditionalProbability}; libtorch threads {torch.get_num_threads()}");
        Console.WriteLine($"started {SinceStart().TotalSeconds:0.0} s ago (runtime and kernel {kernelReady.TotalSeconds:0.0} s, " +
            $"data {(dataLoaded - kernelReady).TotalSeconds:0.0} s); training " +
            (fixedSteps is { } k ? $"for {k} steps" : budget > TimeSpan.Zero ? $"for {budget.TotalSeconds:0.0} s" : "one step"));
        bool stopped = false;
        try
        {
            trainer.Train(progress: new Print(trainer, options.TimeBudget));
        }
        catch (OperationStoppedException e)
        {
            stopped = true;
            Console.WriteLine($"stopped: {e.Message}");
        }
        var trainedAt = DateTime.UtcNow;
        trainer.SaveCheckpoint(checkpointPath);
        using (trainer.Ema.Swap()) model.SaveWeights(weightsPath);
        double msPerStep = 1000 * (trainer.TrainingTime - trainedBefore).TotalSeconds / Math.Max(1, trainer.Step - firstStep);
        Console.WriteLine($"trained: {trainer.Step} steps, {msPerStep:0.0} ms per step, training time {trainer.TrainingTime.TotalSeconds:0.0} s, " +
            $"{SinceStart().TotalSeconds:0.0} s since start{(stopped ? " (stopped early)" : "")}; wrote {weightsPath} and {checkpointPath}");

        model.eval();
        trainer.Ema.CopyTo(model);
        var sampler = recipe.Sampler();
        var guided = recipe.Guided(model);
        int classes = model.NumClasses, perClass = {{o.PerClass}}, first = Math.Min(10, perClass);
        var generator = new Generator({{o.Seed}} + 1);
        var clock = Stopwatch.StartNew();
        var firstImages = ClassSamples.Draw(guided, sampler, ClassSamples.Labels(classes, first), model.SampleShape, generator);
        Console.WriteLine($"first {firstImages.shape[0]} samples ({first} per class, {recipe.SamplerSteps} steps, guidance {recipe.Guidance}) " +
            $"{(DateTime.UtcNow - trainedAt).TotalSeconds:0.0} s after training ended ({clock.Elapsed.TotalSeconds:0.0} s of sampling)");
        var rest = perClass > first
            ? ClassSamples.Draw(guided, sampler, ClassSamples.Labels(classes, perClass - first), model.SampleShape, generator,
                done: k => { if (k % 500 == 0) Console.WriteLine($"  sampled {k + firstImages.shape[0]} of {classes * perClass}"); })
            : null;
        // Class-major: each class's first images, then the rest of that class.
        int restPerClass = perClass - first;
        var order = Enumerable.Range(0, classes).SelectMany(c => Enumerable.Range(c * first, first)
            .Concat(Enumerable.Range(classes * first + c * restPerClass, restPerClass))).Select(i => (long)i).ToArray();
        var all = rest is null ? firstImages : cat(new[] { firstImages, rest }, 0);
        var samples = all.index_select(0, tensor(order));
        double sampleSeconds = clock.Elapsed.TotalSeconds;
        var bytes = ClassSamples.ToBytes(samples, out var shape);
        var labels = ClassSamples.Labels(classes, perClass).data<long>().ToArray();
        void WriteAtomically(string path, Action<Stream> write)
        {
            var temp = path + ".tmp";
            using (var stream = File.Create(temp)) write(stream);
            File.Move(temp, path, overwrite: true);
        }
        WriteAtomically(Path.Combine(dir, "samples.npy"), s => NpyFile.Write(s, bytes, shape));
        WriteAtomically(Path.Combine(dir, "labels.npy"), s => NpyFile.Write(s, labels, new long[] { labels.Length }));
        Console.WriteLine($"sampled {samples.shape[0]} images in {sampleSeconds:0.0} s; wrote {Path.Combine(dir, "samples.npy")} " +
            $"(uint8 [{string.Join(", ", shape)}]) and labels.npy");
        Console.WriteLine($"done: {SinceStart().TotalSeconds:0.0} s since start");
        trainer.Dispose();
        model.Dispose();
        data.Dispose();

        // One line per report: steps, step time, loss, and the budget used.
        class Print : IProgress<TrainingReport>
        {
            readonly DiffusionTrainer _trainer;
            readonly TimeSpan? _budget;
            public Print(DiffusionTrainer trainer, TimeSpan? budget) { _trainer = trainer; _budget = budget; }
            public void Report(TrainingReport r)
            {
                var c = CultureInfo.InvariantCulture;
                string of = _budget is { } b ? string.Create(c, $" of {b.TotalSeconds:0.0} s") : string.Create(c, $", step {r.Step} of {r.TotalSteps}");
                Console.WriteLine(string.Create(c, $"step {r.Step,6}  loss {r.AverageLoss:0.0000}  {1000 / Math.Max(1e-9, r.StepsPerSecond),6:0.0} ms/step  " +
                    $"lr {r.LearningRate:0.00e+0}  trained {_trainer.TrainingTime.TotalSeconds,6:0.0} s") + of);
            }
        }
        """;
}

using Course.Diffusion.Models;
using Course.Diffusion.Checkpoints;
using Course.Diffusion.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// Trains a <see cref="GenerativeAdversarialNetwork"/> by alternating updates (Goodfellow et al. 2014,
/// Algorithm 1): <see cref="GenerativeTrainingOptions.DiscriminatorSteps"/> steps of the discriminator on
/// L_D with fresh data and fakes, then one step of the generator on the non-saturating loss −log D(G(z)),
/// each player with its own Adam. An exponential moving average of the generator's weights is kept for
/// sampling (as the diffusion trainer keeps one of its model). Conventions as <see cref="DiffusionTrainer"/>:
/// seeded generator, dispose scope per step, progress, atomic checkpoints that resume exactly, and
/// <see cref="TrainingDivergedException"/> before a non-finite loss or gradient changes the weights.
/// </summary>
public sealed class GanTrainer : IDisposable
{
    /// <summary>The value of the "format" metadata entry of a checkpoint.</summary>
    public const string CheckpointFormat = "course-gan-checkpoint/1";

    readonly Parameter[] _generatorParameters, _discriminatorParameters;
    readonly Device _device;
    readonly List<double> _discriminatorLosses = new(), _generatorLosses = new(), _real = new(), _fake = new();
    bool _disposed;

    public GanTrainer(GenerativeAdversarialNetwork model, TrainingData data, GenerativeTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Options = options ?? GenerativeTrainingOptions.ForGan();
        Options.Validate();
        Model = model;
        Data = data;
        _generatorParameters = model.GeneratorParameters().ToArray();
        _discriminatorParameters = model.DiscriminatorParameters().ToArray();
        _device = _generatorParameters[0].device;
        // Never train on wrong numbers: the engine checks its operations here once (EngineNumericsCheck).
        EngineNumericsCheck.EnsureRightNumbers(_device);
        Generator = new Generator((ulong)Options.Seed);
        // AdamW with weight_decay 0 is Adam (Kingma & Ba 2015); one optimizer type keeps one checkpoint format
        GeneratorOptimizer = optim.AdamW(_generatorParameters, lr: Options.LearningRate, beta1: Options.Beta1, beta2: Options.Beta2, weight_decay: 0);
        DiscriminatorOptimizer = optim.AdamW(_discriminatorParameters, lr: Options.LearningRate, beta1: Options.Beta1, beta2: Options.Beta2, weight_decay: 0);
        Ema = new Ema(model.GeneratorModule, Options.EmaDecay, warmup: true);
    }

    public GenerativeAdversarialNetwork Model { get; }
    public TrainingData Data { get; }
    public GenerativeTrainingOptions Options { get; }

    /// <summary>The trainer's own random stream (saved in checkpoints).</summary>
    public Generator Generator { get; }

    public AdamW GeneratorOptimizer { get; }
    public AdamW DiscriminatorOptimizer { get; }

    /// <summary>The moving average of the generator's weights: <c>using (trainer.Ema.Swap()) { sample }</c>.</summary>
    public Ema Ema { get; }

    /// <summary>Generator updates completed.</summary>
    public long Step { get; private set; }

    /// <summary>L_D of every step (the last discriminator update of the step).</summary>
    public IReadOnlyList<double> DiscriminatorLosses => _discriminatorLosses;

    /// <summary>The non-saturating L_G of every step.</summary>
    public IReadOnlyList<double> GeneratorLosses => _generatorLosses;

    /// <summary>Mean D(x) on the data batch of every step.</summary>
    public IReadOnlyList<double> RealProbabilities => _real;

    /// <summary>Mean D(G(z)) on the fakes of every step (before the generator's update).</summary>
    public IReadOnlyList<double> FakeProbabilities => _fake;

    /// <summary>Raised every <see cref="GenerativeTrainingOptions.ProgressEvery"/> steps and at the end of <see cref="Train"/>.</summary>
    public event EventHandler<GanTrainingReport>? ProgressChanged;

    /// <summary>Trains until <see cref="GenerativeTrainingOptions.TotalSteps"/> (or <paramref name="steps"/> more), stopping early at the time limit.
    /// A stopped cell or a cancelled token stops it at the next step boundary, with everything of that step kept
    /// (<see cref="Course.Interrupts.OperationStoppedException"/>); Train again continues exactly.</summary>
    /// <exception cref="TrainingDivergedException">a loss or gradient became NaN or infinite.</exception>
    public void Train(long? steps = null, TimeSpan? timeLimit = null, IProgress<GanTrainingReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (steps is < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative");
        long target = steps is null ? Options.TotalSteps : Step + steps.Value;
        int reported = _generatorLosses.Count;
        TrainingLoop.Run(Step, target, timeLimit, cancellationToken, () => { TrainStep(); return Step; }, Options.ProgressEvery,
            (done, rate, elapsed) =>
            {
                double Mean(List<double> values) => values.Skip(reported).Average();
                var report = new GanTrainingReport(Step, target, Mean(_discriminatorLosses), Mean(_generatorLosses), Mean(_real), Mean(_fake), rate, elapsed);
                reported = _generatorLosses.Count;
                ProgressChanged?.Invoke(this, report);
                progress?.Report(report);
            },
            Options.CheckpointPath, Options.CheckpointEvery, SaveCheckpoint,
            "both networks, the generator's EMA and both optimizers' state");
    }

    /// <summary>One step of Algorithm 1: k discriminator updates, then one generator update. Returns (L_D, L_G).</summary>
    public (double DiscriminatorLoss, double GeneratorLoss) TrainStep()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long stepNumber = Step + 1;
        Model.train();
        double discriminatorLoss = double.NaN, real = double.NaN, fake = double.NaN;
        for (int k = 0; k < Options.DiscriminatorSteps; k++)
            using (NewDisposeScope())
            {
                var batch = Data.Sample(Options.BatchSize, Generator).Data;
                var x = batch.device == _device ? batch : batch.to(_device);
                Tensor fakes;
                using (no_grad()) fakes = Model.Sample(Options.BatchSize, Generator);
                var realLogits = Model.Discriminate(x);
                var fakeLogits = Model.Discriminate(fakes);
                var loss = GanLosses.Discriminator(realLogits, fakeLogits);
                discriminatorLoss = loss.ToDouble();
                if (!double.IsFinite(discriminatorLoss)) throw new TrainingDivergedException(stepNumber, "discriminator loss", discriminatorLoss);
                DiscriminatorOptimizer.zero_grad();
                loss.backward();
                Update(DiscriminatorOptimizer, _discriminatorParameters, stepNumber, "discriminator gradient norm");
                using (no_grad())
                {
                    real = realLogits.sigmoid().mean().ToDouble();
                    fake = fakeLogits.sigmoid().mean().ToDouble();
                }
            }
        double generatorLoss;
        using (NewDisposeScope())
        {
            var loss = GanLosses.GeneratorNonSaturating(Model.Discriminate(Model.Sample(Options.BatchSize, Generator)));
            generatorLoss = loss.ToDouble();
            if (!double.IsFinite(generatorLoss)) throw new TrainingDivergedException(stepNumber, "generator loss", generatorLoss);
            GeneratorOptimizer.zero_grad();
            loss.backward();
            Update(GeneratorOptimizer, _generatorParameters, stepNumber, "generator gradient norm");
            DiscriminatorOptimizer.zero_grad();     // the generator's loss reached D's weights too; D's next update starts clean
        }
        Ema.Update();
        Step = stepNumber;
        _discriminatorLosses.Add(discriminatorLoss);
        _generatorLosses.Add(generatorLoss);
        _real.Add(real);
        _fake.Add(fake);
        return (discriminatorLoss, generatorLoss);
    }

    void Update(optim.Optimizer optimizer, Parameter[] parameters, long stepNumber, string quantity)
    {
        double norm = GradientNorms.ClipOrMeasure(parameters, Options.GradientClipNorm);
        if (!double.IsFinite(norm))
        {
            optimizer.zero_grad();
            throw new TrainingDivergedException(stepNumber, quantity, norm);
        }
        optimizer.step();
        optimizer.zero_grad();
    }

    /// <summary>Writes both networks, the generator's EMA, both Adams, step and the generators' states, atomically; refuses non-finite weights.</summary>
    public void SaveCheckpoint(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        GenerativeCheckpoints.RequireFinite(Model, Step);
        var owned = new List<Tensor>();
        try
        {
            var tensors = new Dictionary<string, Tensor>();
            foreach (var (name, t) in Model.state_dict()) tensors["model." + name] = t;   // the module's own tensors
            foreach (var (name, t) in Ema.ShadowByName()) tensors["ema." + name] = t;
            foreach (var (name, t) in Training.AdamWState.ToTensors(GeneratorOptimizer)) { owned.Add(t); tensors["optimizer.generator." + name] = t; }
            foreach (var (name, t) in Training.AdamWState.ToTensors(DiscriminatorOptimizer)) { owned.Add(t); tensors["optimizer.discriminator." + name] = t; }
            owned.Add(tensors["rng.trainer"] = Generator.get_state());
            owned.Add(tensors["rng.default_cpu"] = get_rng_state());
            var metadata = GenerativeCheckpoints.Metadata(CheckpointFormat, Step, Model, Model.Config, Options);
            metadata["ema_updates"] = Ema.Updates.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Safetensors.Save(tensors, path, metadata);
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
    }

    /// <summary>Restores a checkpoint of <see cref="SaveCheckpoint"/> (same configuration): training continues as if uninterrupted.</summary>
    public void Resume(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long step = GenerativeCheckpoints.CheckHeader(path, CheckpointFormat, Model, Model.Config);
        var metadata = Safetensors.ReadMetadata(path);
        long emaUpdates = long.Parse(metadata.GetValueOrDefault("ema_updates") ?? throw new InvalidDataException($"{path} has no 'ema_updates' metadata"),
            System.Globalization.CultureInfo.InvariantCulture);
        using var scope = NewDisposeScope();
        var all = Safetensors.Load(path);
        var (trainerRng, defaultRng) = GenerativeCheckpoints.Generators(all, path);
        Model.LoadStateDictChecked(Safetensors.Part(all, "model."), strict: true);
        Ema.Load(Safetensors.Part(all, "ema."), emaUpdates);
        Training.AdamWState.Load(GeneratorOptimizer, Safetensors.Part(all, "optimizer.generator."), path);
        Training.AdamWState.Load(DiscriminatorOptimizer, Safetensors.Part(all, "optimizer.discriminator."), path);
        Generator.set_state(trainerRng);
        set_rng_state(defaultRng);
        Step = step;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GeneratorOptimizer.Dispose();
        DiscriminatorOptimizer.Dispose();
        Ema.Dispose();
        Generator.Dispose();
    }
}

using Course.Diffusion.Models;
using Course.Diffusion.Checkpoints;
using Course.Diffusion.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// Trains a <see cref="VariationalAutoencoder"/> by minimising the negative ELBO (Kingma &amp; Welling 2014,
/// eq. 10; the AEVB algorithm of their §2.3 with one sample of z per example and Adam instead of Adagrad),
/// with the conventions of <see cref="DiffusionTrainer"/>: batches and reparameterization noise from the
/// trainer's own seeded generator, a dispose scope per step, progress reports, atomic checkpoints that
/// resume exactly, and <see cref="TrainingDivergedException"/> before a non-finite loss or gradient can
/// change the weights.
/// </summary>
public sealed class VaeTrainer : IDisposable
{
    /// <summary>The value of the "format" metadata entry of a checkpoint.</summary>
    public const string CheckpointFormat = "course-vae-checkpoint/1";

    readonly Parameter[] _parameters;
    readonly Device _device;
    readonly List<double> _losses = new(), _reconstructions = new(), _kls = new();
    bool _disposed;

    public VaeTrainer(VariationalAutoencoder model, TrainingData data, GenerativeTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Options = options ?? GenerativeTrainingOptions.ForVae();
        Options.Validate();
        Model = model;
        Data = data;
        _parameters = model.parameters().ToArray();
        _device = _parameters[0].device;
        // Never train on wrong numbers: the engine checks its operations here once (EngineNumericsCheck).
        EngineNumericsCheck.EnsureRightNumbers(_device);
        Generator = new Generator((ulong)Options.Seed);
        // AdamW with weight_decay 0 is Adam (Kingma & Ba 2015); one optimizer type keeps one checkpoint format
        Optimizer = optim.AdamW(_parameters, lr: Options.LearningRate, beta1: Options.Beta1, beta2: Options.Beta2, weight_decay: 0);
    }

    public VariationalAutoencoder Model { get; }
    public TrainingData Data { get; }
    public GenerativeTrainingOptions Options { get; }

    /// <summary>The trainer's own random stream (saved in checkpoints).</summary>
    public Generator Generator { get; }

    public AdamW Optimizer { get; }

    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>−ELBO of every step taken by this trainer object, in nats per example.</summary>
    public IReadOnlyList<double> Losses => _losses;

    /// <summary>The reconstruction term −log p(x | z) of every step.</summary>
    public IReadOnlyList<double> Reconstructions => _reconstructions;

    /// <summary>The KL term of every step.</summary>
    public IReadOnlyList<double> Kls => _kls;

    /// <summary>Raised every <see cref="GenerativeTrainingOptions.ProgressEvery"/> steps and at the end of <see cref="Train"/>.</summary>
    public event EventHandler<VaeTrainingReport>? ProgressChanged;

    /// <summary>Trains until <see cref="GenerativeTrainingOptions.TotalSteps"/> (or <paramref name="steps"/> more), stopping early at the time limit.
    /// A stopped cell or a cancelled token stops it at the next step boundary, with everything of that step kept
    /// (<see cref="Course.Interrupts.OperationStoppedException"/>); Train again continues exactly.</summary>
    /// <exception cref="TrainingDivergedException">the loss or gradient became NaN or infinite.</exception>
    public void Train(long? steps = null, TimeSpan? timeLimit = null, IProgress<VaeTrainingReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (steps is < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative");
        long target = steps is null ? Options.TotalSteps : Step + steps.Value;
        int reported = _losses.Count;
        TrainingLoop.Run(Step, target, timeLimit, cancellationToken, () => { TrainStep(); return Step; }, Options.ProgressEvery,
            (done, rate, elapsed) =>
            {
                double Mean(List<double> values) => values.Skip(reported).Average();
                var report = new VaeTrainingReport(Step, target, Mean(_losses), Mean(_reconstructions), Mean(_kls), rate, elapsed);
                reported = _losses.Count;
                ProgressChanged?.Invoke(this, report);
                progress?.Report(report);
            },
            Options.CheckpointPath, Options.CheckpointEvery, SaveCheckpoint,
            "weights and optimizer state");
    }

    /// <summary>One optimizer step on a fresh batch; returns its −ELBO.</summary>
    public double TrainStep()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long stepNumber = Step + 1;
        Model.train();
        using (NewDisposeScope())
        {
            var batch = Data.Sample(Options.BatchSize, Generator).Data;
            var x = batch.device == _device ? batch : batch.to(_device);
            using var terms = Model.Loss(x, Generator, Options.KlWeight);
            double loss = terms.Loss.ToDouble();
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(stepNumber, "loss", loss);
            Optimizer.zero_grad();
            terms.Loss.backward();
            double norm = GradientNorms.ClipOrMeasure(_parameters, Options.GradientClipNorm);
            if (!double.IsFinite(norm))
            {
                Optimizer.zero_grad();
                throw new TrainingDivergedException(stepNumber, "gradient norm", norm);
            }
            Optimizer.step();
            Optimizer.zero_grad();
            Step = stepNumber;
            _losses.Add(loss);
            _reconstructions.Add(terms.Reconstruction.ToDouble());
            _kls.Add(terms.Kl.ToDouble());
            return loss;
        }
    }

    /// <summary>Writes weights, Adam's state, step and both generators' states, atomically; refuses non-finite weights.</summary>
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
            foreach (var (name, t) in Training.AdamWState.ToTensors(Optimizer)) { owned.Add(t); tensors["optimizer." + name] = t; }
            owned.Add(tensors["rng.trainer"] = Generator.get_state());
            owned.Add(tensors["rng.default_cpu"] = get_rng_state());
            Safetensors.Save(tensors, path, GenerativeCheckpoints.Metadata(CheckpointFormat, Step, Model, Model.Config, Options));
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
        using var scope = NewDisposeScope();
        var all = Safetensors.Load(path);
        var (trainerRng, defaultRng) = GenerativeCheckpoints.Generators(all, path);
        Model.LoadStateDictChecked(Safetensors.Part(all, "model."), strict: true);
        Training.AdamWState.Load(Optimizer, Safetensors.Part(all, "optimizer."), path);
        Generator.set_state(trainerRng);
        set_rng_state(defaultRng);
        Step = step;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Optimizer.Dispose();
        Generator.Dispose();
    }
}

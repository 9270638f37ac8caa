using System.Diagnostics;
using System.Globalization;
using Course.Diffusion.Checkpoints;
using Course.Interrupts;
using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Course.Diffusion.Training;

/// <summary>
/// Trains a noise predictor ε_θ(x_t, t) with L_simple (Ho et al. 2020, Algorithm 1 and eq. 14):
/// <code>
/// x_0 ~ data, t ~ Uniform{0, …, T−1}, ε ~ N(0, I)
/// x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε                          // schedule.QSample
/// loss = ‖ε − ε_θ(x_t, t)‖² (mean over batch and dimensions)
/// </code>
/// with AdamW, gradient clipping, a linear learning-rate warm-up (then constant or cosine), an EMA of
/// the weights, label dropout to the null class for classifier-free guidance, progress reports and
/// checkpoints that resume bit for bit on the CPU. Each step runs in its own dispose scope. Options
/// change the target (x_0 or v instead of ε), how t is drawn (normal in log-SNR instead of uniform)
/// and what ends the run (a wall-clock <see cref="TrainingOptions.TimeBudget"/>, over which the cosine
/// then runs: lesson 10).
/// </summary>
/// <remarks>
/// Randomness: batches, timesteps, noise and label dropout come from the trainer's own
/// <see cref="Generator"/> (seeded by <see cref="TrainingOptions.Seed"/>); dropout layers inside the
/// model use libtorch's default generator. A checkpoint stores both, so resuming restores the
/// default CPU generator too.
/// </remarks>
public sealed class DiffusionTrainer : IDisposable
{
    /// <summary>The value of the "format" metadata entry of a checkpoint.</summary>
    public const string CheckpointFormat = "course-diffusion-checkpoint/1";

    readonly nn.Module<Tensor, Tensor, Tensor?, Tensor> _model;
    readonly DenoisingModel? _denoiser;
    readonly Parameter[] _parameters;
    readonly Device _device;
    readonly List<double> _losses = new();
    bool _disposed;

    public DiffusionTrainer(nn.Module<Tensor, Tensor, Tensor?, Tensor> model, NoiseSchedule schedule, TrainingData data, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(data);
        Options = options ?? new TrainingOptions();
        Options.Validate();
        _model = model;
        _denoiser = model as DenoisingModel;
        _parameters = model.parameters().ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("the model has no parameters to train", nameof(model));
        _device = _parameters[0].device;
        // Never train on wrong numbers: the engine checks its operations here once (EngineNumericsCheck).
        EngineNumericsCheck.EnsureRightNumbers(_device);
        Schedule = schedule;
        Data = data;
        Generator = new Generator(unchecked((ulong)Options.Seed));
        Optimizer = optim.AdamW(_parameters, lr: Options.LearningRate, beta2: Options.AdamBeta2, weight_decay: Options.WeightDecay);
        Ema = new Ema(model, Options.EmaDecay, Options.EmaWarmup);
    }

    public TrainingOptions Options { get; }
    public NoiseSchedule Schedule { get; }
    public TrainingData Data { get; }

    /// <summary>The trainer's own random stream (saved in checkpoints).</summary>
    public Generator Generator { get; }

    public AdamW Optimizer { get; }

    /// <summary>The moving average of the weights: <c>using (trainer.Ema.Swap()) { sample }</c>.</summary>
    public Ema Ema { get; }

    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>Wall-clock time spent training (steps and checkpoints, over every call to
    /// <see cref="Train"/>, restored by <see cref="Resume"/>); time spent in progress handlers, e.g. a
    /// notebook drawing samples, does not count. <see cref="TrainingOptions.TimeBudget"/> is measured in it.</summary>
    public TimeSpan TrainingTime { get; private set; }

    /// <summary>L_simple of every step taken by this trainer object (not those before a resume).</summary>
    public IReadOnlyList<double> Losses => _losses;

    /// <summary>Raised every <see cref="TrainingOptions.ProgressEvery"/> steps and at the end of <see cref="Train"/>.</summary>
    public event EventHandler<TrainingReport>? ProgressChanged;

    /// <summary>The learning rate step k (counting from 0) uses: linear warm-up, then constant or cosine.
    /// With a <see cref="TrainingOptions.TimeBudget"/> the cosine runs over time, so the rate also
    /// depends on <see cref="TrainingTime"/>: see <see cref="LearningRateAt(long, TimeSpan)"/>.</summary>
    public double LearningRateAt(long step) => LearningRateAt(step, TrainingTime);

    /// <summary>The learning rate of step k when <paramref name="trainingTime"/> has been spent training.</summary>
    public double LearningRateAt(long step, TimeSpan trainingTime)
    {
        var o = Options;
        if (o.Decay == LearningRateDecay.Cosine && o.TimeBudget is { } budget)
            return LearningRateSchedule.WarmupCosineOverFraction(step, o.LearningRate, o.WarmupSteps, trainingTime / budget, o.MinLearningRate);
        if (o.Decay == LearningRateDecay.Cosine)
            return LearningRateSchedule.WarmupCosine(step, o.LearningRate, o.WarmupSteps, o.TotalSteps, o.MinLearningRate);
        return o.WarmupSteps > 0 ? LearningRateSchedule.LinearWarmup(step, o.LearningRate, o.WarmupSteps) : o.LearningRate;
    }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.TotalSteps"/> (or for <paramref name="steps"/> more
    /// steps), stopping early at <paramref name="timeLimit"/>. Writes a checkpoint every
    /// <see cref="TrainingOptions.CheckpointEvery"/> steps and at the end when
    /// <see cref="TrainingOptions.CheckpointPath"/> is set.
    /// </summary>
    /// <remarks>
    /// Stopping the cell (or cancelling <paramref name="cancellationToken"/>) stops training at the
    /// next step boundary: the last report and checkpoint are written for the last completed step,
    /// and <see cref="OperationStoppedException"/> ends the cell with one line saying what is kept.
    /// Weights, EMA, optimizer, generators and <see cref="Losses"/> are those of that step, so
    /// calling Train again continues exactly as an uninterrupted run would have.
    /// </remarks>
    /// <exception cref="TrainingDivergedException">the loss or gradient became NaN or infinite.</exception>
    /// <exception cref="OperationStoppedException">the cell was stopped or the token cancelled.</exception>
    public TrainingSummary Train(long? steps = null, TimeSpan? timeLimit = null, IProgress<TrainingReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (steps is < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative");
        long target = steps is null ? Options.TotalSteps : Step + steps.Value;
        long first = Step, lastReportStep = Step, lastCheckpoint = -1;
        double lossSinceReport = 0, lastLoss = double.NaN, lastGradNorm = double.NaN, lastLr = LearningRateAt(Step), lastAverage = double.NaN;
        var clock = Stopwatch.StartNew();
        var working = new Stopwatch();      // this call's share of TrainingTime: steps and checkpoints
        var trainedBefore = TrainingTime;
        var lastReportTime = TimeSpan.Zero;
        bool stoppedByTime = false, stopped = false;
        using var stop = StopRequest.Watch(cancellationToken);

        void Report()
        {
            var now = clock.Elapsed;
            long done = Step - lastReportStep;
            double rate = done / Math.Max(1e-9, (now - lastReportTime).TotalSeconds);
            double overall = (Step - first) / Math.Max(1e-9, now.TotalSeconds);
            lastAverage = done > 0 ? lossSinceReport / done : lastAverage;
            double etaSeconds = overall > 0 ? (target - Step) / overall : 0;
            // TotalSteps may be "no limit" (long.MaxValue) when a time budget ends the run.
            var eta = etaSeconds < TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.FromSeconds(etaSeconds) : TimeSpan.MaxValue;
            long total = target;
            if (Options.TimeBudget is { } budget)
            {
                // A budgeted run ends when its time is spent: report the steps it will reach at the
                // speed so far (steps per second of training time) and the time left.
                var left = budget > TrainingTime ? budget - TrainingTime : TimeSpan.Zero;
                double perTrainingSecond = (Step - first) / Math.Max(1e-9, working.Elapsed.TotalSeconds);
                total = Math.Min(target, Step + (long)Math.Round(left.TotalSeconds * perTrainingSecond));
                if (overall <= 0 || left < eta) eta = left;
            }
            var report = new TrainingReport(Step, total, lastLoss, lastAverage, lastLr, lastGradNorm, rate, now, eta);
            lastReportStep = Step;
            lastReportTime = now;
            lossSinceReport = 0;
            ProgressChanged?.Invoke(this, report);
            progress?.Report(report);
        }

        while (Step < target)
        {
            if (stop.IsRequested) { stopped = true; break; }
            if (timeLimit is { } limit && clock.Elapsed >= limit) { stoppedByTime = true; break; }
            if (Options.TimeBudget is { } budget && TrainingTime >= budget) { stoppedByTime = true; break; }
            working.Start();
            try
            {
                (lastLoss, lastGradNorm, lastLr) = TrainStepCore();
                lossSinceReport += lastLoss;
                if (Options.CheckpointPath is { } path && Options.CheckpointEvery > 0 && Step % Options.CheckpointEvery == 0)
                {
                    SaveCheckpoint(path);
                    lastCheckpoint = Step;
                }
            }
            finally
            {
                working.Stop();
                TrainingTime = trainedBefore + working.Elapsed;
            }
            if (Step % Options.ProgressEvery == 0) Report();
        }
        if (Step != lastReportStep) Report();
        if (Options.CheckpointPath is { } finalPath && Step > first && lastCheckpoint != Step)
        {
            working.Start();
            SaveCheckpoint(finalPath);
            working.Stop();
            TrainingTime = trainedBefore + working.Elapsed;
            lastCheckpoint = Step;
        }
        if (stopped)
            throw stop.Stopped(TrainingStops.Describe(Step, target, "weights, EMA and optimizer state",
                lastCheckpoint == Step ? Options.CheckpointPath : null));
        clock.Stop();
        double speed = (Step - first) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        return new TrainingSummary(first, Step, lastAverage, clock.Elapsed, speed, stoppedByTime);
    }

    /// <summary>One optimizer step; returns its L_simple.</summary>
    public double TrainStep()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (loss, _, _) = TrainStepCore();
        return loss;
    }

    (double loss, double gradNorm, double lr) TrainStepCore()
    {
        long stepNumber = Step + 1;
        double lr = LearningRateAt(Step, TrainingTime);
        _model.train();
        using (NewDisposeScope())
        {
            var (x0, labels) = DrawBatch();
            long batch = x0.shape[0];
            // Ho et al. Algorithm 1: t ~ Uniform({1, …, T}) — schedule indices 0 … T−1 here — and ε ~ N(0, I);
            // or t drawn by its log-SNR (TimestepSampling).
            var t = TimestepSampler.Draw(Schedule, Options.TimestepSampling, batch, Generator, Options.LogSnrMean, Options.LogSnrStd).to(_device);
            var noise = randn(x0.shape, generator: Generator).to(x0.dtype, _device);
            var conditioning = DropLabels(labels, batch);
            var xt = Schedule.QSample(x0, t, noise);
            var prediction = _model.call(xt, t, conditioning);
            // L_simple, eq. 14, for an ε-model; for x_0 or v the same squared error of that target.
            var target = Options.Prediction == ModelOutput.Epsilon ? noise : Schedule.Target(Options.Prediction, x0, noise, t);
            var loss = (prediction - target).square().mean();
            double lossValue = loss.ToDouble();
            if (!double.IsFinite(lossValue)) throw new TrainingDivergedException(stepNumber, "loss", lossValue);

            Optimizer.zero_grad();
            loss.backward();
            double gradNorm = GradientNorms.ClipOrMeasure(_parameters, Options.GradientClipNorm);
            if (!double.IsFinite(gradNorm))
            {
                Optimizer.zero_grad();
                throw new TrainingDivergedException(stepNumber, "gradient norm", gradNorm);
            }
            foreach (var group in Optimizer.ParamGroups) group.LearningRate = lr;
            Optimizer.step();
            Optimizer.zero_grad();
            Ema.Update();
            Step = stepNumber;
            _losses.Add(lossValue);
            return (lossValue, gradNorm, lr);
        }
    }

    (Tensor x0, Tensor? labels) DrawBatch()
    {
        var batch = Data.Sample(Options.BatchSize, Generator);
        if (batch.Data is null) throw new InvalidOperationException("the training data returned a null batch");
        if (!batch.Data.dtype.IsFloatingPointType())
            throw new InvalidOperationException($"training data must be floating point, but the batch is {batch.Data.dtype}");
        var x0 = batch.Data.device == _device ? batch.Data : batch.Data.to(_device);
        var labels = batch.Labels is null ? null : batch.Labels.to(int64, _device);
        if (labels is not null && (labels.dim() != 1 || labels.shape[0] != x0.shape[0]))
            throw new InvalidOperationException($"the batch has {x0.shape[0]} examples but labels of shape [{string.Join(", ", labels.shape)}]");
        return (x0, labels);
    }

    /// <summary>Classifier-free guidance training (Ho &amp; Salimans 2022, Algorithm 1): each label is
    /// replaced by the null class with probability p_uncond. Unconditional models get no labels.</summary>
    Tensor? DropLabels(Tensor? labels, long batch)
    {
        if (_denoiser is not { IsClassConditional: true }) return null;
        if (labels is null)
            throw new InvalidOperationException($"{_denoiser.GetType().Name} is class-conditional ({_denoiser.NumClasses} classes) but the training data has no labels; use TrainingData.FromTensor(data, labels) or a labelled sampler");
        var coin = rand(new[] { batch }, generator: Generator).to(_device);
        var drop = coin.lt(Options.UnconditionalProbability);
        return where(drop, full(new[] { batch }, _denoiser.NullClass, int64, _device), labels);
    }

    // ------------------------------------------------------------------ checkpoints

    /// <summary>
    /// Writes model, EMA, optimizer state, step and both generators' states to one safetensors
    /// file, atomically (a crash leaves the previous file intact). Refuses (with
    /// <see cref="TrainingDivergedException"/>) when a weight is not finite, so a good checkpoint is
    /// never replaced by a broken one.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, p) in _model.named_parameters())
            {
                using var finite = p.isfinite().all();
                if (!finite.item<bool>()) throw new TrainingDivergedException(Step, $"parameter '{name}'", double.NaN);
            }
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in _model.state_dict()) tensors["model." + name] = t;
        foreach (var (name, t) in Ema.ShadowByName()) tensors["ema." + name] = t;
        foreach (var (name, t) in AdamWState.ToTensors(Optimizer)) tensors["optimizer." + name] = t;
        tensors["rng.trainer"] = Generator.get_state();
        tensors["rng.default_cpu"] = get_rng_state();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = CheckpointFormat,
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["ema_updates"] = Ema.Updates.ToString(CultureInfo.InvariantCulture),
            ["training_time_s"] = TrainingTime.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            ["model_type"] = _model.GetType().Name,
            ["model_config"] = _denoiser?.ConfigJson ?? "{}",
            ["training_options"] = Options.ToJson(),
            ["schedule"] = $"{Schedule.Name} ({Schedule.Length} steps)",
        };
        Safetensors.Save(tensors, path, metadata);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer (same model
    /// architecture and options): weights, EMA, optimizer, step and generators. Training then
    /// continues exactly as it would have without the interruption (bit for bit on the CPU).
    /// </summary>
    public void Resume(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var metadata = Safetensors.ReadMetadata(path);
        if (!metadata.TryGetValue("format", out var format) || format != CheckpointFormat)
            throw new InvalidDataException($"{path} is not a training checkpoint (its 'format' metadata is {(format is null ? "missing" : $"'{format}'")}, expected '{CheckpointFormat}')");
        if (metadata.TryGetValue("model_type", out var type) && type != _model.GetType().Name)
            throw new InvalidDataException($"{path} holds a {type}, but this trainer trains a {_model.GetType().Name}");
        long step = long.Parse(metadata["step"], CultureInfo.InvariantCulture);
        long emaUpdates = long.Parse(metadata["ema_updates"], CultureInfo.InvariantCulture);
        using var scope = NewDisposeScope();
        var all = Safetensors.Load(path);
        if (!all.TryGetValue("rng.trainer", out var trainerRng) || !all.TryGetValue("rng.default_cpu", out var defaultRng))
            throw new InvalidDataException($"{path} lacks the generator states (rng.trainer, rng.default_cpu)");
        _model.LoadStateDictChecked(Safetensors.Part(all, "model."), strict: true);
        Ema.Load(Safetensors.Part(all, "ema."), emaUpdates);
        AdamWState.Load(Optimizer, Safetensors.Part(all, "optimizer."), path);
        Generator.set_state(trainerRng);
        set_rng_state(defaultRng);
        Step = step;
        // Checkpoints from before the time budget existed have no training time: count it as zero.
        TrainingTime = metadata.TryGetValue("training_time_s", out var seconds)
            ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
    }

    /// <summary>The "step" recorded in a checkpoint file.</summary>
    public static long CheckpointStep(string path) =>
        long.Parse(Safetensors.ReadMetadata(path).GetValueOrDefault("step") ?? throw new InvalidDataException($"{path} has no 'step' metadata"), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Optimizer.Dispose();
        Ema.Dispose();
        Generator.Dispose();
    }
}

internal static class ScalarTypeChecks
{
    public static bool IsFloatingPointType(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;
}

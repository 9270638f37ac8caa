using System.Diagnostics;
using Course.Diffusion.Models;
using Course.Diffusion.Samplers;
using Course.Diffusion.Training;
using Course.Interrupts;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.TrainLive;

/// <summary>
/// What a class watches while the model trains: every <see cref="Every"/> of wall-clock time, a grid of
/// samples by class from the moving average of the weights, always from the same starting noise, so each
/// cell of the grid shows one sample becoming clothing. Call <see cref="DrawIfDue"/> from the trainer's
/// progress event; the time it takes is not training time (<see cref="DiffusionTrainer.TrainingTime"/>).
/// </summary>
public sealed class LivePreview : IDisposable
{
    readonly DiffusionTrainer _trainer;
    readonly DenoisingModel _model;
    readonly LiveTrainingRecipe _recipe;
    readonly Sampler _sampler;
    readonly Tensor _noise, _labels;
    readonly Stopwatch _sinceLast = new();
    Tensor? _latest;

    /// <param name="trainer">The trainer whose EMA weights are shown.</param>
    /// <param name="model">The model that trainer trains.</param>
    /// <param name="every">Wall-clock time between two grids.</param>
    /// <param name="perClass">Samples per class: the grid's columns.</param>
    /// <param name="seed">Seed of the fixed starting noise.</param>
    public LivePreview(DiffusionTrainer trainer, DenoisingModel model, LiveTrainingRecipe recipe, TimeSpan every, int perClass = 10, long seed = 1)
    {
        _trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        if (!model.IsClassConditional) throw new ArgumentException(LearnerMessages.PreviewNeedsClasses, nameof(model));
        if (every < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(every), every, LearnerMessages.PreviewIntervalNegative);
        Every = every;
        PerClass = perClass;
        _sampler = recipe.Sampler();
        _labels = ClassSamples.Labels(model.NumClasses, perClass).DetachFromDisposeScope();
        using var g = new Generator(unchecked((ulong)seed));
        var shape = new[] { _labels.shape[0] }.Concat(model.SampleShape).ToArray();
        _noise = randn(shape, generator: g).DetachFromDisposeScope();
    }

    public TimeSpan Every { get; }
    public int PerClass { get; }

    /// <summary>The latest grid's images, class-major [classes · PerClass, C, H, W] (owned by the preview).</summary>
    public Tensor? Latest => _latest;

    /// <summary>The step the latest grid was drawn at.</summary>
    public long LatestStep { get; private set; }

    /// <summary>How long drawing the latest grid took.</summary>
    public TimeSpan LastDuration { get; private set; }

    /// <summary>Whether <see cref="Every"/> has passed since the last grid (always before the first).</summary>
    public bool Due => !_sinceLast.IsRunning || _sinceLast.Elapsed >= Every;

    /// <summary>Draws a grid when one is due; returns whether it drew. A stop request during drawing
    /// leaves the previous grid and returns false, so the trainer stops at its next step and says so.</summary>
    public bool DrawIfDue() => Due && Draw();

    /// <summary>Draws a grid now with the EMA weights (the model's own weights are restored after).</summary>
    public bool Draw()
    {
        var clock = Stopwatch.StartNew();
        Tensor images;
        try
        {
            using var ema = _trainer.Ema.Swap();
            images = _sampler.Sample(_recipe.Guided(_model), _noise.shape, classLabels: _labels, initialNoise: _noise);
        }
        catch (OperationStoppedException)
        {
            return false;
        }
        _latest?.Dispose();
        _latest = images.DetachFromDisposeScope();
        LatestStep = _trainer.Step;
        LastDuration = clock.Elapsed;
        _sinceLast.Restart();
        return true;
    }

    public void Dispose()
    {
        _latest?.Dispose();
        _noise.Dispose();
        _labels.Dispose();
    }
}

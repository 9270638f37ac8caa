using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// A network that predicts the noise ε in x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4 and 14):
/// <c>forward(x_t, t, classLabels)</c> with x_t [B, ...], integer timesteps t [B] and, for a
/// class-conditional model, labels [B] in 0 … <see cref="NullClass"/> (the last one meaning "no
/// class", for classifier-free guidance). Unconditional models take <c>null</c> labels.
/// </summary>
public abstract class DenoisingModel : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    protected DenoisingModel(string name, int numClasses) : base(name)
    {
        if (numClasses < 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "the number of classes cannot be negative (0 means unconditional)");
        NumClasses = numClasses;
    }

    /// <summary>How many real classes the model is conditioned on; 0 for an unconditional model.</summary>
    public int NumClasses { get; }

    public bool IsClassConditional => NumClasses > 0;

    /// <summary>The label meaning "no class" (= <see cref="NumClasses"/>): the unconditional branch of
    /// classifier-free guidance (Ho &amp; Salimans 2022), and what label dropout trains.</summary>
    public int NullClass => IsClassConditional ? NumClasses
        : throw new InvalidOperationException($"{GetType().Name} is unconditional (numClasses = 0), so it has no null class");

    /// <summary>The shape of one sample, without the batch dimension (e.g. [2] or [1, 28, 28]).</summary>
    public abstract long[] SampleShape { get; }

    /// <summary>The constructor arguments as JSON, stored in checkpoints so a model can be rebuilt.</summary>
    public abstract string ConfigJson { get; }

    /// <summary>Unconditional prediction (for a conditional model: the null class).</summary>
    public Tensor forward(Tensor x, Tensor t) => forward(x, t, null);

    public Tensor call(Tensor x, Tensor t) => forward(x, t, null);

    /// <summary>Checks x [B, SampleShape...], t [B] and labels [B]; returns B.</summary>
    Tensor? _lastCheckedLabels;

    protected long CheckInputs(Tensor x, Tensor t, Tensor? classLabels)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        var xs = x.shape;
        var expected = SampleShape;
        if (xs.Length != expected.Length + 1 || !xs.AsSpan(1).SequenceEqual(expected))
            throw new ArgumentException($"{GetType().Name} expects x of shape [batch, {string.Join(", ", expected)}], but got [{string.Join(", ", xs)}]", nameof(x));
        long batch = xs[0];
        var ts = t.shape;
        if (ts.Length != 1 || ts[0] != batch)
            throw new ArgumentException($"timesteps t must have shape [{batch}] (one per sample), but have [{string.Join(", ", ts)}]", nameof(t));
        if (classLabels is null) return batch;
        if (!IsClassConditional)
            throw new ArgumentException($"{GetType().Name} is unconditional (numClasses = 0) but class labels were given", nameof(classLabels));
        var ls = classLabels.shape;
        if (ls.Length != 1 || ls[0] != batch)
            throw new ArgumentException($"class labels must have shape [{batch}], but have [{string.Join(", ", ls)}]", nameof(classLabels));
        if (classLabels.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"class labels must be integers (int64), but are {classLabels.dtype}", nameof(classLabels));
        // A sampler passes the same labels at every step: check them once, not at every step
        // (on a GPU each check waits for the device).
        if (batch > 0 && !ReferenceEquals(classLabels, _lastCheckedLabels))
        {
            var (lo, hi) = IntegerRange.Of(classLabels);
            if (lo < 0 || hi > NumClasses)
                throw new ArgumentOutOfRangeException(nameof(classLabels), $"class labels must lie in 0 … {NumClasses} ({NumClasses} is the null class), but range from {lo} to {hi}");
            _lastCheckedLabels = classLabels;
        }
        return batch;
    }

    /// <summary>Labels as int64, with null replaced by the null class for every sample.</summary>
    protected Tensor LabelsOrNull(Tensor? classLabels, long batch, Device device) =>
        classLabels is null ? full(new[] { batch }, NullClass, int64, device) : classLabels.to(int64);
}

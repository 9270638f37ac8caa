using Course.Diffusion.Processes;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Samplers;

/// <summary>Classifier-free guidance (Ho &amp; Salimans 2022).</summary>
public static class ClassifierFreeGuidance
{
    /// <summary>
    /// A denoiser that mixes a conditional model's two predictions:
    /// out = out(x, t, null class) + scale (out(x, t, labels) - out(x, t, null class)).
    /// Scale 0 is the unconditional model exactly, 1 the conditional model, above 1 guidance.
    /// (Ho &amp; Salimans write (1 + w) eps_cond - w eps_uncond: that is scale = 1 + w.) The two predictions
    /// are separate calls, so each equals the model's own output bit for bit.
    /// </summary>
    public static Denoiser Guide(Denoiser model, double scale, long nullClass)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the guidance scale must be finite");
        return (x, t, labels) =>
        {
            if (labels is null) throw new ArgumentException("classifier-free guidance needs class labels to guide towards", "classLabels");
            using var scope = NewDisposeScope();
            var nullLabels = full_like(labels, nullClass);
            var unconditional = model(x, t, nullLabels);
            var conditional = model(x, t, labels);
            return (unconditional + scale * (conditional - unconditional)).MoveToOuterDisposeScope();
        };
    }
}

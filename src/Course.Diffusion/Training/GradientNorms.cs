using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Training;

internal static class GradientNorms
{
    /// <summary>The one gradient-norm step of every course trainer (diffusion, VAE, GAN): clips the joint gradient norm to <paramref name="maxNorm"/> (0: no clipping) and returns the norm before clipping.</summary>
    public static double ClipOrMeasure(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        if (maxNorm > 0 && !double.IsPositiveInfinity(maxNorm)) return nn.utils.clip_grad_norm_(parameters, maxNorm);
        using (no_grad())
        using (NewDisposeScope())
        {
            double sum = 0;
            foreach (var p in parameters)
            {
                var g = p.grad;
                if (g is null) continue;
                double n = g.norm().ToDouble();
                sum += n * n;
            }
            return Math.Sqrt(sum);
        }
    }
}

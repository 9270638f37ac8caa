using Course.Diffusion.Samplers;
using Course.Interrupts;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>Annealed Langevin dynamics (Song &amp; Ermon 2019, Algorithm 1) with a noise-conditional score s(x, sigma).</summary>
public static class AnnealedLangevin
{
    /// <summary>L noise levels from sigma_1 = <paramref name="sigmaMax"/> down to sigma_L = <paramref name="sigmaMin"/>, a geometric sequence.</summary>
    public static double[] GeometricSigmas(double sigmaMax, double sigmaMin, int levels)
    {
        if (!(sigmaMax > 0) || !(sigmaMin > 0) || !double.IsFinite(sigmaMax)) throw new ArgumentOutOfRangeException(nameof(sigmaMax), "noise levels must be positive and finite");
        if (sigmaMin > sigmaMax) throw new ArgumentException($"sigmaMin ({sigmaMin}) must not exceed sigmaMax ({sigmaMax})", nameof(sigmaMin));
        if (levels < 1) throw new ArgumentOutOfRangeException(nameof(levels), levels, "at least one noise level is needed");
        if (levels == 1) return new[] { sigmaMax };
        double ratio = Math.Pow(sigmaMin / sigmaMax, 1.0 / (levels - 1));
        return Enumerable.Range(0, levels).Select(i => i == levels - 1 ? sigmaMin : sigmaMax * Math.Pow(ratio, i)).ToArray();
    }

    /// <summary>
    /// For each level i (largest sigma first), <paramref name="stepsPerLevel"/> Langevin steps with
    /// alpha_i = epsilon sigma_i^2 / sigma_L^2: x = x + (alpha_i / 2) s(x, sigma_i) + sqrt(alpha_i) z.
    /// The score is called with sigma as a tensor [N] of x's dtype and device.
    /// </summary>
    /// <param name="cancellationToken">Also stopped by stopping the cell: before the next step, with <see cref="OperationStoppedException"/>.</param>
    public static Tensor Sample(Func<Tensor, Tensor, Tensor> score, Tensor initial, double[] sigmas, double epsilon, int stepsPerLevel,
        Generator? generator = null, IList<Tensor>? trajectory = null, int trajectoryEvery = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.Length == 0) throw new ArgumentException("at least one noise level is needed", nameof(sigmas));
        if (sigmas.Any(s => !(s > 0) || !double.IsFinite(s))) throw new ArgumentException("noise levels must be positive and finite", nameof(sigmas));
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "the step size epsilon must be positive");
        if (stepsPerLevel < 1) throw new ArgumentOutOfRangeException(nameof(stepsPerLevel), "at least one step per level is needed");
        if (trajectoryEvery < 1) throw new ArgumentOutOfRangeException(nameof(trajectoryEvery), "trajectoryEvery must be at least 1");
        var x = initial.detach().clone().DetachFromDisposeScope();
        trajectory?.Add(x.clone());
        double sigmaL = sigmas[^1];
        int taken = 0, total = sigmas.Length * stepsPerLevel;
        using var stop = StopRequest.Watch(cancellationToken);
        using (no_grad())
            foreach (var sigma in sigmas)
            {
                double alpha = epsilon * sigma * sigma / (sigmaL * sigmaL);
                for (int k = 0; k < stepsPerLevel; k++)
                {
                    if (stop.IsRequested)
                    {
                        x.Dispose();
                        throw stop.Stopped(SamplingStops.Describe("annealed Langevin", taken, total, trajectory));
                    }
                    using (NewDisposeScope())
                    {
                        var level = full(new[] { x.shape[0] }, sigma, x.dtype, x.device);
                        var s = score(x, level);
                        var z = Noise.RandnLike(x, generator);
                        x.add_(s, alpha / 2).add_(z, Math.Sqrt(alpha));
                    }
                    taken++;
                    if (trajectory != null && (taken % trajectoryEvery == 0 || taken == total)) trajectory.Add(x.clone());
                }
            }
        var result = x.clone();
        x.Dispose();
        return result;
    }
}

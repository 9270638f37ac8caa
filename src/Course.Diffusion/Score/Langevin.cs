using Course.Diffusion.Samplers;
using Course.Interrupts;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>
/// Unadjusted Langevin dynamics (Welling &amp; Teh 2011; Song &amp; Ermon 2019 eq. 4):
/// x_{k+1} = x_k + (epsilon / 2) grad log p(x_k) + sqrt(epsilon) z_k. As epsilon -> 0 and the number of
/// steps grows, x approaches a sample of p; with a finite step the stationary law is slightly wider.
/// </summary>
public static class Langevin
{
    /// <param name="score">grad_x log p(x) for a batch x [N, ...].</param>
    /// <param name="initial">Starting points (not modified).</param>
    /// <param name="stepSize">epsilon &gt; 0.</param>
    /// <param name="trajectory">If given, receives the start and then x after every <paramref name="trajectoryEvery"/> steps (and the end).</param>
    /// <param name="cancellationToken">Also stopped by stopping the cell: before the next step, with <see cref="OperationStoppedException"/>.</param>
    public static Tensor Sample(Func<Tensor, Tensor> score, Tensor initial, double stepSize, int steps, Generator? generator = null,
        IList<Tensor>? trajectory = null, int trajectoryEvery = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(initial);
        if (!(stepSize > 0) || !double.IsFinite(stepSize)) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "the step size must be positive and finite");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of steps cannot be negative");
        if (trajectoryEvery < 1) throw new ArgumentOutOfRangeException(nameof(trajectoryEvery), "trajectoryEvery must be at least 1");
        var x = initial.detach().clone().DetachFromDisposeScope();
        trajectory?.Add(x.clone());
        double noiseScale = Math.Sqrt(stepSize);
        using var stop = StopRequest.Watch(cancellationToken);
        using (no_grad())
            for (int k = 1; k <= steps; k++)
            {
                if (stop.IsRequested)
                {
                    x.Dispose();
                    throw stop.Stopped(SamplingStops.Describe("Langevin", k - 1, steps, trajectory));
                }
                using (NewDisposeScope())
                {
                    var s = score(x);
                    var z = Noise.RandnLike(x, generator);
                    x.add_(s, stepSize / 2).add_(z, noiseScale);
                }
                if (trajectory != null && (k % trajectoryEvery == 0 || k == steps)) trajectory.Add(x.clone());
            }
        var result = x.clone();
        x.Dispose();
        return result;
    }
}

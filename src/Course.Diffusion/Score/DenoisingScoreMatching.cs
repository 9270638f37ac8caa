using Course.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Score;

/// <summary>Denoising score matching (Vincent 2011) with noise-level weighting (Song &amp; Ermon 2019, eq. 5-6).</summary>
public static class DenoisingScoreMatching
{
    /// <summary>
    /// With x~ = x + sigma z, the score of q_sigma(x~ | x) is -(x~ - x) / sigma^2 = -z / sigma, so
    /// l(sigma) = 1/2 E ||s(x~, sigma) + z / sigma||^2; weighted by lambda(sigma) = sigma^2 this is
    /// 1/2 E ||sigma s(x~, sigma) + z||^2. Returns the batch mean of that (summed over dimensions), keeping the graph.
    /// <paramref name="sigmas"/> holds one noise level per sample [B].
    /// </summary>
    public static Tensor Loss(Func<Tensor, Tensor, Tensor> score, Tensor x, Tensor sigmas, Generator? generator = null, Tensor? noise = null)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(sigmas);
        if (sigmas.ndim != 1 || sigmas.shape[0] != x.shape[0])
            throw new ArgumentException($"sigmas must have shape [{x.shape[0]}] (one per sample), got [{string.Join(", ", sigmas.shape)}]", nameof(sigmas));
        using var scope = NewDisposeScope();
        var z = noise ?? Noise.RandnLike(x, generator);
        var view = new long[x.ndim];
        Array.Fill(view, 1L);
        view[0] = x.shape[0];
        var sigma = sigmas.to(x.dtype, x.device).reshape(view);
        var noisy = x + sigma * z;
        var s = score(noisy, sigmas);
        var residual = (sigma * s + z).square();
        var dims = Enumerable.Range(1, (int)x.ndim - 1).Select(d => (long)d).ToArray();
        var perSample = dims.Length == 0 ? residual : residual.sum(dims);
        return (0.5 * perSample.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>One noise level per sample, drawn uniformly from <paramref name="levels"/> (Song &amp; Ermon eq. 6 averages over them).</summary>
    public static Tensor DrawSigmas(double[] levels, long batch, Generator? generator = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Length == 0) throw new ArgumentException("at least one noise level is needed", nameof(levels));
        using var scope = NewDisposeScope();
        var drawDevice = generator?.device ?? CPU;
        var index = randint(0, levels.Length, new[] { batch }, int64, drawDevice, generator: generator);
        var table = tensor(levels, dtype: float64, device: drawDevice);
        return table.index_select(0, index).to(device ?? drawDevice).MoveToOuterDisposeScope();
    }
}

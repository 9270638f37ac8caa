using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Metrics;

/// <summary>
/// What <see cref="CoarseToFine.Measure"/> found along one sampling trajectory: for every point of it and every
/// spatial-frequency band, how much of that band of the final samples the guess at that point still has wrong, and
/// from which t on each band stays settled.
/// </summary>
/// <param name="BandNames">"coarse", ("middle" or "band k", …), "fine": from the largest blocks to single pixels.</param>
/// <param name="BandGrids">each band's grid, e.g. "7 × 7" for 4 × 4-pixel blocks of a 28 × 28 image.</param>
/// <param name="BandDimensions">how many dimensions of one image each band spans (they add up to C·H·W).</param>
/// <param name="Timesteps">the t of every point, in sampling order (strictly decreasing).</param>
/// <param name="Remaining">[point][band]: Σ over the samples of the band's squared error of the guess, over Σ of the
/// band's squared distance of the final samples from the baseline (0: settled; 1: no better than the baseline).</param>
/// <param name="RemainingPerSample">[sample][point][band]: the same for each sample alone.</param>
/// <param name="EnergyShare">[band]: the share of the final samples' squared distance from the baseline in each
/// band (for white noise it is the band's share of the dimensions).</param>
/// <param name="Threshold">the remaining error at or below which a band counts as settled.</param>
/// <param name="SettledAt">[band]: the t from which on <see cref="Remaining"/> stays at or below the threshold.</param>
/// <param name="SettledAtPerSample">[sample][band]: the same for each sample alone.</param>
public sealed record CoarseToFineResult(IReadOnlyList<string> BandNames, IReadOnlyList<string> BandGrids,
    IReadOnlyList<int> BandDimensions, IReadOnlyList<long> Timesteps, IReadOnlyList<double[]> Remaining,
    IReadOnlyList<IReadOnlyList<double[]>> RemainingPerSample, IReadOnlyList<double> EnergyShare, double Threshold,
    IReadOnlyList<double> SettledAt, IReadOnlyList<double[]> SettledAtPerSample)
{
    /// <summary>How many samples (trajectories) were measured.</summary>
    public int Samples => SettledAtPerSample.Count;

    /// <summary>Which of two bands settles first (at the larger t), with the samples as repeats: a band is named
    /// first only where the gap between the two bands' mean settling t is larger than the range of either band's
    /// settling t over the samples (<see cref="Ranking.BestOfRepeated"/>); otherwise the run cannot tell. Needs at
    /// least two samples.</summary>
    public RankingResult Order(int first, int second)
    {
        if (first < 0 || first >= BandNames.Count) throw new ArgumentOutOfRangeException(nameof(first), first, $"there are {BandNames.Count} bands");
        if (second < 0 || second >= BandNames.Count || second == first)
            throw new ArgumentOutOfRangeException(nameof(second), second, $"a second band, other than {first}, of {BandNames.Count}");
        if (Samples < 2) throw new InvalidOperationException($"an order against the spread over samples needs at least two samples, got {Samples}");
        IReadOnlyList<double> Of(int band) => SettledAtPerSample.Select(s => s[band]).ToArray();
        return Ranking.BestOfRepeated(LearnerMessages.SettlesFirst(Threshold),
            new[] { (BandNames[first], Of(first)), (BandNames[second], Of(second)) }, lowerIsBetter: false,
            LearnerMessages.RangeOverSamples(Samples));
    }

    /// <summary>The coarse band against the fine band: <see cref="Order"/>(0, last).</summary>
    public RankingResult CoarseAgainstFine() => Order(0, BandNames.Count - 1);
}

/// <summary>
/// A measure of coarse-to-fine generation (Ho et al. 2020, §4.3 and Fig. 6 describe it: large-scale features appear
/// first, details last). Along a sampling trajectory the sampler holds a guess of the final image at every step
/// (DDPM's x̂₀); this compares the guess with the final sample band by band, after splitting images into nested
/// spatial-frequency bands by block means: the coarse band is the image averaged over blocks of the largest size
/// (its low-pass), each further band what the next smaller block size adds, the fine band what single pixels add.
/// The block-mean projections are nested and orthogonal, so the bands' squared norms add up to the image's.
///
/// Each band's error is a fraction of that band's own content: the squared distance of the final samples from a
/// baseline (what a guess that decides nothing would say, e.g. the data's mean image) within the band. So a band is
/// "settled" when the guess has most of what that band finally holds, however little or much energy the band
/// carries. On images without spatial structure (white noise) every band holds the same content per dimension, so
/// a process without spatial structure (noise shrinking everywhere alike, pixels settling in a random order, a guess
/// of pure noise) settles every band together and names no order; a process that fixes the block averages before
/// the detail settles the coarse band at a larger t. What the measure reports for real images is therefore the
/// order in which the guess fixes each band's own content; natural images hold most of their content in the
/// coarse bands (<see cref="CoarseToFineResult.EnergyShare"/>), and noise of a given level hides a band with little
/// content sooner, which is why denoising settles them in that order.
/// </summary>
public static class CoarseToFine
{
    /// <summary>The default block sizes: 4 × 4 and 2 × 2 blocks, so three bands (coarse, middle, fine).</summary>
    public static IReadOnlyList<int> DefaultBlockSizes { get; } = new[] { 4, 2 };

    /// <param name="timesteps">the t of every point of the trajectory, strictly decreasing (sampling order).</param>
    /// <param name="predictions">the guess of the final images at every point, each [N, C, H, W] like <paramref name="final"/>.</param>
    /// <param name="final">the final samples [N, C, H, W].</param>
    /// <param name="baseline">the guess that decides nothing (broadcast to [N, C, H, W]; e.g. the data's mean image
    /// [C, H, W]); null for zero.</param>
    /// <param name="blockSizes">block sizes of the bands, largest first, each a multiple of the next and above 1;
    /// H and W must be multiples of the first. Default 4, 2.</param>
    /// <param name="threshold">remaining error at or below which a band counts as settled, in (0, 1).</param>
    public static CoarseToFineResult Measure(IReadOnlyList<long> timesteps, IReadOnlyList<Tensor> predictions, Tensor final,
        Tensor? baseline = null, IReadOnlyList<int>? blockSizes = null, double threshold = 0.1)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(final);
        var blocks = (blockSizes ?? DefaultBlockSizes).ToArray();
        CheckImages(final, blocks, nameof(final));
        if (timesteps.Count < 2 || timesteps.Count != predictions.Count)
            throw new ArgumentException($"need the same number (at least two) of timesteps and predictions, got {timesteps.Count} and {predictions.Count}");
        for (int i = 1; i < timesteps.Count; i++)
            if (timesteps[i] >= timesteps[i - 1])
                throw new ArgumentException($"timesteps must decrease strictly (sampling order), but t = {timesteps[i]} follows t = {timesteps[i - 1]}", nameof(timesteps));
        for (int i = 0; i < predictions.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(predictions[i], nameof(predictions));
            if (!predictions[i].shape.SequenceEqual(final.shape))
                throw new ArgumentException($"prediction {i} is [{string.Join(", ", predictions[i].shape)}], the final samples [{string.Join(", ", final.shape)}]", nameof(predictions));
        }
        if (!(threshold > 0 && threshold < 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold must lie in (0, 1)");

        using var scope = NewDisposeScope();
        var target = final.detach().to(float64);
        var reference = baseline is null ? zeros_like(target) : BroadcastBaseline(baseline, target);
        var content = BandEnergies(target - reference, blocks);                    // [N][band]
        int n = content.Length, bands = blocks.Length + 1;
        for (int s = 0; s < n; s++)
            for (int b = 0; b < bands; b++)
                if (!(content[s][b] > 0))
                    throw new ArgumentException($"sample {s} does not differ from the baseline in band {b}: nothing there to settle", nameof(final));
        var errors = predictions.Select(p => BandEnergies(p.detach().to(float64) - target, blocks)).ToArray();   // [point][N][band]

        var totalContent = Enumerable.Range(0, bands).Select(b => content.Sum(c => c[b])).ToArray();
        var pooled = errors.Select(e => Enumerable.Range(0, bands).Select(b => e.Sum(s => s[b]) / totalContent[b]).ToArray()).ToArray();
        var perSample = Enumerable.Range(0, n).Select(s => (IReadOnlyList<double[]>)errors
            .Select(e => Enumerable.Range(0, bands).Select(b => e[s][b] / content[s][b]).ToArray()).ToArray()).ToArray();
        double grand = totalContent.Sum();
        var names = BandNamesFor(bands);
        long h = final.shape[2], w = final.shape[3];
        var grids = blocks.Select(f => $"{h / f} × {w / f}").Append($"{h} × {w}").ToArray();
        var dimensions = Dimensions(final.shape[1], h, w, blocks);
        return new CoarseToFineResult(names, grids, dimensions, timesteps.ToArray(), pooled, perSample,
            totalContent.Select(c => c / grand).ToArray(), threshold,
            Enumerable.Range(0, bands).Select(b => SettledAt(timesteps, pooled.Select(r => r[b]).ToArray(), threshold)).ToArray(),
            perSample.Select(curves => Enumerable.Range(0, bands)
                .Select(b => SettledAt(timesteps, curves.Select(r => r[b]).ToArray(), threshold)).ToArray()).ToArray());
    }

    /// <summary>The squared norm of each band of each image [N, C, H, W]: [N][band], coarse first. They add up to
    /// the image's squared norm (the bands are orthogonal).</summary>
    public static double[][] BandEnergies(Tensor images, IReadOnlyList<int>? blockSizes = null)
    {
        var blocks = (blockSizes ?? DefaultBlockSizes).ToArray();
        CheckImages(images, blocks, nameof(images));
        using var scope = NewDisposeScope();
        var x = images.detach().to(float64);
        long n = x.shape[0];
        // The squared norm of the projection onto images constant on f × f blocks: f² Σ (block mean)².
        var levels = blocks.Select(f => (nn.functional.avg_pool2d(x, f).square().reshape(n, -1).sum(1) * (f * f))
            .data<double>().ToArray()).Append(x.square().reshape(n, -1).sum(1).data<double>().ToArray()).ToArray();
        return Enumerable.Range(0, (int)n).Select(i => Enumerable.Range(0, levels.Length)
            .Select(b => Math.Max(0, levels[b][i] - (b == 0 ? 0 : levels[b - 1][i]))).ToArray()).ToArray();
    }

    /// <summary>The t from which on <paramref name="remaining"/> (in the order of <paramref name="timesteps"/>) stays
    /// at or below the threshold, interpolated linearly between the last point above it and the next; the first t if
    /// it never rises above it, the last t if the last point is still above it.</summary>
    public static double SettledAt(IReadOnlyList<long> timesteps, IReadOnlyList<double> remaining, double threshold)
    {
        ArgumentNullException.ThrowIfNull(timesteps);
        ArgumentNullException.ThrowIfNull(remaining);
        if (timesteps.Count == 0 || timesteps.Count != remaining.Count)
            throw new ArgumentException($"need as many timesteps as values (at least one), got {timesteps.Count} and {remaining.Count}");
        int last = remaining.Count - 1;
        while (last >= 0 && remaining[last] <= threshold) last--;
        if (last < 0) return timesteps[0];
        if (last == remaining.Count - 1) return timesteps[last];
        double r0 = remaining[last], r1 = remaining[last + 1];
        return timesteps[last] + (r0 - threshold) / (r0 - r1) * (timesteps[last + 1] - timesteps[last]);
    }

    static string[] BandNamesFor(int bands) => Enumerable.Range(0, bands)
        .Select(b => LearnerMessages.ImageBand(b, bands)).ToArray();

    static int[] Dimensions(long channels, long h, long w, int[] blocks)
    {
        var level = blocks.Select(f => channels * (h / f) * (w / f)).Append(channels * h * w).ToArray();
        return Enumerable.Range(0, level.Length).Select(b => (int)(level[b] - (b == 0 ? 0 : level[b - 1]))).ToArray();
    }

    static Tensor BroadcastBaseline(Tensor baseline, Tensor target)
    {
        try
        {
            return baseline.detach().to(float64).expand(target.shape).contiguous();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"the baseline [{string.Join(", ", baseline.shape)}] does not broadcast to the samples [{string.Join(", ", target.shape)}]", nameof(baseline), e);
        }
    }

    static void CheckImages(Tensor images, int[] blocks, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.ndim != 4 || images.shape[0] < 1)
            throw new ArgumentException($"expected images [N, C, H, W], got [{string.Join(", ", images.shape)}]", name);
        if (blocks.Length == 0) throw new ArgumentException("need at least one block size (two bands)", nameof(blocks));
        for (int i = 0; i < blocks.Length; i++)
        {
            if (blocks[i] < 2) throw new ArgumentException($"block sizes must be at least 2, got {blocks[i]}", "blockSizes");
            if (i > 0 && (blocks[i] >= blocks[i - 1] || blocks[i - 1] % blocks[i] != 0))
                throw new ArgumentException($"block sizes must decrease, each a multiple of the next (nested bands), got {string.Join(", ", blocks)}", "blockSizes");
        }
        if (images.shape[2] % blocks[0] != 0 || images.shape[3] % blocks[0] != 0)
            throw new ArgumentException($"the image size {images.shape[2]} × {images.shape[3]} is not a multiple of the block size {blocks[0]}", name);
    }
}

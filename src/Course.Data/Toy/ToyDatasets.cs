using TorchSharp;
using static TorchSharp.torch;

namespace Course.Data;

/// <summary>
/// Two-dimensional toy distributions for the 2D lessons. Every sampler takes the number of points
/// and a <see cref="Generator"/> (or a seed), and returns float32 [n, 2]. Randomness is drawn in
/// float64 on the generator's device (CPU when the generator is null: then torch.manual_seed governs),
/// so a seed gives the same points whatever <c>device</c> they are moved to.
///
/// Scale: every set lies within about [-3, 3]^2 (only the Swiss roll's noise reaches a little
/// beyond) with a per-coordinate standard deviation between about 0.5 and 1.4, close enough to
/// N(0, I) for the noise schedules of the lessons to apply unchanged. The exact scalings (most follow the toy code of FFJORD, Grathwohl et al. 2019, and of
/// WGAN-GP, Gulrajani et al. 2017) are stated on each sampler and in datasets/README.md.
/// </summary>
public static class ToyDatasets
{
    /// <summary>The names <see cref="Sample(string, long, Generator?, Device?)"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "swiss-roll", "moons", "8gaussians", "checkerboard", "rings", "gaussian-mixture" };

    /// <summary>A sample of the named set with its default parameters. Names are case-insensitive;
    /// '_' and ' ' count as '-', and "eight-gaussians" / "8-gaussians" mean "8gaussians".</summary>
    public static Tensor Sample(string name, long n, Generator? generator = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Canonical(name) switch
        {
            "swiss-roll" => SwissRoll(n, generator, device),
            "moons" => Moons(n, generator, device),
            "8gaussians" => EightGaussians(n, generator, device),
            "checkerboard" => Checkerboard(n, generator, device),
            "rings" => Rings(n, generator, device),
            "gaussian-mixture" => DefaultMixture.Sample(n, generator, device),
            _ => throw new ArgumentException(LearnerMessages.UnknownToyDataset(name, Names), nameof(name)),
        };
    }

    public static Tensor Sample(string name, long n, long seed, Device? device = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Sample(name, n, generator, device);
    }

    static string Canonical(string name)
    {
        var s = name.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
        return s switch
        {
            "swissroll" => "swiss-roll",
            "two-moons" or "twomoons" => "moons",
            "eight-gaussians" or "8-gaussians" or "eightgaussians" => "8gaussians",
            "concentric-rings" or "circles" => "rings",
            "mixture" or "gmm" => "gaussian-mixture",
            _ => s,
        };
    }

    // ---------------------------------------------------------------- Swiss roll

    /// <summary>
    /// The 2D Swiss roll: t ~ U[1.5 pi, 4.5 pi], x = (t cos t, t sin t) / 5 + noise * N(0, I).
    /// This is scikit-learn's make_swiss_roll (its x and z coordinates) divided by 5, as in FFJORD's
    /// toy data, whose noise 1.0 before the division is the default 0.2 here. Radius t/5 runs from
    /// 0.94 to 2.83; per-coordinate std about 1.4.
    /// </summary>
    public static Tensor SwissRoll(long n, Generator? generator = null, Device? device = null, double noise = 0.2)
    {
        ToySampling.CheckCount(n);
        CheckNoise(noise);
        var drawDevice = ToySampling.DrawDevice(generator);
        using var scope = NewDisposeScope();
        var u = rand(new[] { n }, float64, drawDevice, generator: generator);
        var t = (u * 2 + 1) * (1.5 * Math.PI);
        var points = stack(new[] { t * t.cos(), t * t.sin() }, 1) / 5.0;
        if (noise > 0) points = points + randn(new[] { n, 2 }, float64, drawDevice, generator: generator) * noise;
        return ToySampling.Finish(points, device).MoveToOuterDisposeScope();
    }

    public static Tensor SwissRoll(long n, long seed, Device? device = null, double noise = 0.2)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return SwissRoll(n, generator, device, noise);
    }

    // ---------------------------------------------------------------- two moons

    /// <summary>
    /// Two interleaved half circles of radius 1 (scikit-learn's make_moons, centred at the origin):
    /// the upper moon is (cos a - 0.5, sin a - 0.25) and the lower one its mirror through the origin,
    /// (0.5 - cos a, 0.25 - sin a), with a ~ U[0, pi] and isotropic Gaussian noise of std
    /// <paramref name="noise"/>. Exactly floor(n/2) points lie on the upper moon, in random order.
    /// The upper moon's circle is centred at (-0.5, -0.25), the lower one's at (0.5, 0.25).
    /// Per-coordinate std about (0.87, 0.49).
    /// </summary>
    public static Tensor Moons(long n, Generator? generator = null, Device? device = null, double noise = 0.05)
    {
        ToySampling.CheckCount(n);
        CheckNoise(noise);
        var drawDevice = ToySampling.DrawDevice(generator);
        using var scope = NewDisposeScope();
        var angle = rand(new[] { n }, float64, drawDevice, generator: generator) * Math.PI;
        // +1 for the upper moon, -1 for the lower: a random permutation puts floor(n/2) points on top.
        var upper = randperm(n, int64, drawDevice, generator: generator).lt(n / 2);
        var sign = where(upper, ones(new[] { n }, float64, drawDevice), -1.0);
        var points = stack(new[] { angle.cos() - 0.5, angle.sin() - 0.25 }, 1) * sign.unsqueeze(1);
        if (noise > 0) points = points + randn(new[] { n, 2 }, float64, drawDevice, generator: generator) * noise;
        return ToySampling.Finish(points, device).MoveToOuterDisposeScope();
    }

    public static Tensor Moons(long n, long seed, Device? device = null, double noise = 0.05)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Moons(n, generator, device, noise);
    }

    // ---------------------------------------------------------------- 8 Gaussians

    /// <summary>
    /// Eight equally weighted Gaussians with means on a circle of radius <paramref name="radius"/>
    /// at angles 2 pi k / 8 (k = 0..7, starting on the positive x axis) and isotropic std
    /// <paramref name="std"/>. Defaults are WGAN-GP's toy set (Gulrajani et al. 2017: radius 2,
    /// std 0.02, before that code's division by 1.414). Per-coordinate std about 1.41.
    /// </summary>
    public static Tensor EightGaussians(long n, Generator? generator = null, Device? device = null, double radius = 2.0, double std = 0.02) =>
        EightGaussiansMixture(radius, std).Sample(n, generator, device);

    public static Tensor EightGaussians(long n, long seed, Device? device = null, double radius = 2.0, double std = 0.02)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return EightGaussians(n, generator, device, radius, std);
    }

    /// <summary>The 8-Gaussians distribution as a mixture (for exact densities and scores in Course.Diffusion).</summary>
    public static GaussianMixture2D EightGaussiansMixture(double radius = 2.0, double std = 0.02)
    {
        if (!(radius >= 0) || !double.IsFinite(radius)) throw new ArgumentOutOfRangeException(nameof(radius), radius, "radius must be finite and non-negative");
        var means = new double[8, 2];
        for (int k = 0; k < 8; k++)
        {
            means[k, 0] = radius * Math.Cos(2 * Math.PI * k / 8);
            means[k, 1] = radius * Math.Sin(2 * Math.PI * k / 8);
        }
        return GaussianMixture2D.Isotropic(Enumerable.Repeat(1.0 / 8, 8).ToArray(), means, Enumerable.Repeat(std, 8).ToArray());
    }

    // ---------------------------------------------------------------- checkerboard

    /// <summary>
    /// Uniform on the "black" squares of a 4 x 4 board of unit squares covering [-2, 2]^2: the eight
    /// squares whose lower-left corner (i, j) has i + j even, so floor(x) + floor(y) is even for
    /// every point. Each square is equally likely. This is FFJORD's checkerboard without its final
    /// factor of 2. Per-coordinate std 2/sqrt(3), about 1.15.
    /// </summary>
    public static Tensor Checkerboard(long n, Generator? generator = null, Device? device = null)
    {
        ToySampling.CheckCount(n);
        var drawDevice = ToySampling.DrawDevice(generator);
        using var scope = NewDisposeScope();
        var square = randint(0, 8, new[] { n }, int64, drawDevice, generator: generator);
        var corners = tensor(BlackSquareCorners, new long[] { BlackSquareCorners.Length }, float64, drawDevice).view(8, 2);
        var offsets = rand(new[] { n, 2 }, float64, drawDevice, generator: generator);
        return ToySampling.Finish(corners.index_select(0, square) + offsets, device).MoveToOuterDisposeScope();
    }

    // Lower-left corners (x, y) of the black squares: row r = 0..3 from y = -2, column c = 2m + (r % 2), so r + c is even.
    static readonly double[] BlackSquareCorners = Enumerable.Range(0, 8)
        .SelectMany(k => { int r = k / 2, c = 2 * (k % 2) + r % 2; return new double[] { c - 2, r - 2 }; }).ToArray();

    public static Tensor Checkerboard(long n, long seed, Device? device = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Checkerboard(n, generator, device);
    }

    // ---------------------------------------------------------------- concentric rings

    /// <summary>The default ring radii: FFJORD's four rings (radii 0.75, 1.5, 2.25, 3) scaled by 2/3.</summary>
    public static IReadOnlyList<double> DefaultRingRadii { get; } = new[] { 0.5, 1.0, 1.5, 2.0 };

    /// <summary>
    /// Concentric circles: each point picks a ring uniformly (default radii 0.5, 1, 1.5, 2), an angle
    /// uniformly in [0, 2 pi), then gets isotropic Gaussian noise of std <paramref name="noise"/>
    /// (default 0.05: FFJORD's 0.08 scaled by 2/3). Per-coordinate std about 0.97.
    /// </summary>
    public static Tensor Rings(long n, Generator? generator = null, Device? device = null, double noise = 0.05, IReadOnlyList<double>? radii = null)
    {
        ToySampling.CheckCount(n);
        CheckNoise(noise);
        var ringRadii = (radii ?? DefaultRingRadii).ToArray();
        if (ringRadii.Length == 0) throw new ArgumentException("rings needs at least one radius", nameof(radii));
        foreach (var r in ringRadii)
            if (!(r >= 0) || !double.IsFinite(r)) throw new ArgumentException($"ring radius {r} must be finite and non-negative", nameof(radii));
        var drawDevice = ToySampling.DrawDevice(generator);
        using var scope = NewDisposeScope();
        var ring = ToySampling.Categorical(n, Enumerable.Repeat(1.0, ringRadii.Length).ToArray(), generator, drawDevice);
        var radius = tensor(ringRadii, new long[] { ringRadii.Length }, float64, drawDevice).index_select(0, ring);
        var angle = rand(new[] { n }, float64, drawDevice, generator: generator) * (2 * Math.PI);
        var points = stack(new[] { radius * angle.cos(), radius * angle.sin() }, 1);
        if (noise > 0) points = points + randn(new[] { n, 2 }, float64, drawDevice, generator: generator) * noise;
        return ToySampling.Finish(points, device).MoveToOuterDisposeScope();
    }

    public static Tensor Rings(long n, long seed, Device? device = null, double noise = 0.05, IReadOnlyList<double>? radii = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Rings(n, generator, device, noise, radii);
    }

    // ---------------------------------------------------------------- a default mixture

    /// <summary>
    /// The "gaussian-mixture" set: three unequal, anisotropic components, so that a learned or exact
    /// score field has something to show. Weights (0.5, 0.3, 0.2); means (-1, -0.5), (1, 1), (1.2, -1);
    /// covariances [[0.15, 0.08], [0.08, 0.15]], 0.05 I and [[0.2, -0.05], [-0.05, 0.05]].
    /// </summary>
    public static GaussianMixture2D DefaultMixture { get; } = new(
        new[] { 0.5, 0.3, 0.2 },
        new double[,] { { -1.0, -0.5 }, { 1.0, 1.0 }, { 1.2, -1.0 } },
        new double[,,] { { { 0.15, 0.08 }, { 0.08, 0.15 } }, { { 0.05, 0.0 }, { 0.0, 0.05 } }, { { 0.2, -0.05 }, { -0.05, 0.05 } } });

    static void CheckNoise(double noise)
    {
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise std must be finite and non-negative");
    }
}

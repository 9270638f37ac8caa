using Course.Data;
using static Course.Data.Tests.Statistics;

namespace Course.Data.Tests;

public class ToyDatasetsTests
{
    const long N = 20000;

    public static IEnumerable<object[]> AllNames => ToyDatasets.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Same_seed_gives_same_points_and_different_seeds_differ(string name)
    {
        using var a = ToyDatasets.Sample(name, 500, seed: 7);
        using var b = ToyDatasets.Sample(name, 500, seed: 7);
        using var c = ToyDatasets.Sample(name, 500, seed: 8);
        Assert.Equal(new long[] { 500, 2 }, a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(Points(a), Points(b));
        Assert.NotEqual(Points(a), Points(c));

        // A generator seeded the same way gives the same stream; the global generator follows manual_seed.
        using var generator = new Generator(7);
        using var viaGenerator = ToyDatasets.Sample(name, 500, generator);
        Assert.Equal(Points(a), Points(viaGenerator));
        manual_seed(3);
        using var global1 = ToyDatasets.Sample(name, 100);
        manual_seed(3);
        using var global2 = ToyDatasets.Sample(name, 100);
        Assert.Equal(Points(global1), Points(global2));
        Assert.All(Points(a), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Data_are_roughly_unit_scale(string name)
    {
        using var x = ToyDatasets.Sample(name, N, seed: 1);
        using var std = x.std(0);
        foreach (var s in std.data<float>().ToArray()) Assert.InRange(s, 0.4, 1.5);
        // The largest radius is the Swiss roll's 0.9 pi = 2.83 plus noise (std 0.2): 5 sds is 3.83.
        foreach (var v in Points(x)) Assert.InRange(v, -3.9f, 3.9f);
    }

    [Fact]
    public void Names_are_case_insensitive_with_aliases_and_unknown_names_are_listed()
    {
        using var a = ToyDatasets.Sample("Two_Moons", 50, seed: 1);
        using var b = ToyDatasets.Sample("moons", 50, seed: 1);
        Assert.Equal(Points(a), Points(b));
        using var c = ToyDatasets.Sample("eight-gaussians", 50, seed: 1);
        using var d = ToyDatasets.EightGaussians(50, seed: 1);
        Assert.Equal(Points(c), Points(d));
        var e = Assert.Throws<ArgumentException>(() => ToyDatasets.Sample("spirals", 10, seed: 1));
        Assert.Contains("spirals", e.Message);
        Assert.Contains("checkerboard", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyDatasets.Moons(-1, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyDatasets.Moons(10, seed: 1, noise: -0.1));
        using var empty = ToyDatasets.Checkerboard(0, seed: 1);
        Assert.Equal(new long[] { 0, 2 }, empty.shape);
    }

    [Fact]
    public void Swiss_roll_without_noise_lies_on_the_spiral_with_uniform_parameter()
    {
        using var x = ToyDatasets.SwissRoll(N, seed: 2, noise: 0);
        var p = Points(x);
        var radii = new List<double>();
        for (int i = 0; i < N; i++)
        {
            double px = p[2 * i], py = p[2 * i + 1];
            double t = 5 * Math.Sqrt(px * px + py * py);
            Assert.InRange(t, 1.5 * Math.PI - 1e-4, 4.5 * Math.PI + 1e-4);
            // (t cos t, t sin t) / 5 reproduces the point: the radius fixes the angle.
            Assert.True(Math.Abs(t * Math.Cos(t) / 5 - px) < 2e-4 && Math.Abs(t * Math.Sin(t) / 5 - py) < 2e-4, $"point {i} ({px}, {py}) is off the spiral");
            radii.Add(t / 5);
        }
        // t ~ U[1.5 pi, 4.5 pi], so the radius t / 5 has mean 0.6 pi.
        MeanIsNear(0.6 * Math.PI, radii, "Swiss roll radius");
        Assert.InRange(radii.Min(), 0.3 * Math.PI, 0.3 * Math.PI + 0.01);
        Assert.InRange(radii.Max(), 0.9 * Math.PI - 0.01, 0.9 * Math.PI);
    }

    [Fact]
    public void Swiss_roll_noise_adds_its_variance_to_the_squared_radius()
    {
        const double noise = 0.2;
        using var x = ToyDatasets.SwissRoll(N, seed: 3, noise: noise);
        var p = Points(x);
        var squared = Enumerable.Range(0, (int)N).Select(i => (double)p[2 * i] * p[2 * i] + (double)p[2 * i + 1] * p[2 * i + 1]).ToList();
        // E|x|^2 = E[t^2] / 25 + 2 noise^2, with E[t^2] = (a^2 + a b + b^2) / 3 for t ~ U[a, b].
        double a = 1.5 * Math.PI, b = 4.5 * Math.PI;
        MeanIsNear((a * a + a * b + b * b) / 3 / 25 + 2 * noise * noise, squared, "Swiss roll E|x|^2");
    }

    [Fact]
    public void Moons_without_noise_split_exactly_in_half_on_two_unit_half_circles()
    {
        const long n = 10001;
        using var x = ToyDatasets.Moons(n, seed: 4, noise: 0);
        var p = Points(x);
        int upper = 0, lower = 0;
        var upperAngles = new List<double>();
        for (int i = 0; i < n; i++)
        {
            double px = p[2 * i], py = p[2 * i + 1];
            double dUpper = Math.Sqrt((px + 0.5) * (px + 0.5) + (py + 0.25) * (py + 0.25));
            double dLower = Math.Sqrt((px - 0.5) * (px - 0.5) + (py - 0.25) * (py - 0.25));
            if (Math.Abs(dUpper - 1) < 1e-5 && py >= -0.25 - 1e-6) { upper++; upperAngles.Add(Math.Atan2(py + 0.25, px + 0.5)); }
            else if (Math.Abs(dLower - 1) < 1e-5 && py <= 0.25 + 1e-6) lower++;
            else Assert.Fail($"point {i} ({px}, {py}) is on neither moon");
        }
        Assert.Equal(n / 2, upper);
        Assert.Equal(n - n / 2, lower);
        // The angle along the upper moon is U[0, pi]: mean pi / 2.
        MeanIsNear(Math.PI / 2, upperAngles, "upper moon angle");
    }

    [Fact]
    public void Moons_noise_has_the_requested_radial_spread()
    {
        const double noise = 0.05;
        using var x = ToyDatasets.Moons(N, seed: 5, noise: noise);
        var p = Points(x);
        var squaredResiduals = new List<double>();
        for (int i = 0; i < N; i++)
        {
            double px = p[2 * i], py = p[2 * i + 1];
            // Residual from the nearer moon: the upper moon is the arc of the unit circle about
            // (-0.5, -0.25) above its centre, the lower one the arc about (0.5, 0.25) below its centre.
            double d = Math.Min(DistanceToArc(px + 0.5, py + 0.25), DistanceToArc(0.5 - px, 0.25 - py));
            squaredResiduals.Add(d * d);
        }
        // The distance to the curve is, to first order in noise, the normal component of isotropic
        // noise (variance noise^2); points near the crossings of the moons can be attributed to the
        // wrong arc, which only lowers the residual, and the standard error of the rms is under 1%:
        // allow 15%.
        double rms = Math.Sqrt(squaredResiduals.Average());
        Assert.InRange(rms, 0.85 * noise, 1.15 * noise);
    }

    /// <summary>Distance from (x, y), relative to the centre, to the upper unit half circle (angles 0 to pi).</summary>
    static double DistanceToArc(double x, double y)
    {
        if (y >= 0) return Math.Abs(Math.Sqrt(x * x + y * y) - 1);
        return Math.Min(Math.Sqrt((x - 1) * (x - 1) + y * y), Math.Sqrt((x + 1) * (x + 1) + y * y));
    }

    [Fact]
    public void Eight_gaussians_have_eight_equally_frequent_clusters_of_the_right_spread()
    {
        const double radius = 2.0, std = 0.02;
        using var x = ToyDatasets.EightGaussians(N, seed: 6);
        var p = Points(x);
        var counts = new long[8];
        var squaredDistances = new List<double>();
        for (int i = 0; i < N; i++)
        {
            double px = p[2 * i], py = p[2 * i + 1];
            int k = (int)Math.Round(Math.Atan2(py, px) / (2 * Math.PI / 8));
            k = (k % 8 + 8) % 8;
            double cx = radius * Math.Cos(2 * Math.PI * k / 8), cy = radius * Math.Sin(2 * Math.PI * k / 8);
            double d2 = (px - cx) * (px - cx) + (py - cy) * (py - cy);
            Assert.True(Math.Sqrt(d2) < 8 * std, $"point {i} is {Math.Sqrt(d2)} from its nearest centre");
            counts[k]++;
            squaredDistances.Add(d2);
        }
        for (int k = 0; k < 8; k++) CountIsBinomial(counts[k], N, 1.0 / 8, $"cluster {k}");
        // |x - mu|^2 / std^2 is chi-square with 2 degrees of freedom: mean 2 std^2.
        MeanIsNear(2 * std * std, squaredDistances, "squared distance to the cluster centre");
    }

    [Fact]
    public void Checkerboard_occupies_only_the_eight_black_squares_uniformly()
    {
        using var x = ToyDatasets.Checkerboard(N, seed: 7);
        var p = Points(x);
        var counts = new Dictionary<(int, int), long>();
        var offsetsX = new List<double>();
        var offsetsY = new List<double>();
        for (int i = 0; i < N; i++)
        {
            double px = p[2 * i], py = p[2 * i + 1];
            Assert.InRange(px, -2.0, 2.0);
            Assert.InRange(py, -2.0, 2.0);
            int cx = (int)Math.Floor(px), cy = (int)Math.Floor(py);
            Assert.True(((cx + cy) % 2 + 2) % 2 == 0, $"point {i} ({px}, {py}) is on a white square ({cx}, {cy})");
            counts[(cx, cy)] = counts.GetValueOrDefault((cx, cy)) + 1;
            offsetsX.Add(px - cx);
            offsetsY.Add(py - cy);
        }
        Assert.Equal(8, counts.Count);
        foreach (var (square, count) in counts) CountIsBinomial(count, N, 1.0 / 8, $"square {square}");
        // Uniform within each square: the offset from the corner is U[0, 1] in each coordinate.
        MeanIsNear(0.5, offsetsX, "x offset within the square");
        MeanIsNear(0.5, offsetsY, "y offset within the square");
    }

    [Fact]
    public void Rings_lie_on_their_radii_with_equal_frequencies_and_the_requested_noise()
    {
        var radii = ToyDatasets.DefaultRingRadii;
        using var exact = ToyDatasets.Rings(N, seed: 8, noise: 0);
        var p = Points(exact);
        var counts = new long[radii.Count];
        for (int i = 0; i < N; i++)
        {
            double r = Math.Sqrt((double)p[2 * i] * p[2 * i] + (double)p[2 * i + 1] * p[2 * i + 1]);
            int ring = Enumerable.Range(0, radii.Count).MinBy(k => Math.Abs(radii[k] - r));
            Assert.True(Math.Abs(radii[ring] - r) < 1e-5, $"point {i} has radius {r}, on no ring");
            counts[ring]++;
        }
        for (int k = 0; k < radii.Count; k++) CountIsBinomial(counts[k], N, 1.0 / radii.Count, $"ring {k}");

        const double noise = 0.05;
        using var noisy = ToyDatasets.Rings(N, seed: 9, noise: noise);
        var q = Points(noisy);
        var squaredResiduals = Enumerable.Range(0, (int)N).Select(i =>
        {
            double r = Math.Sqrt((double)q[2 * i] * q[2 * i] + (double)q[2 * i + 1] * q[2 * i + 1]);
            return radii.Select(R => (r - R) * (r - R)).Min();
        }).ToList();
        // Rings 0.5 apart are 10 noise sds apart, so the nearest ring is the true one; the radial
        // residual has variance noise^2 up to O(noise^2 / R) curvature terms: allow 10% on the rms.
        Assert.InRange(Math.Sqrt(squaredResiduals.Average()), 0.9 * noise, 1.1 * noise);
    }

    [Fact]
    public void Custom_ring_radii_are_used()
    {
        using var x = ToyDatasets.Rings(1000, seed: 1, noise: 0, radii: new[] { 1.0 });
        using var r = x.norm(1);
        foreach (var v in r.data<float>().ToArray()) Assert.Equal(1.0, v, 5);
        Assert.Throws<ArgumentException>(() => ToyDatasets.Rings(10, seed: 1, radii: Array.Empty<double>()));
    }

    [Fact]
    public void Device_argument_moves_the_same_points()
    {
        using var cpuPoints = ToyDatasets.Moons(100, seed: 11, device: CPU);
        Assert.Equal(DeviceType.CPU, cpuPoints.device.type);
        if (!cuda.is_available()) return; // the CUDA half runs only where a GPU is present
        using var gpuPoints = ToyDatasets.Moons(100, seed: 11, device: new Device("cuda"));
        Assert.Equal(DeviceType.CUDA, gpuPoints.device.type);
        using var back = gpuPoints.cpu();
        Assert.Equal(Points(cpuPoints), Points(back));
    }

    [Fact]
    public void Standardizer_gives_zero_mean_unit_std_and_inverts()
    {
        using var x = ToyDatasets.Moons(5000, seed: 12);
        using var scaler = Standardizer.Fit(x);
        using var z = scaler.Normalize(x);
        using var mean = z.mean(new long[] { 0 });
        using var std = z.std(0, unbiased: false);
        foreach (var m in mean.data<float>().ToArray()) Assert.Equal(0.0, m, 4);
        foreach (var s in std.data<float>().ToArray()) Assert.Equal(1.0, s, 4);
        using var back = scaler.Denormalize(z);
        var original = Points(x);
        var restored = Points(back);
        for (int i = 0; i < original.Length; i++) Assert.Equal(original[i], restored[i], 4);
        using var bad = zeros(5);
        Assert.Throws<ArgumentException>(() => Standardizer.Fit(bad));
    }
}

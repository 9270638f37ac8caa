using System.Globalization;
using Course.Diffusion.Metrics;

namespace Course.Diffusion.Tests;

/// <summary>
/// FID, KID, precision/recall and accuracy by label against numpy on the same feature matrices (numpy takes
/// other routes where it can: tr √(Σ₁Σ₂) from the eigenvalues of the non-symmetric product; distances from
/// differences, not from inner products), against closed forms, and on cases whose answer is known.
/// </summary>
public class ImageMetricTests
{
    /// <summary>Correlated, skewed features [n, d]: a random linear map of exponentials, plus an offset.</summary>
    static Tensor Features(long n, int d, ulong seed, double offset = 0)
    {
        using var g = new Generator(seed);
        using var scope = NewDisposeScope();
        var mixing = randn(new long[] { d, d }, float64, generator: g) / Math.Sqrt(d);
        var raw = exp(randn(new long[] { n, d }, float64, generator: g) * 0.5);
        return (raw.matmul(mixing) + offset).MoveToOuterDisposeScope();
    }

    /// <summary>Writes a float64 matrix to a raw little-endian file numpy reads with np.fromfile.</summary>
    static string Dump(Tensor x, string folder, string name)
    {
        var path = Path.Combine(folder, name + ".f64");
        using var c = x.detach().to(float64).cpu().contiguous();
        var bytes = new byte[c.numel() * sizeof(double)];
        Buffer.BlockCopy(c.data<double>().ToArray(), 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static double[] Numbers(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "course-metric-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void FidMatchesNumpyOnTheSameFeatures()
    {
        using var scope = NewDisposeScope();
        var x = Features(300, 12, 1);
        var y = Features(450, 12, 2, offset: 0.3);
        var folder = TempFolder();
        try
        {
            const string script = """
import sys, numpy as np
d = 12
x = np.fromfile(sys.argv[1]).reshape(-1, d); y = np.fromfile(sys.argv[2]).reshape(-1, d)
m1, m2 = x.mean(0), y.mean(0)
s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
# tr sqrt(S1 S2) as the sum of the square roots of the (real, non-negative) eigenvalues of S1 S2
root_trace = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()
fid = ((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * root_trace
print(repr(float(fid)), repr(float(((m1 - m2) ** 2).sum())), ' '.join(repr(float(v)) for v in s1.ravel()))
""";
            var numpy = Numbers(Python.Run(script, Dump(x, folder, "x"), Dump(y, folder, "y")));
            var ours = FrechetDistance.Between(x, y);
            Assert.Equal(300, ours.Count);
            Assert.Equal(450, ours.ReferenceCount);
            Assert.True(Math.Abs(ours.Value - numpy[0]) <= 1e-9 * Math.Abs(numpy[0]), $"FID {ours.Value} vs numpy {numpy[0]}");
            Assert.True(Math.Abs(ours.MeanTerm - numpy[1]) <= 1e-12 * numpy[1], $"mean term {ours.MeanTerm} vs numpy {numpy[1]}");
            var covariance = FeatureStatistics.Of(x).Covariance;
            for (int i = 0; i < 12; i++)
                for (int j = 0; j < 12; j++)
                    Assert.True(Math.Abs(covariance[i, j] - numpy[2 + 12 * i + j]) <= 1e-12, $"covariance[{i}, {j}] {covariance[i, j]} vs numpy {numpy[2 + 12 * i + j]}");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>
    /// Two Gaussians in closed form. Diagonal covariances commute: d² = |Δμ|² + Σᵢ (√aᵢ − √bᵢ)². For 2x2 matrices,
    /// tr √M = √(tr M + 2 √det M) for any M with non-negative eigenvalues, and the eigenvalues of Σ₁Σ₂ are those of
    /// Σ₁^½Σ₂Σ₁^½: tr √(Σ₁Σ₂) = √(tr(Σ₁Σ₂) + 2 √(det Σ₁ det Σ₂)), which covers covariances that do not commute.
    /// </summary>
    [Fact]
    public void FidOfTwoGaussiansIsTheClosedForm()
    {
        var a = new[] { 1.0, 4.0, 0.25 };
        var b = new[] { 9.0, 1.0, 0.25 };
        var diagonalA = new double[3, 3];
        var diagonalB = new double[3, 3];
        for (int i = 0; i < 3; i++) { diagonalA[i, i] = a[i]; diagonalB[i, i] = b[i]; }
        var diagonal = FrechetDistance.Between(
            FeatureStatistics.FromMoments(100, new[] { 0.0, 1.0, 2.0 }, diagonalA),
            FeatureStatistics.FromMoments(200, new[] { 1.0, 1.0, 0.0 }, diagonalB));
        double expected = 1 + 0 + 4 + (1 - 3) * (1 - 3) + (2 - 1) * (2 - 1) + 0;
        Assert.Equal(expected, diagonal.Value, 12);
        Assert.Equal(100, diagonal.Count);
        Assert.Equal(200, diagonal.ReferenceCount);

        var s1 = new double[,] { { 2.0, 0.8 }, { 0.8, 1.0 } };
        var s2 = new double[,] { { 0.5, -0.3 }, { -0.3, 3.0 } };
        double productTrace = s1[0, 0] * s2[0, 0] + s1[0, 1] * s2[1, 0] + s1[1, 0] * s2[0, 1] + s1[1, 1] * s2[1, 1];
        double det1 = s1[0, 0] * s1[1, 1] - s1[0, 1] * s1[1, 0], det2 = s2[0, 0] * s2[1, 1] - s2[0, 1] * s2[1, 0];
        double rootTrace = Math.Sqrt(productTrace + 2 * Math.Sqrt(det1 * det2));
        double closedForm = 0.5 * 0.5 + 2 * 2 + (2.0 + 1.0) + (0.5 + 3.0) - 2 * rootTrace;
        var general = FrechetDistance.Between(
            FeatureStatistics.FromMoments(10, new[] { 0.5, -1.0 }, s1), FeatureStatistics.FromMoments(10, new[] { 0.0, 1.0 }, s2));
        Assert.Equal(closedForm, general.Value, 12);
        Assert.Equal(rootTrace, FrechetDistance.TraceOfSquareRootOfProduct(s1, s2), 12);
    }

    [Fact]
    public void FidOfASetWithItselfIsZeroAndAShiftAddsItsSquaredLength()
    {
        using var scope = NewDisposeScope();
        var x = Features(500, 16, 3);
        var same = FrechetDistance.Between(x, x);
        Assert.True(Math.Abs(same.Value) < 1e-9, $"FID of a set with itself is {same.Value}");
        var shift = full(new long[] { 1, 16 }, 0.25, float64);
        // a shift moves the mean only: d² = |c|² = 16 * 0.0625
        var shifted = FrechetDistance.Between(x, x + shift);
        Assert.Equal(1.0, shifted.Value, 9);
        Assert.Equal(1.0, shifted.MeanTerm, 12);
    }

    [Fact]
    public void SymmetricSquareRootSquaresBackToTheMatrix()
    {
        using var scope = NewDisposeScope();
        var x = Features(200, 10, 4);
        var covariance = FeatureStatistics.Of(x).Covariance;
        var root = FrechetDistance.SymmetricSquareRoot(covariance);
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++)
            {
                double sum = 0;
                for (int k = 0; k < 10; k++) sum += root[i, k] * root[k, j];
                Assert.True(Math.Abs(sum - covariance[i, j]) < 1e-12 * 10, $"(√Σ)²[{i}, {j}] = {sum}, Σ = {covariance[i, j]}");
            }
    }

    [Fact]
    public void KidOfWholeSetsMatchesNumpy()
    {
        using var scope = NewDisposeScope();
        var x = Features(200, 8, 5);
        var y = Features(260, 8, 6, offset: 0.2);
        var folder = TempFolder();
        try
        {
            // torch-fidelity's formula written out, for sets of sizes n and m, with the kernel (x.y / d + 1)^3
            const string script = """
import sys, numpy as np
d = 8
x = np.fromfile(sys.argv[1]).reshape(-1, d); y = np.fromfile(sys.argv[2]).reshape(-1, d)
k = lambda a, b: (a @ b.T / d + 1) ** 3
n, m = len(x), len(y)
kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
mmd = (kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean()
print(repr(float(mmd)))
""";
            double numpy = Numbers(Python.Run(script, Dump(x, folder, "x"), Dump(y, folder, "y")))[0];
            double direct = KernelDistance.UnbiasedMmdSquared(x, y);
            Assert.True(Math.Abs(direct - numpy) <= 1e-10 * Math.Abs(numpy), $"MMD² {direct} vs numpy {numpy}");
            // subsets as large as equally large sets are the whole sets: no randomness, the same number
            var yEqual = y[TensorIndex.Slice(0, 200)];
            var kid = KernelDistance.Between(x, yEqual, subsets: 1, subsetSize: 1000);
            Assert.Equal(KernelDistance.UnbiasedMmdSquared(x, yEqual), kid.Mean, 12);
            Assert.Equal(0, kid.StandardDeviation);
            Assert.Equal((200, 200, 200L, 200L), (kid.Count, kid.ReferenceCount, kid.SubsetSize, kid.ReferenceSubsetSize));
            // unequal sets: subsets of min(N, M, size) from each, as clean-fid draws them
            var unequal = KernelDistance.Between(x, y, subsets: 3, subsetSize: 1000);
            Assert.Equal((200, 260, 200L, 200L), (unequal.Count, unequal.ReferenceCount, unequal.SubsetSize, unequal.ReferenceSubsetSize));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>
    /// Two draws from one law: each subset's MMD² is unbiased for 0. Over 50 subsets of 100 from 400 points the mean's
    /// standard error is at most the subsets' standard deviation (subsets overlap, so not sd/√50): |KID| &lt; 4 sd.
    /// A draw shifted by 1 in every coordinate is far above that, and the same seed draws the same subsets.
    /// </summary>
    [Fact]
    public void KidIsNearZeroForOneLawAndLargeForShiftedClouds()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var x = randn(new long[] { 400, 8 }, float64, generator: g);
        var y = randn(new long[] { 400, 8 }, float64, generator: g);
        var same = KernelDistance.Between(x, y, subsets: 50, subsetSize: 100, generator: new Generator(1));
        Assert.Equal(50, same.Subsets);
        Assert.True(same.StandardDeviation > 0);
        Assert.True(Math.Abs(same.Mean) < 4 * same.StandardDeviation, $"KID {same.Mean} ± {same.StandardDeviation} for two draws of one law");
        var shifted = KernelDistance.Between(x, y + 1.0, subsets: 50, subsetSize: 100, generator: new Generator(1));
        Assert.True(shifted.Mean > 10 * same.StandardDeviation + Math.Abs(same.Mean), $"KID of shifted clouds {shifted.Mean}, one law {same.Mean} ± {same.StandardDeviation}");
        // the same generator seed draws the same subsets: the same number
        var again = KernelDistance.Between(x, y, subsets: 50, subsetSize: 100, generator: new Generator(1));
        Assert.Equal(same.Mean, again.Mean);
    }

    [Fact]
    public void PrecisionAndRecallMatchNumpyBruteForce()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var reference = randn(new long[] { 1500, 6 }, float64, generator: g);
        // samples: narrower and shifted, so precision and recall are both strictly between 0 and 1
        var samples = randn(new long[] { 1100, 6 }, float64, generator: g) * 0.6 + 0.5;
        var folder = TempFolder();
        try
        {
            const string script = """
import sys, numpy as np
d = 6; k = 3
r = np.fromfile(sys.argv[1]).reshape(-1, d); s = np.fromfile(sys.argv[2]).reshape(-1, d)
def dist(a, b): return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
def radii(a):
    dd = dist(a, a); np.fill_diagonal(dd, np.inf)
    return np.sort(dd, axis=1)[:, k - 1]
rr, rs = radii(r), radii(s)
dsr = dist(s, r)
precision = (dsr <= rr[None, :]).any(1).mean()
recall = (dsr <= rs[:, None]).any(0).mean()
print(repr(float(precision)), repr(float(recall)))
""";
            var numpy = Numbers(Python.Run(script, Dump(reference, folder, "r"), Dump(samples, folder, "s")));
            var ours = PrecisionRecall.Between(samples, reference);
            Assert.Equal(numpy[0], ours.Precision, 12);
            Assert.Equal(numpy[1], ours.Recall, 12);
            Assert.InRange(ours.Precision, 0.5, 0.999);
            Assert.InRange(ours.Recall, 0.05, 0.9);
            Assert.Equal((3, 1100L, 1500L), (ours.K, ours.Count, ours.ReferenceCount));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void PrecomputedReferenceRadiiGiveTheSameAnswer()
    {
        using var scope = NewDisposeScope();
        var reference = Features(700, 5, 10);
        var samples = Features(400, 5, 11, offset: 0.2);
        var direct = PrecisionRecall.Between(samples, reference);
        var radii = PrecisionRecall.SquaredRadii(reference, 3);
        Assert.Equal(direct, PrecisionRecall.Between(samples, reference, radii));
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Between(samples, reference, radii[TensorIndex.Slice(0, 10)]));
    }

    [Fact]
    public void PrecisionAndRecallOfKnownCases()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(9);
        var reference = randn(new long[] { 600, 4 }, float64, generator: g);
        // identical sets: every vector lies in its own ball
        var identical = PrecisionRecall.Between(reference, reference);
        Assert.Equal((1.0, 1.0), (identical.Precision, identical.Recall));
        // a cloud shifted far beyond every ball: nothing inside either manifold
        var far = PrecisionRecall.Between(reference + 100.0, reference);
        Assert.Equal((0.0, 0.0), (far.Precision, far.Recall));
        // the reference plus an equally large far cloud: exactly half the samples are realistic, and every reference
        // vector is itself a sample, so recall is 1
        var mixed = cat(new[] { reference, randn(new long[] { 600, 4 }, float64, generator: g) + 100.0 }, 0);
        var half = PrecisionRecall.Between(mixed, reference);
        Assert.Equal((0.5, 1.0), (half.Precision, half.Recall));
        // the reverse: a mode dropped. Samples cover one of two reference clusters: recall about a half, precision 1
        var twoModes = cat(new[] { reference, reference + 100.0 }, 0);
        var dropped = PrecisionRecall.Between(reference, twoModes);
        Assert.Equal((1.0, 0.5), (dropped.Precision, dropped.Recall));
    }

    [Fact]
    public void AccuracyByLabelCountsPerRequestedClass()
    {
        var requested = new long[] { 0, 0, 0, 0, 1, 1, 2, 2, 2, 2 };
        var predicted = new long[] { 0, 0, 0, 1, 1, 0, 2, 2, 2, 2 };
        var result = ClassAccuracy.OfIndices(predicted, requested, classes: 4);
        Assert.Equal(0.8, result.Accuracy, 15);
        Assert.Equal(new[] { 0.75, 0.5, 1.0 }, result.PerClass.Take(3));
        Assert.True(double.IsNaN(result.PerClass[3]));
        Assert.Equal(new long[] { 4, 2, 4, 0 }, result.CountPerClass);
        Assert.Equal(10, result.Count);
        using var scope = NewDisposeScope();
        var fromTensors = ClassAccuracy.Of(tensor(predicted), tensor(requested), 4);
        Assert.Equal(result.Accuracy, fromTensors.Accuracy);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassAccuracy.OfIndices(new long[] { 0 }, new long[] { 4 }, 4));
        Assert.Throws<ArgumentException>(() => ClassAccuracy.OfIndices(new long[] { 0, 1 }, new long[] { 0 }, 4));
    }

    [Fact]
    public void MetricsRefuseMismatchedFeatures()
    {
        using var scope = NewDisposeScope();
        var x = zeros(new long[] { 10, 4 }, float64);
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between(x, zeros(new long[] { 10, 5 }, float64)));
        Assert.Throws<ArgumentException>(() => KernelDistance.Between(x, zeros(new long[] { 10, 3 }, float64)));
        Assert.Throws<ArgumentException>(() => PrecisionRecall.Between(zeros(new long[] { 3, 4 }, float64), x));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Between(zeros(new long[] { 10, 4 }, int64), x));
    }

    /// <summary>The floor's draws are different sets of n real images: each has n in its result, the first is the
    /// floor <c>Floor(n)</c> returns, they scatter, and for real images of the same law as the reference KID (unbiased)
    /// averages near 0 over the draws, within the draws' own spread.</summary>
    [Fact]
    public void FloorDrawsAreIndependentSetsOfRealImages()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var classifier = new Course.Diffusion.Evaluation.FashionClassifier();
        using var g = new Generator(12);
        // one law for reference and pool: blurred noise, so that the features vary like images' features do
        Tensor Images(long count) => nn.functional.avg_pool2d(rand(new long[] { count, 1, 56, 56 }, generator: g), 2) * 4 - 2;
        var reference = Images(400).clamp(-1, 1);
        var pool = Images(2000).clamp(-1, 1);
        using var evaluator = new Course.Diffusion.Evaluation.ImageEvaluator(classifier, reference,
            randint(0, 10, new long[] { 400 }, generator: g), pool);
        var floors = evaluator.Floors(60, draws: 8);
        Assert.Equal(8, floors.Count);
        Assert.Same(evaluator.Floor(60), floors[0]);
        Assert.Same(floors[3], evaluator.Floors(60, 5)[3]);   // cached, not redrawn
        Assert.All(floors, f => Assert.Equal(60L, f.Count));
        Assert.Equal(8, floors.Select(f => f.Fid.Value).Distinct().Count());
        var kids = floors.Select(f => f.Kid.Mean).ToArray();
        double mean = kids.Average();
        double spread = Math.Sqrt(kids.Sum(k => (k - mean) * (k - mean)) / (kids.Length - 1));
        Assert.True(Math.Abs(mean) <= 4 * spread / Math.Sqrt(kids.Length),
            $"KID of real against real averages {mean:G4} over 8 draws, spread {spread:G4}");
        Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.Floors(60, 0));
    }
}

using F = TorchSharp.torch.nn.functional;

namespace Course.Torch.Tests;

/// <summary>Autograd against closed-form derivatives and against central finite differences.</summary>
public class GradientTests
{
    /// <summary>x in float64 spread over [-2, 2] (avoids the points where a formula is singular).</summary>
    static Tensor Points(int n = 41) => linspace(-2, 2, n, ScalarType.Float64).requires_grad_();

    /// <summary>Backpropagates sum(f(x)) and compares x.grad with the analytic derivative at every point.</summary>
    static void AssertGradient(Func<Tensor, Tensor> f, Func<double, double> derivative, double tolerance = 1e-12, Tensor? x = null)
    {
        using var scope = NewDisposeScope();
        x ??= Points();
        f(x).sum().backward();
        var xs = x.detach().data<double>().ToArray();
        var grad = x.grad!.data<double>().ToArray();
        for (int i = 0; i < xs.Length; i++)
            Assert.True(Math.Abs(grad[i] - derivative(xs[i])) <= tolerance * Math.Max(1, Math.Abs(derivative(xs[i]))),
                $"at x = {xs[i]}: autograd {grad[i]:R}, analytic {derivative(xs[i]):R}");
    }

    [Fact]
    public void ProductOfSineAndSquare() =>
        // d/dx sin(x)·x² = cos(x)·x² + 2x·sin(x)
        AssertGradient(x => x.sin() * x.pow(2), x => Math.Cos(x) * x * x + 2 * x * Math.Sin(x));

    [Fact]
    public void QuotientOfExponentialAndQuadratic() =>
        // d/dx eˣ/(1 + x²) = eˣ(1 + x² − 2x)/(1 + x²)² = eˣ(x − 1)²/(1 + x²)²
        AssertGradient(x => x.exp() / (1 + x * x), x => Math.Exp(x) * (x - 1) * (x - 1) / Math.Pow(1 + x * x, 2));

    [Fact]
    public void LogSigmoidIsOneMinusSigmoid() =>
        // d/dx log σ(x) = 1 − σ(x)
        AssertGradient(x => x.sigmoid().log(), x => 1 - 1 / (1 + Math.Exp(-x)));

    [Fact]
    public void TanhOfSquare() =>
        // d/dx tanh(x²) = 2x(1 − tanh²(x²))
        AssertGradient(x => (x * x).tanh(), x => 2 * x * (1 - Math.Pow(Math.Tanh(x * x), 2)));

    [Fact]
    public void SiluAndGelu()
    {
        // d/dx x·σ(x) = σ(x)(1 + x(1 − σ(x)))
        AssertGradient(x => F.silu(x), x => { var s = 1 / (1 + Math.Exp(-x)); return s * (1 + x * (1 - s)); });
        // d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = (1 + erf(x/√2))/2, φ the standard normal density
        AssertGradient(x => F.gelu(x), x => 0.5 * (1 + Erf(x / Math.Sqrt(2))) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), tolerance: 1e-12);
    }

    [Fact]
    public void SqrtOfSumOfSquaresIsTheUnitVector()
    {
        // d/dx ‖x‖ = x/‖x‖
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 3.0, -4.0, 12.0 }, requires_grad: true);
        (x * x).sum().sqrt().backward();
        Assert.Equal(new[] { 3 / 13.0, -4 / 13.0, 12 / 13.0 }, x.grad!.data<double>().ToArray(), new ToleranceComparer(1e-15));
    }

    [Fact]
    public void MatrixProductGradients()
    {
        // L = sum(A B): dL/dA = 1 Bᵀ (each row holds B's row sums), dL/dB = Aᵀ 1 (each column holds A's column sums).
        using var scope = NewDisposeScope();
        manual_seed(3);
        var a = randn(new long[] { 3, 4 }, ScalarType.Float64, requires_grad: true);
        var b = randn(new long[] { 4, 5 }, ScalarType.Float64, requires_grad: true);
        a.matmul(b).sum().backward();
        var bRowSums = b.sum(dim: 1).data<double>().ToArray();
        var aColSums = a.sum(dim: 0).data<double>().ToArray();   // not sum(0): that is sum(ScalarType.Byte), see OverloadTests
        var ga = a.grad!.data<double>().ToArray(); var gb = b.grad!.data<double>().ToArray();
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) Assert.Equal(bRowSums[k], ga[i * 4 + k], 12);
        for (int k = 0; k < 4; k++) for (int j = 0; j < 5; j++) Assert.Equal(aColSums[k], gb[k * 5 + j], 12);
    }

    [Fact]
    public void SoftmaxCrossEntropyGradientIsSoftmaxMinusOneHot()
    {
        // d/dz CE(softmax(z), y) = softmax(z) − onehot(y), averaged over the batch with reduction mean.
        using var scope = NewDisposeScope();
        manual_seed(4);
        var z = randn(new long[] { 3, 5 }, ScalarType.Float64, requires_grad: true);
        var y = tensor(new long[] { 0, 4, 2 });
        F.cross_entropy(z, y).backward();
        var p = z.detach().softmax(1).data<double>().ToArray();
        var g = z.grad!.data<double>().ToArray();
        var labels = new[] { 0, 4, 2 };
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 5; c++)
                Assert.Equal((p[i * 5 + c] - (c == labels[i] ? 1 : 0)) / 3, g[i * 5 + c], 14);
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        // Two backward passes of d/dx x³ = 3x² add up to 6x²; zeroing the grad starts over.
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.5, 2.0 }, requires_grad: true);
        x.pow(3).sum().backward();
        x.pow(3).sum().backward();
        Assert.Equal(new[] { 1.5, 13.5, 24.0 }, x.grad!.data<double>().ToArray(), new ToleranceComparer(1e-14));
        x.grad = null;
        x.pow(3).sum().backward();
        Assert.Equal(new[] { 0.75, 6.75, 12.0 }, x.grad!.data<double>().ToArray(), new ToleranceComparer(1e-14));
    }

    /// <summary>
    /// A small MLP (Linear → tanh → Linear → SiLU → Linear) in float64: every autograd partial derivative
    /// of a scalar loss, with respect to each weight, bias and input element, equals the central difference
    /// (L(θ + h) − L(θ − h))/2h. With h = 1e-6 the truncation error is O(h²·L''') ≈ 1e-12 and the rounding
    /// error ≈ ε·|L|/h ≈ 1e-10, so agreement to 1e-7 (relative to max(1, |g|)) leaves a wide margin while
    /// still catching any wrong backward formula (those err by O(1)).
    /// </summary>
    [Fact]
    public void SmallMlpMatchesCentralFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var mlp = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.SiLU(), nn.Linear(4, 1));
        mlp.to(ScalarType.Float64);
        var x = randn(new long[] { 6, 3 }, ScalarType.Float64, requires_grad: true);
        var target = randn(new long[] { 6, 1 }, ScalarType.Float64);

        double Loss()
        {
            using var inner = NewDisposeScope();
            using (no_grad()) return F.mse_loss(mlp.call(x), target).item<double>();
        }

        F.mse_loss(mlp.call(x), target).backward();
        var checkedCount = 0;
        foreach (var (name, tensorToPerturb) in mlp.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Append(("input", x)))
        {
            var analytic = tensorToPerturb.grad!.data<double>().ToArray();
            var values = tensorToPerturb.detach().data<double>().ToArray();
            var shape = tensorToPerturb.shape;
            for (int i = 0; i < values.Length; i++)
            {
                const double h = 1e-6;
                double original = values[i];
                values[i] = original + h; Set(tensorToPerturb, values, shape);
                double plus = Loss();
                values[i] = original - h; Set(tensorToPerturb, values, shape);
                double minus = Loss();
                values[i] = original; Set(tensorToPerturb, values, shape);
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-7 * Math.Max(1, Math.Abs(analytic[i])),
                    $"{name}[{i}]: autograd {analytic[i]:R}, finite difference {numeric:R}");
                checkedCount++;
            }
        }
        Assert.Equal(3 * 5 + 5 + 5 * 4 + 4 + 4 + 1 + 6 * 3, checkedCount);
    }

    static void Set(Tensor target, double[] values, long[] shape)
    {
        using var source = tensor(values, shape);
        using (no_grad()) target.copy_(source);
    }

    /// <summary>erf, which .NET lacks, by its Taylor series erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1)/(n!(2n+1)):
    /// for |x| ≤ 2 the terms fall below 1e-17 long before n = 100, so it is accurate to rounding.</summary>
    static double Erf(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 100; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));
        public int GetHashCode(double obj) => 0;
    }
}

namespace Course.Diffusion;

/// <summary>
/// The operations the course's networks are built from, written as plain loops in double precision:
/// an independent computation to hold libtorch's results against (<see cref="EngineNumericsCheck"/>).
/// Each takes its inputs as flat row-major arrays, and the upstream gradient g of a loss
/// L = Σ output ⊙ g, and returns the output and the gradient of L with respect to every input.
/// Slow on purpose: nothing here shares code with a native library.
/// </summary>
public static class ReferenceOperations
{
    /// <summary>conv2d: y[n,k,oy,ox] = b[k] + Σ_{c,i,j} w[k,c,i,j] · x[n,c,oy·s − p + i, ox·s − p + j].</summary>
    public static (double[] Y, double[] DX, double[] DW, double[] DB) Conv2d(
        double[] x, int n, int c, int h, int w, double[] weight, double[] bias, int k, int kernel,
        int stride, int padding, double[] g)
    {
        int oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1;
        var y = new double[n * k * oh * ow];
        double[] dx = new double[x.Length], dw = new double[weight.Length], db = new double[k];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < k; o++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        {
            int at = ((b * k + o) * oh + oy) * ow + ox;
            double sum = bias[o], up = g[at];
            db[o] += up;
            for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < kernel; i++)
            {
                int iy = oy * stride - padding + i;
                if (iy < 0 || iy >= h) continue;
                for (int j = 0; j < kernel; j++)
                {
                    int ix = ox * stride - padding + j;
                    if (ix < 0 || ix >= w) continue;
                    int xi = ((b * c + ci) * h + iy) * w + ix, wi = ((o * c + ci) * kernel + i) * kernel + j;
                    sum += weight[wi] * x[xi];
                    dx[xi] += weight[wi] * up;
                    dw[wi] += x[xi] * up;
                }
            }
            y[at] = sum;
        }
        return (y, dx, dw, db);
    }

    /// <summary>conv_transpose2d with weight [C_in, C_out, k, k]: every input pixel scatters
    /// x[n,c,iy,ix] · w[c,o,i,j] to y[n,o,iy·s − p + i, ix·s − p + j] (the adjoint of conv2d).</summary>
    public static (double[] Y, double[] DX, double[] DW) ConvTranspose2d(
        double[] x, int n, int c, int h, int w, double[] weight, int k, int kernel, int stride, int padding,
        double[] g)
    {
        int oh = (h - 1) * stride - 2 * padding + kernel, ow = (w - 1) * stride - 2 * padding + kernel;
        var y = new double[n * k * oh * ow];
        double[] dx = new double[x.Length], dw = new double[weight.Length];
        for (int b = 0; b < n; b++)
        for (int ci = 0; ci < c; ci++)
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < w; ix++)
        {
            int xi = ((b * c + ci) * h + iy) * w + ix;
            for (int o = 0; o < k; o++)
            for (int i = 0; i < kernel; i++)
            {
                int oy = iy * stride - padding + i;
                if (oy < 0 || oy >= oh) continue;
                for (int j = 0; j < kernel; j++)
                {
                    int ox = ix * stride - padding + j;
                    if (ox < 0 || ox >= ow) continue;
                    int yi = ((b * k + o) * oh + oy) * ow + ox, wi = ((ci * k + o) * kernel + i) * kernel + j;
                    y[yi] += x[xi] * weight[wi];
                    dx[xi] += g[yi] * weight[wi];
                    dw[wi] += g[yi] * x[xi];
                }
            }
        }
        return (y, dx, dw);
    }

    /// <summary>linear: y = x Wᵀ + b for x [rows, in], W [out, in].</summary>
    public static (double[] Y, double[] DX, double[] DW, double[] DB) Linear(
        double[] x, int rows, int inputs, double[] weight, double[] bias, int outputs, double[] g)
    {
        var y = new double[rows * outputs];
        double[] dx = new double[x.Length], dw = new double[weight.Length], db = new double[outputs];
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outputs; o++)
        {
            double sum = bias[o], up = g[r * outputs + o];
            db[o] += up;
            for (int i = 0; i < inputs; i++)
            {
                sum += x[r * inputs + i] * weight[o * inputs + i];
                dx[r * inputs + i] += weight[o * inputs + i] * up;
                dw[o * inputs + i] += x[r * inputs + i] * up;
            }
            y[r * outputs + o] = sum;
        }
        return (y, dx, dw, db);
    }

    /// <summary>bmm: C[b] = A[b] B[b] for A [batch, m, k], B [batch, k, n].</summary>
    public static (double[] Y, double[] DA, double[] DB) BatchMatrixProduct(
        double[] a, double[] bm, int batch, int m, int k, int n, double[] g)
    {
        var y = new double[batch * m * n];
        double[] da = new double[a.Length], db = new double[bm.Length];
        for (int s = 0; s < batch; s++)
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0, up = g[(s * m + i) * n + j];
            for (int l = 0; l < k; l++)
            {
                int ai = (s * m + i) * k + l, bi = (s * k + l) * n + j;
                sum += a[ai] * bm[bi];
                da[ai] += bm[bi] * up;
                db[bi] += a[ai] * up;
            }
            y[(s * m + i) * n + j] = sum;
        }
        return (y, da, db);
    }

    /// <summary>softmax over the last dimension of [rows, width]; dx = y ⊙ (g − Σ g ⊙ y).</summary>
    public static (double[] Y, double[] DX) Softmax(double[] x, int rows, int width, double[] g)
    {
        double[] y = new double[x.Length], dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = r * width;
            double max = double.NegativeInfinity, total = 0, dot = 0;
            for (int i = 0; i < width; i++) max = Math.Max(max, x[row + i]);
            for (int i = 0; i < width; i++) total += y[row + i] = Math.Exp(x[row + i] - max);
            for (int i = 0; i < width; i++) dot += (y[row + i] /= total) * g[row + i];
            for (int i = 0; i < width; i++) dx[row + i] = y[row + i] * (g[row + i] - dot);
        }
        return (y, dx);
    }

    /// <summary>SiLU: y = x σ(x), y′ = σ(x) (1 + x (1 − σ(x))).</summary>
    public static (double[] Y, double[] DX) Silu(double[] x, double[] g)
    {
        double[] y = new double[x.Length], dx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var sigmoid = 1 / (1 + Math.Exp(-x[i]));
            y[i] = x[i] * sigmoid;
            dx[i] = g[i] * sigmoid * (1 + x[i] * (1 - sigmoid));
        }
        return (y, dx);
    }

    /// <summary>GroupNorm (Wu &amp; He 2018): per sample and group, x̂ = (x − μ)/√(σ² + ε) with the
    /// biased variance, y = γ x̂ + β per channel; dx = (γg − mean(γg) − x̂ mean(γg x̂)) / √(σ² + ε).</summary>
    public static (double[] Y, double[] DX, double[] DGamma, double[] DBeta) GroupNorm(
        double[] x, int n, int c, int spatial, int groups, double[] gamma, double[] beta, double eps,
        double[] g)
    {
        double[] y = new double[x.Length], dx = new double[x.Length];
        double[] dgamma = new double[c], dbeta = new double[c];
        int perGroup = c / groups, count = perGroup * spatial;
        var normalized = new double[count];
        for (int b = 0; b < n; b++)
        for (int grp = 0; grp < groups; grp++)
        {
            int start = (b * c + grp * perGroup) * spatial;
            double mean = 0, variance = 0;
            for (int i = 0; i < count; i++) mean += x[start + i];
            mean /= count;
            for (int i = 0; i < count; i++) variance += (x[start + i] - mean) * (x[start + i] - mean);
            var inverseStd = 1 / Math.Sqrt(variance / count + eps);
            double meanScaled = 0, meanScaledTimesNormalized = 0;
            for (int i = 0; i < count; i++)
            {
                int channel = grp * perGroup + i / spatial, at = start + i;
                normalized[i] = (x[at] - mean) * inverseStd;
                y[at] = gamma[channel] * normalized[i] + beta[channel];
                dgamma[channel] += g[at] * normalized[i];
                dbeta[channel] += g[at];
                meanScaled += gamma[channel] * g[at] / count;
                meanScaledTimesNormalized += gamma[channel] * g[at] * normalized[i] / count;
            }
            for (int i = 0; i < count; i++)
            {
                int channel = grp * perGroup + i / spatial, at = start + i;
                dx[at] = (gamma[channel] * g[at] - meanScaled - normalized[i] * meanScaledTimesNormalized) * inverseStd;
            }
        }
        return (y, dx, dgamma, dbeta);
    }

    /// <summary>Nearest-neighbour upsampling by 2 of [planes, h, w]: each pixel becomes a 2x2 block,
    /// and its gradient is the sum of the block's upstream gradients.</summary>
    public static (double[] Y, double[] DX) UpsampleNearest2x(double[] x, int planes, int h, int w, double[] g)
    {
        double[] y = new double[x.Length * 4], dx = new double[x.Length];
        for (int p = 0; p < planes; p++)
        for (int oy = 0; oy < 2 * h; oy++)
        for (int ox = 0; ox < 2 * w; ox++)
        {
            int src = (p * h + oy / 2) * w + ox / 2, dst = (p * 2 * h + oy) * 2 * w + ox;
            y[dst] = x[src];
            dx[src] += g[dst];
        }
        return (y, dx);
    }
}

using Course.Diffusion.Score;

namespace Course.Diffusion.Tests;

static class TestMixtures
{
    /// <summary>Three overlapping 2D components with full covariances: mean and covariance known in closed form.</summary>
    public static GaussianMixture ThreeComponents() => new(
        new[] { 0.5, 0.3, 0.2 },
        new double[,] { { -1.5, 0.0 }, { 1.5, 0.5 }, { 0.0, -1.5 } },
        new double[,,]
        {
            { { 0.30, 0.10 }, { 0.10, 0.20 } },
            { { 0.20, 0.00 }, { 0.00, 0.40 } },
            { { 0.25, -0.05 }, { -0.05, 0.15 } },
        });

    /// <summary>Log-density of a 2D Gaussian mixture by the explicit 2x2 inverse and determinant (independent of the library's eigenbasis).</summary>
    public static double LogProb2D(double[] w, double[,] mu, double[,,] cov, double x, double y, out double scoreX, out double scoreY)
    {
        int k = w.Length;
        var logJoint = new double[k];
        var gx = new double[k];
        var gy = new double[k];
        for (int c = 0; c < k; c++)
        {
            double a = cov[c, 0, 0], b = cov[c, 0, 1], d = cov[c, 1, 1], det = a * d - b * b;
            double dx = x - mu[c, 0], dy = y - mu[c, 1];
            double px = (d * dx - b * dy) / det, py = (-b * dx + a * dy) / det; // Sigma^{-1} (x - mu)
            logJoint[c] = Math.Log(w[c]) - 0.5 * (dx * px + dy * py) - 0.5 * Math.Log(det) - Math.Log(2 * Math.PI);
            gx[c] = -px; gy[c] = -py;
        }
        double max = logJoint.Max(), sum = logJoint.Sum(l => Math.Exp(l - max));
        double logp = max + Math.Log(sum);
        scoreX = 0; scoreY = 0;
        for (int c = 0; c < k; c++) { double r = Math.Exp(logJoint[c] - logp); scoreX += r * gx[c]; scoreY += r * gy[c]; }
        return logp;
    }
}

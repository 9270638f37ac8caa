using Course.Visuals;

/// <summary>Every kind of figure the library makes, with data shaped like the course's: for looking at.</summary>
internal static class Gallery
{
    public static Dictionary<string, IVisualSource> All()
    {
        var rng = new Random(7);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

        var figs = new Dictionary<string, IVisualSource>();

        // noise schedule: lines, legend, dashes
        int T = 1000;
        var t = Enumerable.Range(0, T).Select(i => (double)i).ToArray();
        var beta = t.Select(i => 1e-4 + (0.02 - 1e-4) * i / (T - 1)).ToArray();
        var abar = new double[T]; double acc = 1;
        for (int i = 0; i < T; i++) { acc *= 1 - beta[i]; abar[i] = acc; }
        figs["schedule"] = new FigureSource(new Figure().Title("Linear noise schedule (Ho et al. 2020)")
            .Line(t, abar, name: "ᾱₜ (signal kept)")
            .Line(t, abar.Select(a => Math.Sqrt(1 - a)).ToArray(), name: "√(1−ᾱₜ) (noise std)", dash: Dash.Dash)
            .Line(t, beta.Select(b => b * 40).ToArray(), name: "40·βₜ", dash: Dash.Dot)
            .XLabel("timestep t").YLabel("value"));

        // log axis
        figs["log-snr"] = new FigureSource(new Figure(560, 380).Title("Signal-to-noise ratio")
            .Line(t, abar.Select(a => a / (1 - a)).ToArray(), name: "SNR(t)").LogY().XLabel("t").YLabel("ᾱ/(1−ᾱ)"));

        // scatter: two moons style
        var xs = new List<double>(); var ys = new List<double>();
        for (int i = 0; i < 800; i++)
        {
            double a = Math.PI * rng.NextDouble();
            bool upper = i % 2 == 0;
            xs.Add((upper ? Math.Cos(a) : 1 - Math.Cos(a)) + 0.08 * Normal());
            ys.Add((upper ? Math.Sin(a) : 0.5 - Math.Sin(a)) + 0.08 * Normal());
        }
        figs["scatter"] = new FigureSource(new Figure(560, 420).Title("Two moons: training data")
            .Scatter(xs, ys, name: "data", size: 5, opacity: 0.6)
            .Scatter(new[] { 0.0, 1.0 }, new[] { 0.25, 0.25 }, name: "centres", size: 10, color: "#e15759")
            .XLabel("x₁").YLabel("x₂"));

        // histogram with density curve and analytic pdf
        var samples = Enumerable.Range(0, 5000).Select(_ => Normal() * 0.8 + (rng.NextDouble() < 0.3 ? 2 : -0.5)).ToArray();
        figs["histogram"] = new FigureSource(new Figure(600, 400).Title("Samples after 1000 reverse steps")
            .Histogram(samples, norm: HistNorm.Density, densityCurve: true, name: "samples")
            .Function(x => 0.7 * Math.Exp(-0.5 * Math.Pow((x + 0.5) / 0.8, 2)) / (0.8 * Math.Sqrt(2 * Math.PI))
                         + 0.3 * Math.Exp(-0.5 * Math.Pow((x - 2) / 0.8, 2)) / (0.8 * Math.Sqrt(2 * Math.PI)), -4, 5, name: "true p(x)", dash: Dash.Dash, color: "#222")
            .XLabel("x").YLabel("density"));

        // 2D histogram
        figs["hist2d"] = new FigureSource(new Figure(520, 440).Title("Density of generated samples")
            .Histogram2D(xs, ys, bins: 40).XLabel("x₁").YLabel("x₂"));

        // heatmap with diverging map
        int n = 60;
        var z = new double[n, n];
        for (int r = 0; r < n; r++) for (int c = 0; c < n; c++)
        {
            double x = -3 + 6.0 * c / (n - 1), y = -3 + 6.0 * r / (n - 1);
            z[r, c] = Math.Sin(x) * Math.Cos(y) * Math.Exp(-(x * x + y * y) / 8);
        }
        figs["heatmap"] = new FigureSource(new Figure(520, 440).Title("Score divergence ∇·s(x)")
            .Heatmap(z, Values.Linspace(-3, 3, n), Values.Linspace(-3, 3, n), ColorMap.Diverging, zMin: -1, zMax: 1, colorbarTitle: "∇·s")
            .XLabel("x").YLabel("y").EqualAspect());

        // quiver: score of a 2-component gaussian mixture
        (double, double) Score(double x, double y)
        {
            double w1 = Math.Exp(-((x - 1) * (x - 1) + (y - 1) * (y - 1)) / 2), w2 = Math.Exp(-((x + 1) * (x + 1) + (y + 1) * (y + 1)) / 2);
            double s = w1 + w2 + 1e-300;
            return ((w1 * (1 - x) + w2 * (-1 - x)) / s, (w1 * (1 - y) + w2 * (-1 - y)) / s);
        }
        figs["quiver"] = new FigureSource(new Figure(540, 480).Title("Score field ∇ log p(x)")
            .Quiver(Score, (-3, 3), (-3, 3), n: 20, colorMap: ColorMap.Viridis).EqualAspect().XLabel("x₁").YLabel("x₂"));
        figs["quiver-plain"] = new FigureSource(new Figure(480, 440).Title("Score field, single colour")
            .Quiver(Score, (-3, 3), (-3, 3), n: 16, name: "s(x)")
            .Scatter(new[] { 1.0, -1.0 }, new[] { 1.0, -1.0 }, name: "modes", size: 9, color: "#e15759").EqualAspect());

        // images
        var batch = Digits(64, rng);
        figs["grid64"] = new FigureSource(Figure.ImageGrid(batch, columns: 8, title: "64 samples"));
        var ten = Digits(8, rng);
        figs["grid-labels"] = new FigureSource(Figure.ImageGrid(Noised(ten, rng), labels: new[] { "t=0", "t=100", "t=200", "t=300", "t=400", "t=600", "t=800", "t=999" },
            title: "Forward process q(xₜ | x₀)"));
        figs["rgb"] = new FigureSource(Figure.ImageGrid(Rgb(6, rng), labels: Enumerable.Range(0, 6).Select(i => $"sample {i}").ToArray()));

        // subplots mixing kinds
        var sub = new Figure(900, 620).Title("Subplots").Subplots(2, 2, "loss", "histogram", "density", "score")
            .At(0, 0).Line(Enumerable.Range(0, 300).Select(i => 1.0 / (1 + i / 30.0) + 0.03 * Normal()).ToArray(), name: "loss").XLabel("step").YLabel("L_simple")
            .At(0, 1).Histogram(samples, bins: 40, name: "x₀")
            .At(1, 0).Histogram2D(xs, ys, bins: 30, showScale: true).XLabel("x₁")
            .At(1, 1).Quiver(Score, (-3, 3), (-3, 3), n: 12).EqualAspect();
        figs["subplots"] = new FigureSource(sub);

        // progress and tensor summary
        int tick = 0;
        var progress = new TrainingProgress(5000, "training DDPM", () => TimeSpan.FromSeconds(tick * 0.02));
        for (int i = 0; i < 1800; i++) { tick++; progress.Report(i + 1, 0.1 + 0.9 * Math.Exp(-i / 300.0) + 0.05 * rng.NextDouble()); }
        figs["progress"] = new VisualSource(progress);
        figs["tensor"] = new VisualSource(new TensorSummary(batch.Data.Take(16 * 28 * 28).Select(v => v * 2 - 1).ToArray(), new long[] { 16, 1, 28, 28 }, name: "x0"));

        // animation
        var anim = Animation.Of(new[] { 0, 100, 250, 500, 750, 999 }, step =>
        {
            var rng2 = new Random(step);
            double a = abar[step];
            var pts = xs.Select((x, i) => Math.Sqrt(a) * x + Math.Sqrt(1 - a) * (Math.Sqrt(-2 * Math.Log(1 - rng2.NextDouble())) * Math.Cos(2 * Math.PI * rng2.NextDouble()))).ToArray();
            var qts = ys.Select((y, i) => Math.Sqrt(a) * y + Math.Sqrt(1 - a) * (Math.Sqrt(-2 * Math.Log(1 - rng2.NextDouble())) * Math.Cos(2 * Math.PI * rng2.NextDouble()))).ToArray();
            return new Figure(520, 480).Title("Forward diffusion of two moons").Scatter(pts, qts, size: 4, opacity: 0.6).XRange(-3.5, 3.5).YRange(-3.5, 3.5).EqualAspect();
        }, "t");
        figs["animation"] = new AnimationSource(anim);
        return figs;
    }

    /// <summary>Blobby fake digits in [0, 1]: strokes on 28x28.</summary>
    public static ImageBatch Digits(int count, Random rng)
    {
        var data = new float[count * 28 * 28];
        for (int k = 0; k < count; k++)
        {
            double cx = 14 + rng.NextDouble() * 4 - 2, cy = 14 + rng.NextDouble() * 4 - 2, r = 6 + rng.NextDouble() * 3, a0 = rng.NextDouble() * 6;
            for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++)
            {
                double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)), ang = Math.Atan2(y - cy, x - cx);
                double ring = Math.Exp(-Math.Pow(d - r, 2) / 2.5) * (Math.Cos(ang + a0) > -0.6 ? 1 : 0);
                double bar = Math.Exp(-Math.Pow(x - cx - (y - cy) * 0.3, 2) / 2) * (Math.Abs(y - cy) < r ? 1 : 0) * (k % 3 == 0 ? 1 : 0);
                data[k * 784 + y * 28 + x] = (float)Math.Min(1, ring + bar);
            }
        }
        return new ImageBatch(data, count, 1, 28, 28);
    }

    private static ImageBatch Noised(ImageBatch b, Random rng)
    {
        int[] ts = { 0, 100, 200, 300, 400, 600, 800, 999 };
        var d = new float[b.Data.Length];
        for (int k = 0; k < b.Count; k++)
        {
            double beta(int i) => 1e-4 + (0.02 - 1e-4) * i / 999; double a = 1; for (int i = 0; i <= ts[k]; i++) a *= 1 - beta(i);
            for (int j = 0; j < 784; j++)
            {
                double n = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                d[k * 784 + j] = (float)(Math.Sqrt(a) * (b.Data[0 * 784 + j] * 2 - 1) + Math.Sqrt(1 - a) * n);
            }
        }
        return new ImageBatch(d, new[] { b.Count, 1, 28, 28 }, PixelRange.MinusOneToOne);
    }

    private static ImageBatch Rgb(int count, Random rng)
    {
        var d = new float[count * 3 * 32 * 32];
        for (int k = 0; k < count; k++) for (int c = 0; c < 3; c++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++)
            d[((k * 3 + c) * 32 + y) * 32 + x] = (float)(0.5 + 0.5 * Math.Sin((x * (c + 1) + y * (k + 1)) / 6.0 + k));
        return new ImageBatch(d, count, 3, 32, 32);
    }
}

internal interface IVisualSource { void Save(string pathWithoutExtension); }
internal sealed record FigureSource(Figure F) : IVisualSource
{
    public void Save(string p) { F.Save(p + ".png"); F.Save(p + ".svg"); F.Save(p + ".html"); }
}
internal sealed record VisualSource(Course.Visuals.Display.IVisual V) : IVisualSource
{
    public void Save(string p) { V.Save(p + ".png"); V.Save(p + ".svg"); }
}
internal sealed record AnimationSource(Animation A) : IVisualSource
{
    public void Save(string p) { A.Save(p + ".png"); A.Save(p + ".gif"); A.Save(p + ".html"); }
}

using System.Globalization;
using Course.Data;
using Course.Diffusion.Generative;
using Course.Diffusion.Metrics;
using Course.Diffusion.Training;

namespace Course.Diffusion.Tests;

public class GenerativeTests
{
    static double[] Values(Tensor t)
    {
        using var d = t.detach().to(float64).cpu().contiguous();
        return d.data<double>().ToArray();
    }

    static string Csv(double[] v) => string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));

    static double[] ParseLine(string line) => line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(z => double.Parse(z, CultureInfo.InvariantCulture)).ToArray();

    // ------------------------------------------------------------------ the VAE's mathematics

    [Fact]
    public void Kl_term_matches_the_closed_form_and_pytorch()
    {
        using var scope = NewDisposeScope();
        double[] mu = { 0.0, 1.5, -0.7, 2.0, 0.3, -1.2 };
        double[] logVar = { 0.0, -1.0, 0.8, -2.5, 1.7, 0.1 };
        var kl = Values(GaussianKl.ToStandardNormal(tensor(mu).reshape(2, 3), tensor(logVar).reshape(2, 3)));

        // KL(N(m, s²) ‖ N(0, 1)) = log(1/s) + (s² + m²)/2 − ½ per dimension, written out independently.
        for (int b = 0; b < 2; b++)
        {
            double expected = 0;
            for (int j = 0; j < 3; j++)
            {
                double m = mu[b * 3 + j], s2 = Math.Exp(logVar[b * 3 + j]);
                expected += -0.5 * Math.Log(s2) + 0.5 * (s2 + m * m) - 0.5;
            }
            Assert.Equal(expected, kl[b], 12);
        }
        Assert.Equal(0.0, Values(GaussianKl.ToStandardNormal(zeros(new long[] { 1, 4 }, float64), zeros(new long[] { 1, 4 }, float64)))[0], 15);

        var script = """
            import sys, torch
            from torch.distributions import Normal, kl_divergence
            mu = torch.tensor([float(v) for v in sys.argv[1].split(',')], dtype=torch.float64).reshape(2, 3)
            lv = torch.tensor([float(v) for v in sys.argv[2].split(',')], dtype=torch.float64).reshape(2, 3)
            kl = kl_divergence(Normal(mu, (0.5 * lv).exp()), Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(1)
            print(' '.join(repr(v) for v in kl.tolist()))
            """;
        var reference = ParseLine(Python.Run(script, Csv(mu), Csv(logVar)));
        for (int b = 0; b < 2; b++) Assert.Equal(reference[b], kl[b], 12);
    }

    [Fact]
    public void Kl_term_agrees_with_a_monte_carlo_estimate_within_its_standard_error()
    {
        // KL(q ‖ p) = E_q[log q(z) − log p(z)]; the estimate's standard error is the sample std over √N.
        using var scope = NewDisposeScope();
        var mu = tensor(new[] { 0.8, -0.4, 1.3 }, dtype: float64).reshape(1, 3);
        var logVar = tensor(new[] { -0.6, 0.9, -1.4 }, dtype: float64).reshape(1, 3);
        double exact = GaussianKl.ToStandardNormal(mu, logVar).ToDouble();
        const int n = 200_000;
        using var g = new Generator(5);
        var eps = randn(new long[] { n, 3 }, float64, generator: g);
        var z = Reparameterization.Apply(mu.expand(n, 3), logVar.expand(n, 3), eps);
        var logQ = (-0.5 * (eps.square() + logVar + Math.Log(2 * Math.PI))).sum(1);
        var logP = (-0.5 * (z.square() + Math.Log(2 * Math.PI))).sum(1);
        var terms = logQ - logP;
        double estimate = terms.mean().ToDouble(), standardError = terms.std().ToDouble() / Math.Sqrt(n);
        Assert.True(Math.Abs(estimate - exact) < 4 * standardError, $"Monte Carlo {estimate} ± {standardError} vs closed form {exact}");
        Assert.True(standardError < 0.01 * exact, "the test should be sharp: standard error below 1 % of the KL");
    }

    [Fact]
    public void Reparameterized_gradient_matches_a_finite_difference()
    {
        // L(μ, log σ²) = mean_k f(μ + exp(½ log σ²) ε_k) with fixed ε: autograd against central differences, in float64.
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var eps = randn(new long[] { 64, 3 }, float64, generator: g);
        var weights = tensor(new[] { 0.7, -1.3, 2.1 }, dtype: float64);
        double Objective(double[] m, double[] lv)
        {
            using var inner = NewDisposeScope();
            var z = Reparameterization.Apply(tensor(m).unsqueeze(0).expand(64, 3), tensor(lv).unsqueeze(0).expand(64, 3), eps);
            return ((z * weights).sin() + 0.3 * z.square()).sum(1).mean().ToDouble();
        }
        double[] mu0 = { 0.4, -0.9, 1.1 }, lv0 = { -0.5, 0.3, -1.2 };
        var mu = tensor(mu0).requires_grad_();
        var lv = tensor(lv0).requires_grad_();
        var zz = Reparameterization.Apply(mu.unsqueeze(0).expand(64, 3), lv.unsqueeze(0).expand(64, 3), eps);
        ((zz * weights).sin() + 0.3 * zz.square()).sum(1).mean().backward();
        var gradMu = Values(mu.grad!);
        var gradLv = Values(lv.grad!);
        const double h = 1e-6;
        for (int j = 0; j < 3; j++)
        {
            var plus = (double[])mu0.Clone(); plus[j] += h;
            var minus = (double[])mu0.Clone(); minus[j] -= h;
            Assert.Equal((Objective(plus, lv0) - Objective(minus, lv0)) / (2 * h), gradMu[j], 7);
            plus = (double[])lv0.Clone(); plus[j] += h;
            minus = (double[])lv0.Clone(); minus[j] -= h;
            Assert.Equal((Objective(mu0, plus) - Objective(mu0, minus)) / (2 * h), gradLv[j], 7);
        }
    }

    [Fact]
    public void Reconstruction_losses_match_hand_computed_values_and_pytorch()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.5, -1.0, 2.0, 0.0 }, dtype: float64).reshape(2, 2);
        var mean = tensor(new[] { 0.0, -0.5, 1.0, 0.5 }, dtype: float64).reshape(2, 2);
        var logVar = tensor(new[] { -1.0, 0.5 }, dtype: float64);
        var gaussian = Values(ReconstructionLoss.GaussianNegativeLogLikelihood(x, mean, logVar));
        double Nll(double xv, double m, double lv) => 0.5 * ((xv - m) * (xv - m) / Math.Exp(lv) + lv + Math.Log(2 * Math.PI));
        Assert.Equal(Nll(0.5, 0.0, -1.0) + Nll(-1.0, -0.5, 0.5), gaussian[0], 12);
        Assert.Equal(Nll(2.0, 1.0, -1.0) + Nll(0.0, 0.5, 0.5), gaussian[1], 12);

        double[] targets = { 0.0, 1.0, 0.25, 1.0, 0.0, 0.9 };
        double[] logits = { -2.0, 3.0, 0.5, -40.0, 60.0, 0.0 };
        var bernoulli = Values(ReconstructionLoss.BernoulliNegativeLogLikelihood(tensor(targets).reshape(2, 3), tensor(logits).reshape(2, 3)));
        // −[y log σ(l) + (1 − y) log(1 − σ(l))], with log σ(l) = −log(1 + e^−l) evaluated where it does not overflow.
        double Bce(double y, double l) => y * (Math.Max(-l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l)))) + (1 - y) * (Math.Max(l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l))));
        Assert.Equal(Bce(0, -2) + Bce(1, 3) + Bce(0.25, 0.5), bernoulli[0], 12);
        Assert.Equal(Bce(1, -40) + Bce(0, 60) + Bce(0.9, 0), bernoulli[1], 12);
        Assert.Equal(100 + Math.Log(2), bernoulli[1], 9);   // 40 + 60 + log 2: saturated logits stay finite

        var script = """
            import sys, torch
            import torch.nn.functional as F
            y = torch.tensor([float(v) for v in sys.argv[1].split(',')], dtype=torch.float64).reshape(2, 3)
            l = torch.tensor([float(v) for v in sys.argv[2].split(',')], dtype=torch.float64).reshape(2, 3)
            print(' '.join(repr(v) for v in F.binary_cross_entropy_with_logits(l, y, reduction='none').sum(1).tolist()))
            """;
        var reference = ParseLine(Python.Run(script, Csv(targets), Csv(logits)));
        Assert.Equal(reference[0], bernoulli[0], 12);
        Assert.Equal(reference[1], bernoulli[1], 12);
    }

    // ------------------------------------------------------------------ the GAN's losses

    [Fact]
    public void Gan_losses_match_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        double[] real = { 2.0, -1.0, 0.0 }, fake = { 0.5, -3.0, 1.5 };
        double Sigmoid(double l) => 1 / (1 + Math.Exp(-l));
        // −V(D, G) of Goodfellow et al. eq. 1: −mean log D(x) − mean log(1 − D(G(z))).
        double expectedD = -real.Average(l => Math.Log(Sigmoid(l))) - fake.Average(l => Math.Log(1 - Sigmoid(l)));
        double expectedNonSaturating = -fake.Average(l => Math.Log(Sigmoid(l)));
        double expectedMinimax = fake.Average(l => Math.Log(1 - Sigmoid(l)));
        var r = tensor(real);
        var f = tensor(fake);
        Assert.Equal(expectedD, GanLosses.Discriminator(r, f).ToDouble(), 12);
        Assert.Equal(expectedNonSaturating, GanLosses.GeneratorNonSaturating(f).ToDouble(), 12);
        Assert.Equal(expectedMinimax, GanLosses.GeneratorMinimax(f).ToDouble(), 12);

        // At D = ½ everywhere (logits 0) the losses are the equilibrium values 2 log 2 and log 2.
        var zero = zeros(new long[] { 5 }, float64);
        Assert.Equal(2 * Math.Log(2), GanLosses.Discriminator(zero, zero).ToDouble(), 14);
        Assert.Equal(Math.Log(2), GanLosses.GeneratorNonSaturating(zero).ToDouble(), 14);

        // Confident logits: finite values (softplus(±200) = 200 or ~0), where sigmoid and log would give log 0.
        var confident = tensor(new[] { -200.0 });
        Assert.Equal(200.0, GanLosses.GeneratorNonSaturating(confident).ToDouble(), 9);
        Assert.Equal(200.0, GanLosses.Discriminator(confident, tensor(new[] { -200.0 })).ToDouble(), 9);
    }

    [Fact]
    public void Non_saturating_generator_loss_keeps_its_gradient_where_the_minimax_one_vanishes()
    {
        // d/dl of −log σ(l) is σ(l) − 1 → −1 as D rejects (l → −∞); of log(1 − σ(l)) it is −σ(l) → 0 (Goodfellow et al. §3).
        using var scope = NewDisposeScope();
        var l1 = tensor(new[] { -8.0 }).requires_grad_();
        GanLosses.GeneratorNonSaturating(l1).backward();
        var l2 = tensor(new[] { -8.0 }).requires_grad_();
        GanLosses.GeneratorMinimax(l2).backward();
        double s = 1 / (1 + Math.Exp(8));
        Assert.Equal(s - 1, l1.grad!.ToDouble(), 12);
        Assert.Equal(-s, l2.grad!.ToDouble(), 12);
    }

    [Fact]
    public void Gan_losses_match_pytorch_binary_cross_entropy()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var real = randn(new long[] { 16 }, float64, generator: g) * 3;
        var fake = randn(new long[] { 16 }, float64, generator: g) * 3;
        var script = """
            import sys, torch
            import torch.nn.functional as F
            r = torch.tensor([float(v) for v in sys.argv[1].split(',')], dtype=torch.float64)
            f = torch.tensor([float(v) for v in sys.argv[2].split(',')], dtype=torch.float64)
            d = F.binary_cross_entropy_with_logits(r, torch.ones_like(r)) + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))
            gl = F.binary_cross_entropy_with_logits(f, torch.ones_like(f))
            print(repr(d.item()), repr(gl.item()))
            """;
        var reference = ParseLine(Python.Run(script, Csv(Values(real)), Csv(Values(fake))));
        Assert.Equal(reference[0], GanLosses.Discriminator(real, fake).ToDouble(), 12);
        Assert.Equal(reference[1], GanLosses.GeneratorNonSaturating(fake).ToDouble(), 12);
    }

    // ------------------------------------------------------------------ models and training

    static GenerativeConfig SmallMlp(int latent = 2) => GenerativeConfig.ForToyData(latent) with { Width = 32, Layers = 2 };

    static TrainingData EightGaussians() => TrainingData.FromSampler((n, g) => ToyDatasets.EightGaussians(n, g, std: 0.1));

    [Fact]
    public void Vae_training_improves_the_elbo_on_2d_data()
    {
        manual_seed(1);
        using var vae = new VariationalAutoencoder(SmallMlp());
        using var trainer = new VaeTrainer(vae, EightGaussians(), new GenerativeTrainingOptions { TotalSteps = 800, BatchSize = 256, LearningRate = 3e-3, Seed = 2 });
        var reports = new List<VaeTrainingReport>();
        trainer.ProgressChanged += (_, r) => reports.Add(r);
        trainer.Train();
        Assert.Equal(800, trainer.Step);
        Assert.Equal(16, reports.Count);                   // every 50 steps
        Assert.All(reports, r => Assert.True(r.StepsPerSecond > 0));
        double first = trainer.Losses.Take(25).Average(), last = trainer.Losses.TakeLast(25).Average();
        // The mean of 25 steps at batch 256 has a standard error of a few hundredths of a nat; a drop of 0.3 is learning, not noise.
        Assert.True(last < first - 0.3, $"−ELBO went from {first:0.000} to {last:0.000}");
        for (int i = 0; i < trainer.Losses.Count; i++)
            Assert.Equal(trainer.Losses[i], trainer.Reconstructions[i] + trainer.Kls[i], 4);
        Assert.All(trainer.Kls, kl => Assert.True(kl >= 0));

        // The loss is an upper bound on −log p(x): with the learned decoder variance it lies well below that of N(0, 1.41² I)
        // fitted to the data's spread (2 · ½ log(2πe · 2) ≈ 3.53 nats), since the model has found the structure.
        Assert.True(last < 3.53, $"−ELBO {last:0.000} should beat a single Gaussian's 3.53 nats");
    }

    [Fact]
    public void Gan_on_a_2d_gaussian_reaches_its_mean()
    {
        manual_seed(3);
        var target = new[] { 2.0, -1.0 };
        var data = TrainingData.FromSampler((n, g) => (randn(new[] { n, 2L }, generator: g) * 0.5 + tensor(new[] { 2.0f, -1.0f })));
        using var gan = new GenerativeAdversarialNetwork(SmallMlp(latent: 4));
        var options = GenerativeTrainingOptions.ForGan() with { TotalSteps = 600, BatchSize = 256, LearningRate = 1e-3, EmaDecay = 0.98, Seed = 4 };
        using var trainer = new GanTrainer(gan, data, options);
        trainer.Train();
        Tensor samples;
        using (trainer.Ema.Swap())
        using (no_grad())
            samples = gan.Sample(4000, new Generator(5));
        var rows = Stats.Rows(samples);
        var mean = Stats.Mean(rows);
        // Untrained, G(z) sits near 0, about 2.2 away from the target. Adversarial training need not match the law exactly;
        // the mean within 0.15 (the target's std is 0.5; sampling error of 4000 points is ~0.01) is what this asserts.
        Assert.True(Math.Abs(mean[0] - target[0]) < 0.15 && Math.Abs(mean[1] - target[1]) < 0.15, $"GAN mean ({mean[0]:0.000}, {mean[1]:0.000}) vs target (2, -1)");
        Assert.Equal(600, trainer.GeneratorLosses.Count);
        Assert.All(trainer.DiscriminatorLosses, l => Assert.True(double.IsFinite(l) && l > 0));
    }

    [Fact]
    public void Same_seeds_give_the_same_numbers()
    {
        List<double> Run()
        {
            manual_seed(11);
            using var vae = new VariationalAutoencoder(SmallMlp());
            using var trainer = new VaeTrainer(vae, EightGaussians(), new GenerativeTrainingOptions { TotalSteps = 10, BatchSize = 64, Seed = 12 });
            trainer.Train();
            manual_seed(11);
            using var gan = new GenerativeAdversarialNetwork(SmallMlp());
            using var ganTrainer = new GanTrainer(gan, EightGaussians(), GenerativeTrainingOptions.ForGan() with { TotalSteps = 10, BatchSize = 64, Seed = 12 });
            ganTrainer.Train();
            return trainer.Losses.Concat(ganTrainer.DiscriminatorLosses).Concat(ganTrainer.GeneratorLosses).ToList();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Vae_checkpoint_resumes_exactly_and_weights_round_trip()
    {
        var path = TrainingTests.TempFile("vae.safetensors");
        var weights = TrainingTests.TempFile("vae-weights.safetensors");
        try
        {
            var options = new GenerativeTrainingOptions { TotalSteps = 20, BatchSize = 64, Seed = 7 };
            manual_seed(21);
            using var vae = new VariationalAutoencoder(SmallMlp());
            using var trainer = new VaeTrainer(vae, EightGaussians(), options);
            trainer.Train(10);
            trainer.SaveCheckpoint(path);
            trainer.Train(10);
            var uninterrupted = trainer.Losses.Skip(10).ToList();

            manual_seed(999);                           // different initial weights: the checkpoint must replace them all
            using var other = new VariationalAutoencoder(SmallMlp());
            using var resumed = new VaeTrainer(other, EightGaussians(), options);
            resumed.Resume(path);
            Assert.Equal(10, resumed.Step);
            resumed.Train(10);
            Assert.Equal(uninterrupted, resumed.Losses.ToList());

            vae.SaveWeights(weights, new Dictionary<string, string> { ["steps"] = "20" });
            using var loaded = GenerativeFiles.LoadVae(weights);
            Assert.Equal("20", Course.Diffusion.Checkpoints.Safetensors.ReadMetadata(weights)["steps"]);
            using var probe = ToyDatasets.EightGaussians(32, 3);
            using (no_grad())
            {
                vae.eval();
                Assert.Equal(Values(vae.Reconstruct(probe)), Values(loaded.Reconstruct(probe)));
            }
            using var fromCheckpoint = GenerativeFiles.LoadVae(path);      // a training checkpoint loads too
            Assert.Throws<InvalidDataException>(() => GenerativeFiles.LoadGan(weights));
        }
        finally
        {
            File.Delete(path);
            File.Delete(weights);
        }
    }

    [Fact]
    public void Gan_checkpoint_resumes_exactly_and_loads_the_generator_average()
    {
        var path = TrainingTests.TempFile("gan.safetensors");
        try
        {
            var options = GenerativeTrainingOptions.ForGan() with { TotalSteps = 20, BatchSize = 64, Seed = 8, EmaDecay = 0.9 };
            manual_seed(31);
            using var gan = new GenerativeAdversarialNetwork(SmallMlp());
            using var trainer = new GanTrainer(gan, EightGaussians(), options);
            trainer.Train(10);
            trainer.SaveCheckpoint(path);
            trainer.Train(10);
            var uninterrupted = trainer.DiscriminatorLosses.Skip(10).Concat(trainer.GeneratorLosses.Skip(10)).ToList();

            manual_seed(998);
            using var other = new GenerativeAdversarialNetwork(SmallMlp());
            using var resumed = new GanTrainer(other, EightGaussians(), options);
            resumed.Resume(path);
            resumed.Train(10);
            Assert.Equal(uninterrupted, resumed.DiscriminatorLosses.Concat(resumed.GeneratorLosses).ToList());

            trainer.SaveCheckpoint(path);
            using var averaged = GenerativeFiles.LoadGan(path);
            using var raw = GenerativeFiles.LoadGan(path, useEma: false);
            using var z = randn(16, 2);
            Tensor expectedAverage, expectedRaw;
            using (no_grad())
            {
                expectedRaw = gan.Generate(z);
                using (trainer.Ema.Swap()) expectedAverage = gan.Generate(z);
                Assert.Equal(Values(expectedAverage), Values(averaged.Generate(z)));
                Assert.Equal(Values(expectedRaw), Values(raw.Generate(z)));
            }
            Assert.NotEqual(Values(expectedAverage), Values(expectedRaw));

            // A checkpoint of another kind is refused with a message naming the file.
            using var vae = new VariationalAutoencoder(SmallMlp());
            using var vaeTrainer = new VaeTrainer(vae, EightGaussians());
            var e = Assert.Throws<InvalidDataException>(() => vaeTrainer.Resume(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Nan_in_the_data_stops_training_naming_the_step_before_the_weights_change()
    {
        var poisoned = TrainingData.FromSampler((n, g) => full(new[] { n, 2L }, double.NaN, float32));
        manual_seed(41);
        using var vae = new VariationalAutoencoder(SmallMlp());
        var before = vae.parameters().Select(p => p.data<float>()).ToList();
        using var trainer = new VaeTrainer(vae, poisoned, new GenerativeTrainingOptions { BatchSize = 8 });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train());
        Assert.Equal(1, e.Step);
        Assert.Contains("step 1", e.Message);
        Assert.Equal(0, trainer.Step);
        Assert.Equal(before, vae.parameters().Select(p => p.data<float>()).ToList());

        using var gan = new GenerativeAdversarialNetwork(SmallMlp());
        var ganBefore = gan.parameters().Select(p => p.data<float>()).ToList();
        using var ganTrainer = new GanTrainer(gan, poisoned, GenerativeTrainingOptions.ForGan() with { BatchSize = 8 });
        var ge = Assert.Throws<TrainingDivergedException>(() => ganTrainer.Train());
        Assert.Equal(1, ge.Step);
        Assert.Equal("discriminator loss", ge.Quantity);
        Assert.Equal(ganBefore, gan.parameters().Select(p => p.data<float>()).ToList());
    }

    [Fact]
    public void Image_models_have_the_shapes_and_ranges_they_promise()
    {
        manual_seed(51);
        using var gan = new GenerativeAdversarialNetwork(GenerativeConfig.ForFashionMnist(8) with { Width = 8 });
        using var vae = new VariationalAutoencoder(GenerativeConfig.ForFashionMnist(4) with { Width = 8 });
        using (no_grad())
        {
            using var images = gan.Sample(3, new Generator(1));
            Assert.Equal(new long[] { 3, 1, 28, 28 }, images.shape);
            Assert.True(images.abs().max().ToSingle() <= 1f, "the generator's tanh keeps images in [-1, 1]");
            Assert.Equal(new long[] { 3 }, gan.Discriminate(images).shape);
            using var decoded = vae.Sample(2, new Generator(2), decoderNoise: true);
            Assert.Equal(new long[] { 2, 1, 28, 28 }, decoded.shape);
            Assert.All(Values(decoded), v => Assert.True(v == -1 || v == 1));   // Bernoulli draws are black or white pixels
            using var loss = vae.Loss(images, new Generator(3));
            Assert.True(loss.Kl.ToSingle() >= 0 && double.IsFinite(loss.Loss.ToSingle()));
        }
        var wrong = Assert.Throws<ArgumentException>(() => vae.Encode(zeros(2, 1, 14, 14)));
        Assert.Contains("[batch, 1, 28, 28]", wrong.Message);
        Assert.Throws<ArgumentException>(() => gan.Generate(zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => new GenerativeConfig { Kind = NetworkKind.Conv, DataShape = new long[] { 1, 30, 30 } }.Validate());
    }

    // ------------------------------------------------------------------ modes covered

    [Fact]
    public void Mode_coverage_counts_by_hand()
    {
        using var scope = NewDisposeScope();
        var centres = tensor(new double[,] { { 0, 0 }, { 4, 0 }, { 0, 4 }, { 4, 4 } });
        // 10 points near mode 0, 9 near mode 1, 1 near mode 2, none near mode 3, 4 far from every mode.
        var points = new List<double[]>();
        for (int i = 0; i < 10; i++) points.Add(new[] { 0.01 * i, 0.0 });
        for (int i = 0; i < 9; i++) points.Add(new[] { 4.0, 0.02 * i });
        points.Add(new[] { 0.1, 3.9 });
        for (int i = 0; i < 4; i++) points.Add(new[] { 2.0, 2.0 + 0.1 * i });
        var samples = tensor(points.SelectMany(p => p).ToArray()).reshape(points.Count, 2);
        var result = ModeCoverage.Measure(samples, centres, radius: 0.5, minimumShare: 0.5);      // needs 0.5 · 24 / 4 = 3 samples
        Assert.Equal(new long[] { 10, 9, 1, 0 }, result.CountPerMode);
        Assert.Equal(2, result.ModesCovered);
        Assert.Equal(20.0 / 24, result.NearFraction, 12);
        Assert.Equal(3, ModeCoverage.Measure(samples, centres, radius: 0.5, minimumShare: 1.0 / 6).ModesCovered);   // needs 1
        Assert.Throws<ArgumentOutOfRangeException>(() => ModeCoverage.Measure(samples, centres, radius: 0));
        Assert.Throws<ArgumentException>(() => ModeCoverage.Measure(samples, zeros(4, 3), radius: 1));
    }

    [Fact]
    public void Mode_coverage_of_the_true_mixture_is_complete_with_the_chi_square_fraction_near()
    {
        // For an isotropic 2-D Gaussian, P(|x − μ| ≤ 3σ) = 1 − e^(−9/2) (chi-square with 2 degrees of freedom).
        const double std = 0.05;
        const int n = 40_000;
        using var samples = ToyDatasets.EightGaussians(n, 9, std: std);
        var mixture = ToyDatasets.EightGaussiansMixture(std: std);
        using var centres = tensor(mixture.Means);
        var result = ModeCoverage.Measure(samples, centres, radius: 3 * std);
        Assert.Equal(8, result.ModesCovered);
        double p = 1 - Math.Exp(-4.5), se = Math.Sqrt(p * (1 - p) / n);
        Assert.True(Math.Abs(result.NearFraction - p) < 4 * se, $"near fraction {result.NearFraction} vs {p} ± {se}");
        // A sample collapsed onto three of the modes covers three, however good each point is.
        var means = mixture.Means;
        var three = GaussianMixture2D.Isotropic(new[] { 1.0, 1, 1 }, new[,] { { means[0, 0], means[0, 1] }, { means[3, 0], means[3, 1] }, { means[5, 0], means[5, 1] } }, new[] { std, std, std });
        using var collapsed = three.Sample(3000, new Generator(10));
        var partial = ModeCoverage.Measure(collapsed, centres, radius: 3 * std);
        Assert.Equal(3, partial.ModesCovered);
        Assert.Equal(new[] { true, false, false, true, false, true, false, false }, partial.CountPerMode.Select(c => c > 0).ToArray());
    }
}

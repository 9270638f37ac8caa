using System.Text.RegularExpressions;
using Course.Data;
using Course.Diffusion.Metrics;
using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using Course.Diffusion.Score;
using Course.Diffusion.Training;
using Course.Interrupts;

namespace Course.Diffusion.Tests;

/// <summary>
/// The library's messages for a learner in the language the lesson chose (the Japanese edition's first cell passes
/// "ja" to <see cref="CourseEngine.EnsureLoadable(string)"/>): stop lines, verdicts, the engine check, errors a
/// learner's mistake causes. The Japanese text carries exactly the numbers of the English one; the English text is
/// what it was. Most tests set the language for their own flow only (<see cref="LearnerLanguage.Use"/>); the one that
/// sets it for the process runs alone.
/// </summary>
public class LearnerLanguageTests
{
    static string[] Numbers(string text) => Regex.Matches(text, @"-?\d+(,\d{3})*(\.\d+)?(E[+-]?\d+)?").Select(m => m.Value).ToArray();

    static bool HasJapanese(string text) => text.Any(c => c is >= '\u3040' and <= '\u30ff' or >= '\u4e00' and <= '\u9fff');

    /// <summary>The message of <paramref name="make"/> in English and in Japanese: the same numbers, and Japanese in
    /// the second.</summary>
    static (string English, string Japanese) Both(Func<string> make)
    {
        var english = make();
        string japanese;
        using (LearnerLanguage.Use("ja")) japanese = make();
        Assert.False(HasJapanese(english), english);
        Assert.True(HasJapanese(japanese), japanese);
        Assert.Equal(Numbers(english).Order(), Numbers(japanese).Order());
        return (english, japanese);
    }

    static string Thrown(Action action) => Record.Exception(action)?.Message ?? throw new InvalidOperationException("nothing was thrown");

    [Fact]
    public void RankingVerdictsSayTheSameInJapanese()
    {
        var close = Ranking.Best("FID", new[] { ("DDPM", 30.75), ("VAE", 31.2) }, lowerIsBetter: true, noise: 6.241, noiseSource: "the range of 5 floors");
        var (en, ja) = Both(() => close.Describe());
        Assert.Equal("FID: this run cannot tell DDPM (30.750) from VAE (31.200); the gap 0.450 is within the range of 5 floors (6.241)", en);
        Assert.Equal("FID: この実行では DDPM（30.750）と VAE（31.200）を区別できません。差 0.450 は、the range of 5 floors（6.241）の範囲内です", ja);
        var far = Ranking.Best("recall", new[] { ("DDPM", 0.682), ("VAE", 0.187) }, lowerIsBetter: false, noise: 0.041, noiseSource: "x");
        (en, ja) = Both(() => far.Describe());
        Assert.StartsWith("recall: best DDPM (0.682, then VAE at 0.187); the gap 0.495", en);
        Assert.StartsWith("recall: 最良は DDPM（0.682。次点は VAE で 0.187）です。差 0.495 は、x（0.041）より大きいです", ja);
        // The library's own noise source follows the language at the time of the ranking.
        IReadOnlyList<double> A = new[] { 1.0, 1.1 }, B = new[] { 2.0, 2.2 };
        Both(() => Ranking.BestOfRepeated("SW₁", new[] { ("a", A), ("b", B) }, lowerIsBetter: true).Describe());
        Both(() => Thrown(() => Ranking.Best("FID", new[] { ("only", 1.0) }, true, 0, "x")));
        Both(() => Thrown(() => Ranking.Best("FID", new[] { ("a", 1.0), ("b", double.NaN) }, true, 0, "x")));
    }

    [Fact]
    public void CoarseToFineBandsAndRepeatedRunVerdictsSpeakJapanese()
    {
        using var scope = NewDisposeScope();
        var final = randn(new long[] { 2, 1, 28, 28 }, generator: new Generator(3));
        var guesses = new[] { zeros_like(final), final };
        var english = CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final).BandNames;
        IReadOnlyList<string> japanese;
        using (LearnerLanguage.Use("ja")) japanese = CoarseToFine.Measure(new long[] { 10, 0 }, guesses, final).BandNames;
        Assert.Equal(new[] { "coarse", "middle", "fine" }, english);
        Assert.All(japanese, name => Assert.True(HasJapanese(name), name));
        Assert.Equal(3, japanese.Distinct().Count());
        var twoSamples = randn(new long[] { 2, 1, 28, 28 }, generator: new Generator(4));
        var (order, _) = Both(() =>
        {
            var verdict = CoarseToFine.Measure(new long[] { 500, 0 }, new[] { zeros_like(twoSamples), twoSamples }, twoSamples)
                .CoarseAgainstFine();
            return verdict.Metric + " / " + verdict.NoiseSource;
        });
        Assert.Equal("settles first (the mean t from which its remaining error stays ≤ 0.1) / the range over the 2 samples", order);

        ToyScores Run(string model, double sw) => new(model, "8gaussians", sw, 0.02, 0.001, null, null, 1.0);
        var rows = new[] { Run("DDPM", 0.10), Run("DDPM", 0.11), Run("GAN", 0.30), Run("GAN", 0.32) };
        var (en, _) = Both(() => RepeatedToyScores.Rank(rows, "8gaussians", "SW₁", r => r.Sw, lowerIsBetter: true).NoiseSource);
        Assert.Equal("the larger range of the two over their 2 runs", en);
    }

    [Fact]
    public void StopLinesSayWhatIsKeptInJapanese()
    {
        using var model = new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 8, hiddenLayers: 1);
        var data = TrainingData.FromSampler((n, g) => ToyDatasets.EightGaussians(n, g));
        var (en, ja) = Both(() =>
        {
            using var trainer = new DiffusionTrainer(model, NoiseSchedule.Linear(50), data, new TrainingOptions { TotalSteps = 1000, BatchSize = 8 });
            return Assert.Throws<OperationStoppedException>(() => trainer.Train(cancellationToken: new CancellationToken(true))).Message;
        });
        Assert.Equal("stopped at step 0 of 1,000; weights, EMA and optimizer state of step 0 kept; Train() again continues", en);
        Assert.Equal("1,000 ステップ中 0 ステップ目で停止しました。ステップ 0 の重み、EMA、オプティマイザの状態を保持しています。" +
                     "もう一度 Train() を呼ぶと続きから学習します", ja);
        using var start = randn(new long[] { 4, 2 }, generator: new Generator(1));
        (en, ja) = Both(() => Assert.Throws<OperationStoppedException>(() =>
            AnnealedLangevin.Sample((x, s) => -x, start, new[] { 1.0, 0.1 }, 0.01, 1500, new Generator(2), cancellationToken: new CancellationToken(true))).Message);
        Assert.StartsWith("annealed Langevin stopped after 0 of 3,000 steps;", en);
        Assert.StartsWith("アニールされたランジュバン動力学は 3,000 ステップ中 0 ステップで停止しました。", ja);
        var sampler = new DdimSampler(NoiseSchedule.Linear(100), steps: 20);
        (en, ja) = Both(() => Assert.Throws<OperationStoppedException>(() =>
            sampler.Sample((x, t, y) => zeros_like(x), new long[] { 4, 2 }, new Generator(3), cancellationToken: new CancellationToken(true))).Message);
        Assert.StartsWith("DdimSampler stopped after 0 of 20 steps; no sample returned", en);
        Assert.StartsWith("DdimSampler は 20 ステップ中 0 ステップで停止しました。サンプルは返しません", ja);
    }

    [Fact]
    public void TheEngineCheckSpeaksJapanese()
    {
        var right = new NumericsReport(new[] { new ResultCheck("matmul", 1e-7, 2.0, 1e-4) }, "cpu", TimeSpan.FromSeconds(0.16));
        var (en, ja) = Both(() => right.Summary);
        Assert.StartsWith("Engine check: 1 results of the models' operations agree with double-precision loops (largest relative error 5E-08, 0.16 s;", en);
        Assert.StartsWith("エンジンの検査: モデルの演算の結果 1 個が倍精度のループと一致しました（最大相対誤差 5E-08、0.16 秒。", ja);
        var wrong = new NumericsReport(new[] { new ResultCheck("conv2d: d input", 0.7, 2.0, 1e-4) }, "cpu", TimeSpan.FromSeconds(0.2));
        (en, ja) = Both(() => Thrown(() => EngineNumericsCheck.CheckAndRepair(() => wrong, [])));
        Assert.StartsWith("Engine check FAILED: conv2d: d input off by 0.7 (values up to 2)", en);
        Assert.Contains("conv2d: d input の誤差 0.7（値の大きさは最大 2）", ja);
        Assert.Contains("講座は誤った数値では学習しません", ja);
        (en, ja) = Both(() =>
        {
            var queue = new Queue<NumericsReport>([wrong, right]);
            return EngineNumericsCheck.CheckAndRepair(queue.Dequeue, [new NumericsRemedy(NumericsRemedies.TurnOffOneDnn, () => true)]).Summary;
        });
        Assert.Contains("turned oneDNN off for this process", en);
        Assert.Contains("このプロセスでは oneDNN を無効にしました", ja);
        Assert.Contains(CourseEngine.Name, Both(() => CourseEngine.Describe()).Japanese);
    }

    [Fact]
    public void ALearnersMistakeIsExplainedInJapanese()
    {
        var (en, ja) = Both(() => Thrown(() => new TrainingOptions { LearningRate = -0.5 }.Validate()));
        Assert.Equal("LearningRate must be a positive number, got -0.5", en);
        Assert.Equal("LearningRate は正の数にしてください（指定された値: -0.5）", ja);
        (en, ja) = Both(() => Thrown(() => new TrainingOptions { EmaDecay = 1.5 }.Validate()));
        Assert.Equal("EmaDecay must lie in [0, 1], got 1.5", en);
        Assert.Equal("EmaDecay は [0, 1] の範囲にしてください（指定された値: 1.5）", ja);
        (en, ja) = Both(() => Thrown(() => new TrainingOptions { BatchSize = 0 }.Validate()));
        Assert.Equal("BatchSize must be at least 1, got 0", en);
        (en, _) = Both(() => Thrown(() => new TrainingOptions { GradientClipNorm = -1 }.Validate()));
        Assert.Equal("GradientClipNorm must be >= 0 (0 = off), got -1", en);
        (en, _) = Both(() => Thrown(() => NoiseSchedule.Linear(100).Respace(150)));
        Assert.StartsWith("cannot keep 150 of 100 steps: use 1..100", en);
        Both(() => Thrown(() => NoiseSchedule.Linear(100, 1e-4, 2.0)));
        Both(() => Thrown(() => new DdimSampler(NoiseSchedule.Linear(100), eta: 2)));
        Both(() => Thrown(() => new TimeConditionedMlp(dataDimension: 2, hiddenWidth: 0)));
        Both(() => Thrown(() => new Generative.GenerativeTrainingOptions { KlWeight = -1 }.Validate()));
        var sampler = new DdpmSampler(NoiseSchedule.Linear(20));
        using var noise = zeros(3, 2);
        (en, ja) = Both(() => Thrown(() => sampler.Sample((x, t, y) => zeros_like(x), new long[] { 4, 2 }, new Generator(1), initialNoise: noise)));
        Assert.Equal("initialNoise has shape [3, 2] but the sample shape is [4, 2] (Parameter 'initialNoise')", en);
        (en, ja) = Both(() => Thrown(() => sampler.Sample((x, t, y) => zeros(x.shape[0], 3), new long[] { 4, 2 }, new Generator(1))));
        Assert.Contains("the model output has shape [4, 3] but x_t has [4, 2]", en);
        var schedule = NoiseSchedule.Linear(100);
        using var x0 = zeros(4, 2);
        using var eps = zeros(4, 3);
        using var t = full(new long[] { 4 }, 10L, dtype: ScalarType.Int64);
        (en, ja) = Both(() => Thrown(() => schedule.QSample(x0, t, eps)));
        Assert.Contains("has shape [4, 3] but x0 has [4, 2]", en);
    }

    static ImageQualityScores Scores(double fid, double precision, double recall, long n) => new(
        new FrechetResult(fid, 1, 2, n, 2000), new KernelDistanceResult(1.357, 1.469, 10, 100, 100, n, 2000),
        new PrecisionRecallResult(precision, recall, 3, n, 2000), null);

    [Fact]
    public void ReportsOfResultsSpeakJapaneseAndStayAligned()
    {
        var samples = Scores(30.754, 0.869, 0.567, 160);
        var floor = Scores(20.027, 0.869, 0.911, 160);
        var report = new ImageQualityReport(samples, floor, "FashionClassifier, 128-d", "Fashion-MNIST test set", "Fashion-MNIST training images");
        var (en, ja) = Both(() => report.ToText());
        Assert.Contains("precision (k = 3)", en);
        Assert.Contains("適合率 (k = 3)", ja);
        Assert.Contains("(no labels)", en);
        Assert.Contains("（ラベルなし）", ja);
        (en, ja) = Both(() => ImageQualityReport.Table(new[] { ("DDIM 10 steps", samples) }, floor));
        Assert.StartsWith("floor (real)       160     20.03 ", en.Split('\n')[^1]);
        Assert.Contains("フロア（実画像）", ja);
        // Every row and the header end in the same column, counting a Japanese character as two, also with the
        // lesson's own Japanese row names.
        string mixed;
        using (LearnerLanguage.Use("ja")) mixed = ImageQualityReport.Table(new[] { ("DDIM 10 steps", samples), ("DDIM 10 ステップ", samples) }, floor);
        foreach (var table in new[] { en, ja, mixed })
            Assert.Single(table.Split('\n').Select(LearnerMessagesColumns).Distinct());
        var toy = new ToyScores("VAE", "8gaussians", 0.2556, 0.0666, 0.07536, -31.344, new ModeCoverageResult(5, 8, [1, 2, 3, 4, 5, 0, 0, 0], 0.114), 5);
        (en, ja) = Both(() => ToyScores.Table(new[] { toy }));
        Assert.StartsWith("data        model           SW₁  × floor", en);
        Assert.StartsWith("データ      モデル          SW₁", ja);
        Assert.Single(ja.Split('\n').Select(LearnerMessagesColumns).Distinct());
        (en, ja) = Both(() => toy.Modes!.ToString());
        Assert.Equal("5 of 8 modes covered, 11.4 % of the samples near a mode; per mode: 1, 2, 3, 4, 5, 0, 0, 0", en);
        var progress = new TrainingReport(150, 3000, 0.3, 0.31, 1e-3, 1.2, 40.5, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(70));
        (en, ja) = Both(() => progress.ToString());
        Assert.Equal("step 150/3000 (5 %)  loss 0.3100  lr 1e-3  40.5 steps/s  elapsed 0:04  ETA 1:10", en);
        Assert.Equal("ステップ 150/3000 (5 %)  損失 0.3100  学習率 1e-3  40.5 ステップ/秒  経過 0:04  残り 1:10", ja);
        Both(() => new Generative.VaeTrainingReport(10, 100, 3.4, 3.1, 0.3, 12, TimeSpan.FromSeconds(65)).ToString());
        Both(() => new Generative.GanTrainingReport(10, 100, 1.38, 0.69, 0.5, 0.5, 12, TimeSpan.FromSeconds(65)).ToString());
    }

    /// <summary>Lesson 10's library text: the stored measurements' table (aligned in both languages, the recipes named
    /// in Japanese), the missing file, and the mistakes a learner can make with its helpers and settings.</summary>
    [Fact]
    public void TrainingLiveSpeaksJapanese()
    {
        var file = Path.Combine(Path.GetTempPath(), $"course-live-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(file, """
                {"measured": "2026-12-07", "machine": "test", "floor_fid": 2.5, "floor_accuracy": 0.92, "rows": [
                 {"recipe": "reference", "minutes": 1, "seed": 0, "steps": 400, "guidance": 1.5, "n": 2000, "fid": 100, "kid": 9, "precision": 0.8, "recall": 0.2, "accuracy": 0.8, "load": [4, 5]},
                 {"recipe": "reference", "minutes": 1, "seed": 1, "steps": 500, "guidance": 1.5, "n": 2000, "fid": 60, "kid": 7, "precision": 0.8, "recall": 0.2, "accuracy": 0.8, "load": [3, 6]},
                 {"recipe": "course", "minutes": 1, "steps": 800, "guidance": 4, "n": 2000, "fid": 70, "kid": 6, "precision": 0.7, "recall": 0.1, "accuracy": 0.95, "load": [4, 4]}]}
                """);
            var results = TrainLive.LiveTrainingResults.Load(file);
            var (en, ja) = Both(() => results.ToText());
            Assert.Equal(string.Join(Environment.NewLine,
                "measured 2026-12-07 on test; n = 2,000 samples each; floor (real images, same n): FID 2.50, accuracy 92.0 %",
                "minutes  recipe     runs   steps   guidance    FID     KID   precision  recall  accuracy  load",
                "      1  course       1     800      4.0    70.00    6.00     0.700   0.100   95.0 %  4.0-4.0",
                "      1  reference    2     450      1.5    80.00    8.00     0.800   0.200   80.0 %  3.0-6.0",
                "(each row: the mean over its runs (seeds) at the recipe's best guidance scale; load: the 1-minute load average, lowest to highest)"), en);
            var lines = ja.Split(Environment.NewLine);
            Assert.Equal("2026-12-07 に test で測定。サンプルはどれも n = 2,000 枚。フロア（本物の画像、同じ n）: FID 2.50、正解率 92.0 %", lines[0]);
            Assert.Contains("このレッスン", lines[2]);
            Assert.Contains("参照", lines[3]);
            Assert.StartsWith("（各行: ", lines[4]);
            // Each number ends in the column where its header ends, counting a Japanese character as two.
            foreach (var (header, value) in new[] { ("実行数", "2"), ("ステップ", "450"), ("ガイダンス", "1.5"), ("FID", "80.00"), ("KID", "8.00"),
                         ("適合率", "0.800"), ("再現率", "0.200"), ("正解率", "80.0 %") })
                Assert.Equal(EndColumn(lines[1], header), EndColumn(lines[3], " " + value));
            Assert.Equal(EndColumn(lines[2], " 800"), EndColumn(lines[3], " 450"));
            (en, ja) = Both(() => Thrown(() => TrainLive.LiveTrainingResults.Load(file + ".missing")));
            Assert.StartsWith("no stored measurements at ", en);
            Assert.StartsWith("保存された測定値が ", ja);
        }
        finally { File.Delete(file); }

        var (english, japanese) = Both(() => Thrown(() => TrainLive.ClassSamples.Labels(0, 3)));
        Assert.StartsWith("at least one class", english);
        Assert.StartsWith("クラスは一つ以上にしてください", japanese);
        Both(() => Thrown(() => TrainLive.ClassSamples.Labels(3, 0)));
        using (var scope = NewDisposeScope())
        {
            (english, japanese) = Both(() => Thrown(() => TrainLive.ClassSamples.ToBytes(zeros(2, 3), out _)));
            Assert.Equal("images must be [N, C, H, W], not [2, 3] (Parameter 'images')", english);
            Assert.StartsWith("images の形は [N, C, H, W] にしてください（渡された形は [2, 3]）", japanese);
            var recipe = new TrainLive.LiveTrainingRecipe();
            (english, _) = Both(() => Thrown(() => TrainLive.ClassSamples.Draw((x, t, y) => zeros_like(x), recipe.Sampler(), zeros(new long[] { 2, 2 }, int64),
                new long[] { 1, 4, 4 }, new Generator(1))));
            Assert.StartsWith("labels must be 1-D [N], not [2, 2]", english);
            Both(() => Thrown(() => TrainLive.ClassSamples.Draw((x, t, y) => zeros_like(x), recipe.Sampler(), TrainLive.ClassSamples.Labels(2, 1),
                new long[] { 1, 4, 4 }, new Generator(1), batchSize: 0)));

            // The preview and the step timer, with a model that has no classes and with a class-conditional one.
            using var g = new Generator(3);
            var images = rand(new long[] { 8, 1, 8, 8 }, generator: g) * 2 - 1;
            var labels = randint(0, 3, new long[] { 8 }, generator: g);
            var unconditional = recipe with { Model = new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4 }, BatchSize = 4 };
            using var plain = unconditional.CreateModel();
            using var plainTrainer = new DiffusionTrainer(plain, unconditional.Schedule(), TrainingData.FromTensor(images),
                unconditional.TrainingOptions(TimeSpan.FromMinutes(1)));
            (english, japanese) = Both(() => Thrown(() => new TrainLive.LivePreview(plainTrainer, plain, unconditional, TimeSpan.FromSeconds(15))));
            Assert.StartsWith("the preview shows samples by class: the model must be class-conditional", english);
            Assert.StartsWith("プレビューはクラスごとのサンプルを表示します", japanese);
            var conditional = unconditional with { Model = unconditional.Model with { NumClasses = 3 } };
            using var model = conditional.CreateModel();
            using var trainer = new DiffusionTrainer(model, conditional.Schedule(), TrainingData.FromTensor(images, labels),
                conditional.TrainingOptions(TimeSpan.FromMinutes(1)));
            (english, japanese) = Both(() => Thrown(() => new TrainLive.LivePreview(trainer, model, conditional, TimeSpan.FromSeconds(-1))));
            Assert.StartsWith("the time between grids cannot be negative", english);
            Assert.StartsWith("グリッドを描く間隔は負にできません", japanese);
            (english, japanese) = Both(() => Thrown(() => TrainLive.StepCost.CpuMilliseconds(trainer, steps: 0)));
            Assert.StartsWith("time at least one step", english);
            Assert.StartsWith("計測するステップは一つ以上にしてください", japanese);
        }

        // The image evaluator's report (lesson 10, section 5) names its features and images in Japanese too.
        var scores = Scores(30.754, 0.869, 0.567, 500);
        var report = new ImageQualityReport(scores, scores, Evaluation.ImageEvaluator.FeatureDescription, "Fashion-MNIST test set",
            "Fashion-MNIST training images");
        (english, japanese) = Both(() => report.ToText());
        Assert.Contains("features:  FashionClassifier, 128-d last hidden layer", english);
        Assert.Contains("reference: Fashion-MNIST test set (n = 2,000)", english);
        Assert.Contains("特徴量:    FashionClassifier の最後の隠れ層（128 次元）", japanese);
        Assert.Contains("参照:      Fashion-MNIST のテストセット (n = 2,000)", japanese);
        Assert.Contains("フロア:    Fashion-MNIST の学習用画像 (n = 500)", japanese);

        // The settings lesson 10 invites a learner to change.
        (english, japanese) = Both(() => Thrown(() => new CompactUNetConfig { Patch = 0 }.Validate()));
        Assert.Equal("Patch must be at least 1, got 0", english);
        Assert.Equal("Patch は 1 以上にしてください（指定された値: 0）", japanese);
        (english, japanese) = Both(() => Thrown(() => new CompactUNetConfig { ImageSize = 30, Patch = 2, Channels = new[] { 16, 32, 64 } }.Validate()));
        Assert.Equal("ImageSize 30 must be divisible by Patch · 2^2 = 8 (patches of 2, 3 levels)", english);
        Assert.Equal("ImageSize 30 は Patch · 2^2 = 8 で割り切れなければなりません（パッチ 2、3 段）", japanese);
        (english, _) = Both(() => Thrown(() => new CompactUNetConfig { Channels = new[] { 16, -32 } }.Validate()));
        Assert.Equal("Channels must be positive, got (16, -32)", english);
        Both(() => Thrown(() => new CompactUNetConfig { Channels = Array.Empty<int>() }.Validate()));
        Both(() => Thrown(() => new CompactUNetConfig { NumClasses = -1 }.Validate()));
        (english, _) = Both(() => Thrown(() => new CompactUNetConfig { Channels = new[] { 12, 24 } }.Validate()));
        Assert.Equal("GroupNorm needs the groups (8) to divide the channels (12); choose Groups to divide every level's channel count", english);
        (english, japanese) = Both(() => Thrown(() => new TrainingOptions { LogSnrStd = 0 }.Validate()));
        Assert.Equal("the log-SNR distribution needs a finite mean and a positive, finite deviation, got N(0, 0²)", english);
        Assert.Equal("対数 SNR の分布には、有限の平均と、正の有限な標準偏差が必要です（指定された値: N(0, 0²)）", japanese);
        (english, _) = Both(() => Thrown(() => new TrainingOptions { Prediction = (ModelOutput)7 }.Validate()));
        Assert.Equal("Prediction 7 is not one of ε, x_0, v", english);
        (english, _) = Both(() => Thrown(() => new TrainingOptions { TimestepSampling = (TimestepSampling)5 }.Validate()));
        Assert.StartsWith("TimestepSampling 5 is not one of Uniform", english);
        (english, _) = Both(() => Thrown(() => TimestepSampler.Draw(NoiseSchedule.Cosine(100), TimestepSampling.LogSnrNormal, 4, new Generator(1), 0, -1)));
        Assert.StartsWith("log-SNR sampling needs a finite mean and a positive deviation, got N(0, -1²)", english);
    }

    /// <summary>The column (a Japanese character counting two) where the first <paramref name="text"/> in
    /// <paramref name="line"/> ends.</summary>
    static int EndColumn(string line, string text)
    {
        var at = line.IndexOf(text, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{text}' is not in '{line}'");
        return LearnerMessagesColumns(line[..(at + text.Length)]);
    }

    /// <summary>Columns of a line in a monospaced font: a wide (Japanese) character takes two.</summary>
    static int LearnerMessagesColumns(string line) =>
        line.EnumerateRunes().Sum(r => r.Value is >= 0x2E80 and <= 0x9FFF or >= 0xFF00 and <= 0xFF60 ? 2 : 1);

    [Fact]
    public void OnlyEnglishAndJapaneseAreLanguages()
    {
        var error = Assert.Throws<ArgumentException>(() => LearnerLanguage.Use("fr"));
        Assert.Contains("\"en\"", error.Message);
        Assert.Contains("日本語", error.Message);
        Assert.Throws<ArgumentException>(() => CourseEngine.EnsureLoadable("japanese"));
        Assert.Equal("en", LearnerLanguage.Current);
        using (LearnerLanguage.Use("ja"))
        {
            Assert.True(LearnerLanguage.IsJapanese);
            using (LearnerLanguage.Use("en")) Assert.False(LearnerLanguage.IsJapanese);
            Assert.True(LearnerLanguage.IsJapanese);
        }
        Assert.Equal("en", LearnerLanguage.Current);
    }
}

/// <summary>A lesson's first cell sets the language for the process (its copy of the libraries): alone, since every
/// other test of the process would then read Japanese.</summary>
[Collection(nameof(RunsAloneCollection))]
public class LearnerLanguageOfTheProcessTests
{
    [Fact]
    public void EnsureLoadableSetsTheLanguageOfTheLibraries()
    {
        try
        {
            CourseEngine.EnsureLoadable(language: "ja");
            Assert.Equal("ja", LearnerLanguage.Current);
            CourseEngine.EnsureLoadable();   // the check alone leaves the language as it is
            Assert.Equal("ja", LearnerLanguage.Current);
            var verdict = Ranking.Best("SW₁", new[] { ("a", 1.0), ("b", 2.0) }, lowerIsBetter: true, 0.1, "x").Describe();
            Assert.StartsWith("SW₁: 最良は a", verdict);
            using (LearnerLanguage.Use("en")) Assert.Equal("en", LearnerLanguage.Current);   // a scope still wins
        }
        finally
        {
            CourseEngine.EnsureLoadable(language: "en");
        }
        Assert.Equal("en", LearnerLanguage.Current);
    }
}

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

using System.Globalization;
using Course.Interrupts;

namespace Course.Diffusion;

/// <summary>
/// What Course.Diffusion writes for a learner, in the language of <see cref="LearnerLanguage"/> (English or Japanese):
/// stop lines, verdicts, the engine's lines, and the errors that a learner's mistake in a lesson causes. Both texts of
/// a message carry the same numbers, units and identifiers.
/// </summary>
internal static class LearnerMessages
{
    static bool Ja => LearnerLanguage.IsJapanese;

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // ---- the engine ------------------------------------------------------------------------------------

    public static string EngineDescription(string engine, string libtorch) =>
        Ja ? $"{engine}（libtorch {libtorch} を使用）" : $"{engine} with libtorch {libtorch}";

    public static string TorchSharpCannotLoad(string required, string libstdcxx, string? newest) => Ja
        ? $"この講座は TorchSharp 向けにビルドされています (COURSE_ENGINE=torchsharp)。TorchSharp 0.107 のネイティブライブラリには "
          + $"{required}（GCC 13 の libstdc++）が必要ですが、このプロセスの libstdc++ ({libstdcxx}) にはありません"
          + $"（あるのは {newest ?? "不明"} まで）。Debian 13 や Ubuntu 24.04 以降（または Windows、macOS）で講座を動かすか、"
          + "Course.Torch エンジンでビルドしてください: sudo apt-get install --no-install-recommends libtorch-dev cmake g++ make "
          + "のあと COURSE_ENGINE=course dotnet build Course.sln -c Release（./run-course.sh は両方を行います）。"
        : $"The course was built for TorchSharp (COURSE_ENGINE=torchsharp), but TorchSharp 0.107's native library "
          + $"needs {required} (GCC 13's libstdc++) and this process's libstdc++, {libstdcxx}, does not have it "
          + $"(its newest is {newest ?? "unknown"}). Either run the course on Debian 13, Ubuntu 24.04 or newer "
          + "(or Windows, macOS), or build it on the Course.Torch engine: "
          + "sudo apt-get install --no-install-recommends libtorch-dev cmake g++ make, then "
          + "COURSE_ENGINE=course dotnet build Course.sln -c Release (./run-course.sh does both).";

    public static string ResultOff(string name, double maxError, double largestValue) => Ja
        ? $"{name} の誤差 {maxError:G3}（値の大きさは最大 {largestValue:G3}）"
        : $"{name} off by {maxError:G3} (values up to {largestValue:G3})";

    public static string EngineCheckFailed(string firstFailure, string where) => Ja
        ? $"エンジンの検査で誤りが見つかりました: {firstFailure} ({where})。"
        : $"Engine check FAILED: {firstFailure} ({where}).";

    public static string EngineCheckPassed(int results, double worstRelativeError, TimeSpan elapsed, string where,
        string? failureBeforeRemedy, string? remedy)
    {
        if (Ja)
        {
            var verdict = $"モデルの演算の結果 {results} 個が倍精度のループと一致しました（最大相対誤差 "
                + $"{worstRelativeError:G2}、{elapsed.TotalSeconds:0.00} 秒。{where}）";
            return remedy is null ? $"エンジンの検査: {verdict}。" : $"エンジンの検査: {failureBeforeRemedy}。{Remedy(remedy)}。その結果、{verdict}。";
        }
        var english = $"{results} results of the models' operations agree with double-precision loops (largest relative error "
            + $"{worstRelativeError:G2}, {elapsed.TotalSeconds:0.00} s; {where})";
        return remedy is null ? $"Engine check: {english}." : $"Engine check: {failureBeforeRemedy}; {remedy}; now {english}.";
    }

    public static string EngineNumericsWrong(string summary, IReadOnlyList<string> remediesTried) => Ja
        ? $"{summary} "
          + (remediesTried.Count == 0 ? "このエンジンには、ほかに試せる設定がありません。"
                                      : $"試しましたが、まだ誤っています: {string.Join("; ", remediesTried.Select(Remedy))}。")
          + "講座は誤った数値では学習しません。もう一方のエンジン（COURSE_ENGINE=course または torchsharp。README を参照）か"
          + "別のマシンを使ってください。この行をぜひ報告してください。"
        : $"{summary} "
          + (remediesTried.Count == 0 ? "No other configuration of this engine is available to try. "
                                      : $"Tried, still wrong: {string.Join("; ", remediesTried)}. ")
          + "The course will not train on wrong numbers: use the other engine (COURSE_ENGINE=course "
          + "or torchsharp, see the README) or another machine, and please report this line.";

    /// <summary>A remedy's description (<see cref="NumericsRemedies"/>), in the learner's language.</summary>
    static string Remedy(string english) => Ja && english == NumericsRemedies.TurnOffOneDnn
        ? "このプロセスでは oneDNN を無効にしました（torch.backends.mkldnn.enabled = False と同じく、libtorch 自身の畳み込みカーネルを使います）"
        : english;

    // ---- stop lines ------------------------------------------------------------------------------------

    public static string TrainingStopped(long step, long target, string kept, string? checkpoint) => Ja
        ? Invariant($"{target:N0} ステップ中 {step:N0} ステップ目で停止しました。ステップ {step:N0} の{Kept(kept)}を保持しています") +
          (checkpoint is null ? "" : $"。チェックポイントを {checkpoint} に書き出しました") +
          "。もう一度 Train() を呼ぶと続きから学習します"
        : Invariant($"stopped at step {step:N0} of {target:N0}; {kept} of step {step:N0} kept") +
          (checkpoint is null ? "" : $", checkpoint written to {checkpoint}") +
          "; Train() again continues";

    /// <summary>What a trainer keeps when stopped, as the trainers name it in English.</summary>
    static string Kept(string english) => english switch
    {
        "weights, EMA and optimizer state" => "重み、EMA、オプティマイザの状態",
        "weights and optimizer state" => "重みとオプティマイザの状態",
        "both networks, the generator's EMA and both optimizers' state" => "二つのネットワーク、生成器の EMA、二つのオプティマイザの状態",
        _ => english,
    };

    public static string SamplingStopped(string sampler, long taken, long total, int? trajectoryStates) => Ja
        ? Invariant($"{Sampler(sampler)}は {total:N0} ステップ中 {taken:N0} ステップで停止しました。サンプルは返しません（x はまだ一部がノイズでした）。") +
          (trajectoryStates is { } kept ? Invariant($"軌跡はここまでの {kept:N0} 個の状態を保持しています。") : "") +
          "モデルは変わっていません"
        : Invariant($"{sampler} stopped after {taken:N0} of {total:N0} steps; no sample returned (x was still partly noise); ") +
          (trajectoryStates is { } states ? Invariant($"the trajectory keeps its {states:N0} states so far; ") : "") +
          "the model is unchanged";

    static string Sampler(string english) => english switch
    {
        "Langevin" => "ランジュバン動力学",
        "annealed Langevin" => "アニールされたランジュバン動力学",
        _ => english + " ",
    };

    public static string MeasuringStopped(long images) => Ja
        ? $"{images:N0} 枚の画像を測定している途中で停止しました。スコアは残りません。画像とモデルは変わっていません"
        : $"stopped while measuring {images:N0} images; no scores kept, the images and the model are unchanged";

    public static string FloorStopped(long n) => Ja
        ? $"n = {n:N0} のフロアを測定している途中で停止しました。それまでに終わった回の結果は保持しています"
        : $"stopped while measuring the floor at n = {n:N0}; the draws finished before are kept";

    // ---- verdicts --------------------------------------------------------------------------------------

    public static string RankingResolved(string metric, string best, string bestValue, string runnerUp, string runnerUpValue,
        string gap, string noiseSource, string noise) => Ja
        ? $"{metric}: 最良は {best}（{bestValue}。次点は {runnerUp} で {runnerUpValue}）です。差 {gap} は、{noiseSource}（{noise}）より大きいです"
        : $"{metric}: best {best} ({bestValue}, then {runnerUp} at {runnerUpValue}); the gap {gap} " +
          $"is larger than {noiseSource} ({noise})";

    public static string RankingUnresolved(string metric, string best, string bestValue, string runnerUp, string runnerUpValue,
        string gap, string noiseSource, string noise) => Ja
        ? $"{metric}: この実行では {best}（{bestValue}）と {runnerUp}（{runnerUpValue}）を区別できません。差 {gap} は、{noiseSource}（{noise}）の範囲内です"
        : $"{metric}: this run cannot tell {best} ({bestValue}) from {runnerUp} ({runnerUpValue}); " +
          $"the gap {gap} is within {noiseSource} ({noise})";

    public static string RepeatedRunsRange => Ja ? "繰り返した実行の値の幅" : "the range of the repeated runs";

    public static string LargerRangeOfTheTwo(int runs) => Ja
        ? $"上位二つのうち、{runs} 回の実行での値の幅が大きいほう"
        : $"the larger range of the two over their {runs} runs";

    public static string SettlesFirst(double threshold) => Ja
        ? Invariant($"先に落ち着く帯域（残りの誤差が {threshold:0.##} 以下にとどまる t のサンプル平均）")
        : Invariant($"settles first (the mean t from which its remaining error stays ≤ {threshold:0.##})");

    public static string RangeOverSamples(int samples) => Ja ? $"{samples} 個のサンプルでの範囲" : $"the range over the {samples} samples";

    /// <summary>The name of an image band of <see cref="Metrics.CoarseToFine"/>, by its place (0 = the coarsest).</summary>
    public static string ImageBand(int band, int bands) => band == 0 ? (Ja ? "粗い帯域" : "coarse")
        : band == bands - 1 ? (Ja ? "細かい帯域" : "fine")
        : bands == 3 ? (Ja ? "中間の帯域" : "middle")
        : Ja ? $"帯域 {band + 1}" : $"band {band + 1}";

    public static string FloorsRange(int floors) => Ja ? $"{floors} 回測った実画像フロアの幅" : $"the range of {floors} floors";

    public static string RankingNeedsTwo(int count) => Ja
        ? $"順位づけには候補が二つ以上必要です（{count} 個でした）"
        : $"a ranking needs at least two candidates, got {count}";

    public static string RankingNotFinite(string metric, string name, double value) => Ja
        ? $"{name} の {metric} が {value} で、有限の数ではありません"
        : $"{metric} of {name} is {value}, not a finite number";

    public static string RankingNeedsRepeats(string metric, string name, int count) => Ja
        ? $"{name} の {metric} は {count} 回しか測っていません。そのばらつきと比べて順位づけるには、2 回以上必要です"
        : $"{metric} of {name} was measured {count} time(s); a ranking against its own spread needs at least two";

    // ---- settings a learner changes ----------------------------------------------------------------------

    public static string AtLeast(string setting, long minimum, long value) => Ja
        ? $"{setting} は {minimum} 以上にしてください（指定された値: {value}）"
        : $"{setting} must be at least {minimum}, got {value}";

    public static string Positive(string setting, double value) => Ja
        ? $"{setting} は正の数にしてください（指定された値: {value}）"
        : $"{setting} must be a positive number, got {value}";

    public static string NotNegative(string setting, double value, bool zeroTurnsOff = false) => Ja
        ? $"{setting} は 0 以上にしてください{(zeroTurnsOff ? "（0 で無効）" : "")}（指定された値: {value}）"
        : $"{setting} must be >= 0{(zeroTurnsOff ? " (0 = off)" : "")}, got {value}";

    public static string FiniteNotNegative(string setting, double value) => Ja
        ? $"{setting} は 0 以上の有限の数にしてください（指定された値: {value}）"
        : $"{setting} must be a finite number >= 0, got {value}";

    /// <param name="interval">"[0, 1]" or "[0, 1)".</param>
    public static string Within(string setting, string interval, double value) => Ja
        ? $"{setting} は {interval} の範囲にしてください（指定された値: {value}）"
        : $"{setting} must lie in {interval}, got {value}";

    public static string CosineDecayNeedsSteps(long totalSteps, long warmupSteps) => Ja
        ? $"コサイン減衰には TotalSteps ({totalSteps}) > WarmupSteps ({warmupSteps}) が必要です"
        : $"a cosine decay needs TotalSteps ({totalSteps}) > WarmupSteps ({warmupSteps})";

    public static string BetaOutside(int index, double beta) => Ja
        ? $"beta[{index}] = {beta} が (0, 1] の外にあります"
        : $"beta[{index}] = {beta} is outside (0, 1]";

    public static string CannotKeepSteps(int count, int length) => Ja
        ? $"{length} ステップのうち {count} ステップを残すことはできません。1..{length} にしてください"
        : $"cannot keep {count} of {length} steps: use 1..{length}";

    public static string ScheduleNeedsSteps(int steps) => Ja
        ? $"ノイズスケジュールには 1 ステップ以上が必要です（指定された値: {steps}）"
        : $"a schedule needs at least one step, got {steps}";

    public const string EtaRangeEnglish = "eta must lie in [0, 1]";

    public static string EtaRange => Ja ? "eta は [0, 1] の範囲にしてください" : EtaRangeEnglish;

    public static string OutputShapeDiffers(string output, string input) => Ja
        ? $"モデルの出力の形は [{output}] ですが、x_t の形は [{input}] です。デノイザは入力の値一つにつき一つの値を返さなければなりません"
        : $"the model output has shape [{output}] but x_t has [{input}]; a denoiser must return one value per input value";

    public static string ShapesDiffer(string a, string aShape, string b, string bShape) => Ja
        ? $"{a} の形は [{aShape}] ですが、{b} の形は [{bShape}] です"
        : $"{a} has shape [{aShape}] but {b} has [{bShape}]";

    public static string InitialNoiseShape(string noise, string shape) => Ja
        ? $"initialNoise の形は [{noise}] ですが、サンプルの形は [{shape}] です"
        : $"initialNoise has shape [{noise}] but the sample shape is [{shape}]";

    public static string NeedHiddenUnit => Ja ? "隠れユニットが一つ以上必要です" : "need at least one hidden unit";

    public static string NeedHiddenLayer => Ja ? "隠れ層が一つ以上必要です" : "need at least one hidden layer";

    public static string NeedDataDimension => Ja ? "データの次元が一つ以上必要です" : "need at least one data dimension";

    public static string NotNegativeCount(string setting, long value) => Ja
        ? $"{setting} は負にできません（指定された値: {value}）"
        : $"{setting} cannot be negative, got {value}";

    public static string ChannelsNeedLevel => Ja ? "Channels には段が一つ以上必要です" : "Channels needs at least one level";

    public static string ChannelsPositive(string channels) => Ja
        ? $"Channels はすべて正の数にしてください（指定された値: ({channels})）"
        : $"Channels must be positive, got ({channels})";

    public static string ImageSizeNotDivisible(int imageSize, int levels, int factor, int patch) => Ja
        ? $"ImageSize {imageSize} は Patch · 2^{levels - 1} = {factor} で割り切れなければなりません（パッチ {patch}、{levels} 段）"
        : $"ImageSize {imageSize} must be divisible by Patch · 2^{levels - 1} = {factor} (patches of {patch}, {levels} levels)";

    public static string GroupsDivideChannels(int groups, int channels) => Ja
        ? $"GroupNorm では、グループ数 ({groups}) がチャネル数 ({channels}) を割り切らなければなりません。どの段のチャネル数も割り切る Groups を選んでください"
        : $"GroupNorm needs the groups ({groups}) to divide the channels ({channels}); choose Groups to divide every level's channel count";

    public static string NotOneOf(string setting, string value, string allowed) => Ja
        ? $"{setting} {value} は {allowed} のどれでもありません"
        : $"{setting} {value} is not one of {allowed}";

    public static string LogSnrDistribution(double mean, double std) => Ja
        ? $"対数 SNR の分布には、有限の平均と、正の有限な標準偏差が必要です（指定された値: N({mean}, {std}²)）"
        : $"the log-SNR distribution needs a finite mean and a positive, finite deviation, got N({mean}, {std}²)";

    public static string LogSnrSampling(double mean, double std) => Ja
        ? $"対数 SNR によるサンプリングには、有限の平均と正の標準偏差が必要です（指定された値: N({mean}, {std}²)）"
        : $"log-SNR sampling needs a finite mean and a positive deviation, got N({mean}, {std}²)";

    // ---- lesson 10: training live ----------------------------------------------------------------------

    public static string PreviewNeedsClasses => Ja
        ? "プレビューはクラスごとのサンプルを表示します。モデルはクラス条件付きでなければなりません"
        : "the preview shows samples by class: the model must be class-conditional";

    public static string PreviewIntervalNegative => Ja
        ? "グリッドを描く間隔は負にできません"
        : "the time between grids cannot be negative";

    public static string TimeAtLeastOneStep => Ja ? "計測するステップは一つ以上にしてください" : "time at least one step";

    public static string AtLeastOneClass => Ja ? "クラスは一つ以上にしてください" : "at least one class";

    public static string AtLeastOneSamplePerClass => Ja
        ? "クラスごとのサンプルは一つ以上にしてください"
        : "at least one sample per class";

    public static string LabelsOneDimensional(string shape) => Ja
        ? $"labels は 1 次元 [N] にしてください（渡された形は [{shape}]）"
        : $"labels must be 1-D [N], not [{shape}]";

    public static string BatchSizeAtLeastOne => Ja ? "バッチサイズは 1 以上にしてください" : "the batch size must be at least 1";

    public static string ImagesNchw(string shape) => Ja
        ? $"images の形は [N, C, H, W] にしてください（渡された形は [{shape}]）"
        : $"images must be [N, C, H, W], not [{shape}]";

    public static string NoStoredMeasurements(string path) => Ja
        ? $"保存された測定値が {path} にありません（bench/train_live_curves.py が書き出します）"
        : $"no stored measurements at {path} (bench/train_live_curves.py writes them)";

    public static string HoldsNoMeasurements(string path) => Ja ? $"{path} には測定値がありません" : $"{path} holds no measurements";

    /// <summary>A recipe of the stored measurements by its key ("course", "reference").</summary>
    public static string LiveRecipe(string key) => !Ja ? key : key switch
    {
        "course" => "このレッスン",
        "reference" => "参照",
        _ => key,
    };

    public static string LiveResultsHeadline(string measured, string machine, int n, double floorFid, double floorAccuracy) => Ja
        ? Invariant($"{measured} に {machine} で測定。サンプルはどれも n = {n:N0} 枚。フロア（本物の画像、同じ n）: FID {floorFid:0.00}、正解率 {floorAccuracy:P1}")
        : Invariant($"measured {measured} on {machine}; n = {n:N0} samples each; floor (real images, same n): FID {floorFid:0.00}, accuracy {floorAccuracy:P1}");

    public static string LiveResultsHeader => Ja
        ? $"{Right("分", 7)}  {Left("レシピ", 12)} {Right("実行数", 6)}  {Right("ステップ", 8)}  {Right("ガイダンス", 10)}  {"FID",7} {"KID",7}  " +
          $"{Right("適合率", 7)}  {Right("再現率", 7)}  {Right("正解率", 8)}  負荷"
        : "minutes  recipe     runs   steps   guidance    FID     KID   precision  recall  accuracy  load";

    /// <summary>A row of the stored measurements: <paramref name="recipe"/> is the recipe's key, <paramref name="load"/>
    /// the load averages already written.</summary>
    public static string LiveResultsRow(double minutes, string recipe, int runs, long steps, double guidance, double fid, double kid,
        double precision, double recall, double accuracy, string load) => Ja
        ? Invariant($"{minutes,7:0.##}  {Left(LiveRecipe(recipe), 12)} {runs,6}  {steps,8:N0}  {guidance,10:0.0}  {fid,7:0.00} {kid,7:0.00}  ") +
          Invariant($"{precision,7:0.000}  {recall,7:0.000}  {accuracy,8:P1}  {load}")
        : Invariant($"{minutes,7:0.##}  {recipe,-9} {runs,4}  {steps,6:N0}   {guidance,6:0.0}  {fid,7:0.00} {kid,7:0.00}   {precision,7:0.000}  {recall,6:0.000}  {accuracy,7:P1}  {load}");

    public static string LiveResultsFootnote => Ja
        ? "（各行: その実行（シード）の平均。ガイダンススケールはレシピごとに最良のもの。負荷: 1 分間のロードアベレージの最小から最大）"
        : "(each row: the mean over its runs (seeds) at the recipe's best guidance scale; load: the 1-minute load average, lowest to highest)";

    // ---- results and reports ---------------------------------------------------------------------------

    /// <summary>How many columns <paramref name="text"/> takes in a monospaced font: two for a wide (Japanese)
    /// character, one otherwise, so that tables stay aligned in both languages.</summary>
    public static int Columns(string text)
    {
        int columns = 0;
        foreach (var rune in text.EnumerateRunes())
            columns += rune.Value is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3
                or >= 0xF900 and <= 0xFAFF or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 ? 2 : 1;
        return columns;
    }

    /// <summary>Text padded on the right to <paramref name="columns"/> columns.</summary>
    public static string Left(string text, int columns) => text + new string(' ', Math.Max(0, columns - Columns(text)));

    /// <summary>Text padded on the left to <paramref name="columns"/> columns.</summary>
    public static string Right(string text, int columns) => new string(' ', Math.Max(0, columns - Columns(text))) + text;

    public static string Precision => Ja ? "適合率" : "precision";

    public static string Recall => Ja ? "再現率" : "recall";

    public static string Accuracy => Ja ? "正解率" : "accuracy";

    public static string AccuracyByLabel => Ja ? "ラベルごとの正解率" : "accuracy by label";

    public static string Samples => Ja ? "サンプル" : "samples";

    public static string Floor => Ja ? "フロア" : "floor";

    public static string RealFloor => Ja ? "フロア（実画像）" : "floor (real)";

    public static string NoLabels => Ja ? "（ラベルなし）" : "(no labels)";

    public static string Features(string features) => Ja ? $"特徴量:    {Described(features)}" : $"features:  {features}";

    public static string Reference(string reference, long n) => Ja
        ? Invariant($"参照:      {Described(reference)} (n = {n:N0})")
        : Invariant($"reference: {reference} (n = {n:N0})");

    public static string FloorSource(string source, long n) => Ja
        ? Invariant($"フロア:    {Described(source)} (n = {n:N0})")
        : Invariant($"floor:     {source} (n = {n:N0})");

    /// <summary>The image evaluator's own descriptions of its features and images, in Japanese; any other text (a
    /// lesson's own) as it is.</summary>
    static string Described(string english) =>
        english == Evaluation.ImageEvaluator.FeatureDescription
            ? $"{nameof(Evaluation.FashionClassifier)} の最後の隠れ層（{Evaluation.FashionClassifier.FeatureDimension} 次元）"
            : english switch
            {
                "Fashion-MNIST test set" => "Fashion-MNIST のテストセット",
                "Fashion-MNIST training images" => "Fashion-MNIST の学習用画像",
                _ => english,
            };

    public static string KidSubsets(int subsets, long samples, long reference, int floorSubsets, long floorSamples) => Ja
        ? Invariant($"KID: サンプル {samples:N0} 枚と参照画像 {reference:N0} 枚の部分集合を {subsets} 組（フロア: {floorSamples:N0} 枚を {floorSubsets} 組）")
        : Invariant($"KID: {subsets} subsets of {samples:N0} samples and {reference:N0} reference images (floor: {floorSubsets} of {floorSamples:N0})");

    public static string SecondDraw(string data, double sw, int draws, double floor, double low, double high, double mmd) => Ja
        ? $"{Left(data, 11)} データをもう一度引いたもの: SW₁ {sw:0.0000}。ノイズフロア（{draws} 回の中央値）{floor:0.0000}、" +
          $"範囲 {low:0.0000}–{high:0.0000}。MMD² {mmd:+0.00000;-0.00000}"
        : $"{data,-11} a second draw of the data: SW₁ {sw:0.0000}; noise floor (median of " +
          $"{draws} draws) {floor:0.0000}, range {low:0.0000}–{high:0.0000}; MMD² {mmd:+0.00000;-0.00000}";

    public static string SecondDrawModes(double? logLikelihood, int covered, int modes, double near) => Ja
        ? $"、対数尤度 {logLikelihood:0.000}、モード {covered}/{modes}、3σ 以内 {near:P1}"
        : $", log-likelihood {logLikelihood:0.000}, {covered}/{modes} modes, {near:P1} within 3σ";

    public static string ToyTableHeader => Ja
        ? $"{Left("データ", 11)} {Left("モデル", 10)} {"SW₁",8} {Right("×フロア", 8)} {"MMD²",9} {"log p(x)",9} {Right("モード", 6)} {Right("3σ以内", 10)} {Right("時間", 7)}"
        : $"{"data",-11} {"model",-10} {"SW₁",8} {"× floor",8} {"MMD²",9} {"log p(x)",9} {"modes",6} {"within 3σ",10} {"time",7}";

    public static string ModeCoverage(int covered, int modes, double near, string perMode) => Ja
        ? $"{modes} 個のモードのうち {covered} 個をカバー、モードの近くにあるサンプルは {near:P1}。モードごと: {perMode}"
        : $"{covered} of {modes} modes covered, {near:P1} of the samples near a mode; per mode: {perMode}";

    public static string TrainingProgressLine(long step, long total, double fraction, double loss, double lr, double stepsPerSecond,
        string elapsed, string eta) => Ja
        ? Invariant($"ステップ {step}/{total} ({fraction:P0})  損失 {loss:0.0000}  学習率 {lr:0.##e+0}  {stepsPerSecond:0.0} ステップ/秒  経過 {elapsed}  残り {eta}")
        : Invariant($"step {step}/{total} ({fraction:P0})  loss {loss:0.0000}  lr {lr:0.##e+0}  {stepsPerSecond:0.0} steps/s  elapsed {elapsed}  ETA {eta}");

    public static string VaeProgressLine(long step, long total, double loss, double reconstruction, double kl, double stepsPerSecond, TimeSpan elapsed) => Ja
        ? Invariant($"ステップ {step}/{total}  -ELBO {loss:0.0000}（再構成 {reconstruction:0.0000}、KL {kl:0.0000}）  {stepsPerSecond:0.0} ステップ/秒  経過 {elapsed:m\\:ss}")
        : Invariant($"step {step}/{total}  -ELBO {loss:0.0000} (reconstruction {reconstruction:0.0000}, KL {kl:0.0000})  {stepsPerSecond:0.0} steps/s  elapsed {elapsed:m\\:ss}");

    public static string GanProgressLine(long step, long total, double dLoss, double gLoss, double real, double fake, double stepsPerSecond, TimeSpan elapsed) => Ja
        ? Invariant($"ステップ {step}/{total}  L_D {dLoss:0.0000}  L_G {gLoss:0.0000}  D(x) {real:0.000}  D(G(z)) {fake:0.000}  {stepsPerSecond:0.0} ステップ/秒  経過 {elapsed:m\\:ss}")
        : Invariant($"step {step}/{total}  L_D {dLoss:0.0000}  L_G {gLoss:0.0000}  D(x) {real:0.000}  D(G(z)) {fake:0.000}  {stepsPerSecond:0.0} steps/s  elapsed {elapsed:m\\:ss}");

    public static string ClassifierProgressLine(int epoch, long step, long total, double loss, double batchAccuracy, double lr,
        double stepsPerSecond, TimeSpan elapsed, double? testAccuracy) => Ja
        ? Invariant($"エポック {epoch} ステップ {step}/{total}  損失 {loss:0.0000}  バッチ正解率 {batchAccuracy:P1}  学習率 {lr:0.00e0}  {stepsPerSecond:0.0} ステップ/秒  経過 {elapsed:m\\:ss}")
          + (testAccuracy is double a ? Invariant($"  テスト正解率 {a:P2}") : "")
        : Invariant($"epoch {epoch} step {step}/{total}  loss {loss:0.0000}  batch accuracy {batchAccuracy:P1}  lr {lr:0.00e0}  {stepsPerSecond:0.0} steps/s  elapsed {elapsed:m\\:ss}")
          + (testAccuracy is double b ? Invariant($"  test accuracy {b:P2}") : "");

    public static string ForwardFlops(long forward, long matmul, long parameters) => Ja
        ? $"順伝播は 1 サンプルあたり {forward:N0} FLOPs（うち行列積 {matmul:N0}）、パラメータ {parameters:N0} 個"
        : $"forward {forward:N0} FLOPs per sample ({matmul:N0} in matmuls), {parameters:N0} parameters";
}

using System.Globalization;
using Course.Interrupts;

namespace Course.Visuals;

/// <summary>
/// What Course.Visuals writes for a learner, in the language of <see cref="LearnerLanguage"/> (English or Japanese):
/// the labels of a training's progress, the stop lines of animations, and the errors a learner's mistake in a figure
/// causes. Both texts of a message carry the same numbers and identifiers.
/// </summary>
internal static class LearnerMessages
{
    static bool Ja => LearnerLanguage.IsJapanese;

    // ---- progress --------------------------------------------------------------------------------------

    public static string ProgressTitle => Ja ? "学習" : "training";

    public static string Loss(string value) => Ja ? "損失 " + value : "loss " + value;

    public static string StepsPerSecond(string value) => Ja ? value + " ステップ/秒" : value + " steps/s";

    public static string DoneIn(string clock) => Ja ? "完了 " + clock : "done in " + clock;

    public static string Eta(string clock) => Ja ? "残り " + clock : "ETA " + clock;

    /// <summary>A time-budget run's countdown: the training time left, not an estimate.</summary>
    public static string TimeLeft(string clock) => Ja ? "あと " + clock : "left " + clock;

    public static string Elapsed(string clock) => Ja ? "経過 " + clock : "elapsed " + clock;

    /// <summary>A time-budget run's count in the text form: the step, the time used of the budget.</summary>
    public static string StepOfBudget(string step, string used, string budget) => Ja
        ? $"ステップ {step}、{used} / {budget}"
        : $"step {step}, {used} of {budget}";

    /// <summary>A time-budget run's count in the picture.</summary>
    public static string StepAndTimeOfBudget(string step, string used, string budget) => Ja
        ? $"ステップ {step}  ·  {used} / {budget}"
        : $"step {step}  ·  {used} of {budget}";

    public static string BudgetPositive => Ja ? "時間の予算は正の値にしてください。" : "The time budget must be positive.";

    public static string TotalStepsPositive => Ja ? "総ステップ数は正の数にしてください。" : "Total steps must be positive.";

    // ---- stop lines ------------------------------------------------------------------------------------

    public static string AnimationStopped(int frames, int total) => Ja
        ? Invariant($"アニメーションは {total:N0} フレーム中 {frames:N0} フレームで停止しました。何も返しません")
        : Invariant($"animation stopped after {frames:N0} of {total:N0} frames; none returned");

    public static string GifStopped(int drawn, int total) => Ja
        ? Invariant($"GIF は {total:N0} フレーム中 {drawn:N0} フレームを描いたところで停止しました。ファイルも画像も作っていません")
        : Invariant($"GIF stopped after drawing {drawn:N0} of {total:N0} frames; no file or picture made");

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static string AnimationDescription(string parameter, int frames) => Ja
        ? $"{parameter} のアニメーション: {frames} フレーム"
        : $"animation over {parameter}: {frames} frames";

    // ---- a learner's mistakes --------------------------------------------------------------------------

    public static string FrameSize(int width, int height) => Ja
        ? $"すべてのフレームは最初のフレームと同じ大きさ {width}x{height} にしてください。"
        : $"All frames must have the first frame's size {width}x{height}.";

    public static string NoFrames => Ja
        ? "アニメーションにフレームがありません。Frame(...) か Animation.Of(...) で加えてください。"
        : "The animation has no frames; add some with Frame(...) or Animation.Of(...).";

    public static string FigureSize(int width, int height) => Ja
        ? $"図の大きさ {width}x{height} が 50..8000 ピクセルの範囲の外です。"
        : $"Figure size {width}x{height} is outside 50..8000 pixels.";

    public static string PanelOutside(int row, int column, int rows, int columns) => Ja
        ? $"パネル ({row}, {column}) は {rows}x{columns} のグリッドの外です。"
        : $"Panel ({row}, {column}) is outside the {rows}x{columns} grid.";

    public static string LengthsDiffer(int x, int y) => Ja
        ? $"x の値は {x} 個ですが、y の値は {y} 個です。"
        : $"x has {x} values but y has {y}.";

    public static string HistogramNeedsValue => Ja
        ? "ヒストグラムには有限の値が一つ以上必要です。"
        : "A histogram needs at least one finite value.";

    public static string AtLeastOneBin => Ja ? "ビンは一つ以上にしてください。" : "At least one bin.";

    public static string ImageShape(string shape) => Ja
        ? $"画像の形は [H,W]、[C,H,W]、[N,C,H,W] のどれかにしてください。渡された形は [{shape}] です。"
        : $"Image shape must be [H,W], [C,H,W] or [N,C,H,W]; got [{shape}].";

    public static string ImageChannels(string shape, int channels) => Ja
        ? $"画像のチャネル数は 1、3、4 のどれかです。形 [{shape}] のチャネル数は {channels} です。（NHWC ではありませんか？ NCHW に並べ替えてください。）"
        : $"Images have 1, 3 or 4 channels; shape [{shape}] has {channels}. (Is it NHWC? Permute to NCHW.)";

    public static string LabelsPerImage(int images, int labels) => Ja
        ? $"画像は {images} 枚ですが、ラベルは {labels} 個です。"
        : $"{images} images but {labels} labels.";
}

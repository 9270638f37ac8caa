using System.Text.RegularExpressions;
using Course.Interrupts;

namespace Course.Visuals.Tests;

/// <summary>
/// What Course.Visuals writes for a learner in the language the lesson chose, beside the cases in
/// <see cref="JapaneseTextTests"/>: the display of a run limited by time (lesson 10) counts its step and the time used
/// of the budget in Japanese, in the text and in the picture, with the same numbers as in English; the English is what
/// it was.
/// </summary>
public class LearnerLanguageTests
{
    static string[] Numbers(string text) => Regex.Matches(text, @"\d+(\.\d+)?").Select(m => m.Value).ToArray();

    static TrainingProgress HalfWay(string? title)
    {
        double seconds = 0;
        var p = title is null
            ? new TrainingProgress(TimeSpan.FromMinutes(2), clock: () => TimeSpan.FromSeconds(seconds))
            : new TrainingProgress(TimeSpan.FromMinutes(2), title, () => TimeSpan.FromSeconds(seconds));
        for (int i = 1; i <= 60; i++) { seconds = i; p.Report(i * 20, 0.3); }
        return p;
    }

    [Fact]
    public void ATimeBudgetsProgressCountsInJapanese()
    {
        var english = HalfWay("live");
        var en = english.ToString();
        Assert.Equal("live [###############...............] step 1200, 1:00 of 2:00 50%  loss 0.3000  ·  20.0 steps/s  ·  left 1:00", en);
        Assert.Contains("step 1,200  ·  1:00 of 2:00", english.ToSvg());
        Assert.StartsWith("training [", HalfWay(null).ToString());
        var englishPng = english.Render().Pixels;
        using (LearnerLanguage.Use("ja"))
        {
            var japanese = HalfWay("ライブ");
            var ja = japanese.ToString();
            Assert.Equal("ライブ [###############...............] ステップ 1200、1:00 / 2:00 50%  損失 0.3000  ·  20.0 ステップ/秒  ·  あと 1:00", ja);
            Assert.Equal(Numbers(en), Numbers(ja));
            Assert.Contains("ステップ 1,200  ·  1:00 / 2:00", japanese.ToSvg());
            Assert.StartsWith("学習 [", HalfWay(null).ToString());   // the default title follows the language too
            Assert.NotEqual(englishPng, japanese.Render().Pixels);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingProgress(TimeSpan.Zero));
            Assert.StartsWith("時間の予算は正の値にしてください。", error.Message);
        }
        Assert.StartsWith("The time budget must be positive.", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingProgress(TimeSpan.Zero)).Message);
    }
}

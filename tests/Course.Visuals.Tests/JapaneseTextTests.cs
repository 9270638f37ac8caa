using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Course.Interrupts;
using Course.Visuals.Raster;
using Course.Visuals.Rendering;

namespace Course.Visuals.Tests;

/// <summary>
/// The Japanese edition's text in pictures: every character that Japanese code can draw (the string literals of the
/// translations, the libraries' Japanese messages) has a glyph in the PNG font at every baked size, each distinct from
/// the "?" drawn for a missing one; Japanese titles wrap between characters; the interactive charts name a Japanese
/// font after DejaVu Sans, and headless Chromium draws real glyphs with it; the progress display and the animation's
/// stop line speak Japanese when the lesson says so.
/// </summary>
public class JapaneseTextTests
{
    static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Course.sln"))) return dir.FullName;
        throw new InvalidOperationException("Course.sln not found above the test assembly");
    }

    /// <summary>What Japanese code can draw: the translations of the string-literal units of every translation file
    /// (notebooks/*/translations and the tests' edition fixture), and the Japanese in the libraries' messages.</summary>
    internal static IEnumerable<(string Where, string Text)> DrawableJapaneseTexts()
    {
        var root = Root();
        var files = Directory.GetFiles(Path.Combine(root, "notebooks"), "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "translations")
            .Concat(Directory.GetFiles(Path.Combine(root, "tests", "Course.Notebooks.Tests", "fixtures", "edition"), "*.json", SearchOption.AllDirectories));
        foreach (var file in files)
            foreach (var unit in JsonNode.Parse(File.ReadAllText(file))!["units"]!.AsArray())
            {
                var en = (string?)unit!["en"] ?? "";
                if (en.Length == 0 || !(en[0] is '"' or '$' or '@')) continue;   // comments and markdown are never drawn
                foreach (var (key, value) in unit.AsObject())
                    if (key is not ("en" or "previous_en") && value is JsonValue v && v.TryGetValue<string>(out var text))
                        yield return ($"{Path.GetFileName(file)}: {en}", text);
            }
        foreach (var file in Directory.GetFiles(Path.Combine(root, "src"), "LearnerMessages.cs", SearchOption.AllDirectories))
            yield return (file, string.Concat(File.ReadAllText(file).Where(c => IsJapanese(c))));
    }

    static bool IsJapanese(int c) => c is >= 0x2E80 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF or >= 0xFF00 and <= 0xFFEF;

    [Fact]
    public void EveryCharacterJapaneseCodeCanDrawHasAGlyphAtEverySize()
    {
        var font = BitmapFont.Default;
        var missing = new SortedDictionary<string, string>();
        var texts = DrawableJapaneseTexts().ToList();
        Assert.Contains(texts, t => t.Text.Contains("損失"));   // the texts are found at all
        foreach (var (where, text) in texts)
            foreach (var rune in text.EnumerateRunes())
            {
                if (rune.Value < 0x80 || BitmapFont.IsCombining(rune.Value) || rune.Value is 0x3000) continue;
                foreach (var size in new[] { 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 32, 36 })
                    if (!font.FaceFor(size).Glyphs.ContainsKey(rune.Value))
                        missing.TryAdd(rune.ToString(), $"{where} (size {size})");
            }
        Assert.True(missing.Count == 0,
            $"{missing.Count} characters have no glyph in the PNG font; rebuild the atlas " +
            $"(/usr/bin/python3 src/Course.Visuals/Fonts/make_font_atlas.py --cjk):\n" +
            string.Join("\n", missing.Take(30).Select(kv => $"{kv.Key} U+{char.ConvertToUtf32(kv.Key, 0):X4} in {kv.Value}")));
    }

    [Fact]
    public void JapaneseGlyphsAreDrawnNotQuestionMarks()
    {
        var face = BitmapFont.Default.FaceFor(13);
        foreach (var ch in "学習の損失を区別できません、停止。")
        {
            var glyph = face.Get(ch);
            Assert.NotSame(face.Fallback, glyph);
            Assert.True(glyph.Coverage.Any(c => c > 128), $"{ch} has no ink");
            // a full-width character advances about one em, as in the font
            Assert.InRange(glyph.Advance64 / 64.0, 0.85 * face.Size, 1.15 * face.Size);
        }
        // Distinct glyphs: the same characters in another order make another picture, which boxes or "?" would not.
        var forward = new Figure(300, 120).Title("学習の損失を区別").ToImage();
        var backward = new Figure(300, 120).Title("別区を失損の習学").ToImage();
        var same = new Figure(300, 120).Title("学習の損失を区別").ToImage();
        Assert.Equal(forward.Pixels, same.Pixels);
        Assert.NotEqual(forward.Pixels, backward.Pixels);
        var dir = Tools.TempDir("japanese-png");
        File.WriteAllBytes(Path.Combine(dir, "title.png"), forward.ToPng());
    }

    [Fact]
    public void AJapaneseTitleWrapsBetweenCharactersAndNotBeforeClosingPunctuation()
    {
        const string title = "拡散モデルのサンプルを、ステップ数を変えながら、本物の画像の分布と比べたときの距離（小さいほどよい）";
        var fitted = FittedTitle.Fit(title, 260, Style.TitleSize, Style.TitleMinSize);
        Assert.True(fitted.Lines.Length >= 2, "a long Japanese title stays on one line");
        Assert.All(fitted.Lines, line => Assert.True(Scene.MeasureText(line, fitted.Size) <= 260, $"'{line}' is wider than the room"));
        Assert.All(fitted.Lines.Skip(1), line => Assert.False("、。）」".Contains(line[0]), $"a line starts with '{line[0]}'"));
        if (!fitted.Lines[^1].EndsWith('…')) Assert.Equal(title, string.Concat(fitted.Lines));
        // English titles still break at spaces only, and keep their spaces.
        var english = FittedTitle.Fit("Samples of the model at each number of steps, against the data", 200, 16, 12);
        Assert.Equal("Samples of the model at each number of steps, against the data", string.Join(" ", english.Lines));
        var segments = FittedTitle.Segments("N(0, 1) からのサンプル（左）");
        Assert.Equal(new[] { "N(0,", "1)", "か", "ら", "の", "サ", "ン", "プ", "ル", "（左）" }, segments.Select(s => s.Text));
        Assert.Equal(new[] { false, true, true, false, false, false, false, false, false, false }, segments.Select(s => s.SpaceBefore));
    }

    [Fact]
    public void TheProgressDisplayAndTheStopLinesSpeakTheLessonsLanguage()
    {
        var clock = TimeSpan.Zero;
        TrainingProgress Progress() => new TrainingProgress(200, clock: () => clock).Report(50, 0.123456);
        var english = Progress();
        clock = TimeSpan.FromSeconds(10);
        english.Report(100, 0.1);
        var (en, englishPng) = (english.ToString(), english.Render().Pixels);
        using (LearnerLanguage.Use("ja"))
        {
            clock = TimeSpan.Zero;
            var japanese = Progress();
            clock = TimeSpan.FromSeconds(10);
            japanese.Report(100, 0.1);
            var ja = japanese.ToString();
            Assert.StartsWith("training [", en);
            Assert.StartsWith("学習 [", ja);
            Assert.True(en.Contains("loss 0.1"), en);
            Assert.Contains("損失 0.1", ja);
            Assert.Contains("steps/s", en);
            Assert.Contains("ステップ/秒", ja);
            Assert.Contains("ETA ", en);
            Assert.Contains("残り ", ja);
            Assert.Equal(Numbers(en), Numbers(ja));
            var png = japanese.Render().Pixels;
            Assert.NotEqual(png, englishPng);

            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            var figure = new Figure(200, 150);
            var stop = Assert.ThrowsAny<OperationCanceledException>(() => Animation.Of(new[] { 1, 2, 3 }, _ => figure, cancellationToken: cancelled.Token));
            Assert.Equal("アニメーションは 3 フレーム中 0 フレームで停止しました。何も返しません", stop.Message);
            Assert.Equal("t のアニメーション: 2 フレーム", Animation.Of(new[] { 1, 2 }, _ => figure, cancellationToken: TestContext.Current.CancellationToken).ToString());
            var error = Assert.Throws<ArgumentException>(() => new Figure(200, 150).Line(new[] { 1.0, 2 }, new[] { 1.0 }));
            Assert.Equal("x の値は 2 個ですが、y の値は 1 個です。", error.Message);
        }
        using var again = new CancellationTokenSource();
        again.Cancel();
        var englishStop = Assert.ThrowsAny<OperationCanceledException>(() => Animation.Of(new[] { 1, 2, 3 }, _ => new Figure(200, 150), cancellationToken: again.Token));
        Assert.Equal("animation stopped after 0 of 3 frames; none returned", englishStop.Message);
        Assert.Equal("animation over t: 2 frames", Animation.Of(new[] { 1, 2 }, _ => new Figure(200, 150), cancellationToken: TestContext.Current.CancellationToken).ToString());
    }

    static string[] Numbers(string text) => Regex.Matches(text, @"\d+(\.\d+)?").Select(m => m.Value).ToArray();

    /// <summary>The interactive chart names Japanese fonts after DejaVu Sans, and Chromium draws real glyphs for a
    /// Japanese title with them (this machine has fonts-noto-cjk, as setup.sh --tests installs): the same characters in
    /// another order make another picture, where missing glyphs would all be the same box.</summary>
    [Fact]
    public void InteractiveChartsDrawJapaneseTitlesWithAJapaneseFont()
    {
        Assert.Contains("'Noto Sans CJK JP'", Course.Visuals.Rendering.SvgWriter.FontFamily);
        var chromium = Tools.Chromium() ?? throw new InvalidOperationException("chromium is not installed: apt-get install -y chromium");
        Assert.True(File.Exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), "fonts-noto-cjk is not installed: scripts/setup.sh --tests");
        var dir = Tools.TempDir("japanese-chart");
        string Shot(string title)
        {
            var figure = new Figure(480, 300).Title(title).Line(new[] { 0.0, 1, 2 }, new[] { 0.0, 1, 0 }, name: "損失");
            var page = Path.Combine(dir, Guid.NewGuid().ToString("N")[..6] + ".html");
            File.WriteAllText(page, figure.ToHtmlPage(PlotlyOptions.Offline));
            Assert.Contains("Noto Sans CJK JP", File.ReadAllText(page));
            var png = Path.ChangeExtension(page, ".png");
            Tools.Screenshot(new Uri(page).AbsoluteUri, png, 520, 340);
            return png;
        }
        var forward = Shot("拡散モデルの学習");
        var backward = Shot("習学のルデモ散拡");
        // The title band of both screenshots, as PIL sees it: identical boxes would give identical bands.
        var differs = Tools.Py("""
            import sys
            from PIL import Image, ImageChops
            a = Image.open(sys.argv[1]).convert('L').crop((0, 0, 480, 40))
            b = Image.open(sys.argv[2]).convert('L').crop((0, 0, 480, 40))
            ink = sum(1 for p in a.getdata() if p < 128)
            diff = ImageChops.difference(a, b).getbbox()
            print(ink, 0 if diff is None else 1)
            """, forward, backward).Trim().Split(' ');
        Assert.True(int.Parse(differs[0]) > 50, $"no title was drawn ({differs[0]} dark pixels): {forward}");
        Assert.True(differs[1] == "1", $"the reversed title looks the same: its glyphs are boxes ({forward}, {backward})");
        _ = chromium;
    }
}

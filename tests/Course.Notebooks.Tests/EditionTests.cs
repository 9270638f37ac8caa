using System.Text.Json.Nodes;
using Course.Notebooks.Cli;
using Course.Notebooks.Html;
using Course.Notebooks.Ipynb;
using Course.Notebooks.Translation;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Syntax;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Course.Notebooks.Tests;

/// <summary>
/// The Japanese edition (notebooks/ja): each lesson is generated from the English lesson and its translation file and
/// is up to date with both; no unit is stale, invalid or obsolete; its code is the English program (checked here
/// independently of the generator: comments and literal texts stripped from both, the token streams compared, each
/// interpolated string's holes as a multiset); every formula of the English markdown is in the Japanese; no cell is
/// empty; the first cell sets the libraries' language to Japanese; every lesson links the glossary. The mechanism
/// itself is tested on a small fixture lesson (fixtures/edition), which also runs in the real kernel.
/// </summary>
public class EditionTests
{
    /// <summary>English lessons whose translation is not in this branch yet (the translators' files arrive by merge).
    /// Empty this list as each one arrives: the test below fails for a listed lesson that has a translation.</summary>
    internal static readonly string[] LessonsNotYetTranslated =
    {
    };

    static string Root => CourseNotebookTests.RepositoryRoot();

    static string EnglishFolder => Path.Combine(Root, "notebooks");

    static string FixtureFolder => Path.Combine(Root, "tests", "Course.Notebooks.Tests", "fixtures", "edition");

    public static TheoryData<string> EnglishLessons() => CourseNotebookTests.Lessons();

    /// <summary>The edition as the English lessons and translations on disk give it (built once for all lessons).</summary>
    static readonly Lazy<IReadOnlyList<GeneratedLesson>> Generated = new(() => EditionGenerator.Generate(EnglishFolder, Edition.Japanese));

    // ---- the real edition ------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(EnglishLessons))]
    public void TheJapaneseLessonIsCurrentWithItsEnglishLessonAndTranslation(string lesson)
    {
        var generated = Generated.Value.Single(g => g.Name == lesson);
        if (LessonsNotYetTranslated.Contains(lesson))
        {
            Assert.False(generated.HasTranslation, $"{lesson} has a translation now: remove it from {nameof(LessonsNotYetTranslated)}");
            Assert.False(File.Exists(generated.TargetPath), $"{generated.TargetPath} exists without a translation file");
            return;
        }
        Assert.True(generated.HasTranslation, $"{lesson}: no {generated.TranslationPath}");
        Assert.True(generated.Error is null, generated.Error);
        var report = generated.Report!;
        Assert.True(report.IsClean, $"{lesson}: {Describe(report)}\n(`dotnet run --project src/Course.Notebooks -- translate --lang ja` lists them)");
        Assert.True(generated.UpToDate, $"{generated.TargetPath} is not what its English lesson and translation give: " +
            "run `dotnet run --project src/Course.Notebooks -- translate --lang ja` and commit the result");
    }

    [Theory]
    [MemberData(nameof(EnglishLessons))]
    public void TheJapaneseLessonIsTheEnglishProgramWithEveryFormulaAndNoEmptyCell(string lesson)
    {
        var japanesePath = Path.Combine(EnglishFolder, "ja", lesson + ".ipynb");
        if (LessonsNotYetTranslated.Contains(lesson))
        {
            Assert.False(File.Exists(japanesePath), $"{japanesePath} exists: remove {lesson} from {nameof(LessonsNotYetTranslated)}");
            return;
        }
        AssertSameLessonInJapanese(NotebookDocument.Load(Path.Combine(EnglishFolder, lesson + ".ipynb")), NotebookDocument.Load(japanesePath));
    }

    [Fact]
    public void NoTranslationOrJapaneseLessonIsWithoutItsEnglishLesson()
    {
        Assert.Empty(EditionGenerator.Orphans(EnglishFolder, Edition.Japanese));
    }

    [Fact]
    public void TheGlossaryHasTheSourcesTermsWithTheirEnglish()
    {
        var glossary = File.ReadAllText(Path.Combine(EnglishFolder, "ja", Edition.Japanese.Glossary));
        foreach (var (japanese, english) in new[]
        {
            ("拡散モデル", "diffusion model"), ("拡散過程", "forward process"), ("逆拡散過程", "reverse process"),
            ("ノイズ除去", "denoising"), ("スコア", "score"), ("デノイジング・スコア・マッチング", "denoising score matching"),
            ("アニールされたランジュバン動力学", "annealed Langevin dynamics"), ("帰納的バイアス", "inductive bias"),
            ("スケーリング則", "scaling law"), ("敵対的生成ネットワーク", "generative adversarial network"),
            ("変分オートエンコーダ", "variational autoencoder"), ("潜在空間", "latent space"), ("再構成誤差", "reconstruction error"),
            ("KLダイバージェンス", "KL divergence"),
        })
        {
            // a row whose first cell names the term (alone or with another name) and whose second gives its English
            var row = glossary.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal))
                .Select(l => l.Split('|')).FirstOrDefault(cells => cells.Length > 2 && cells[1].Contains(japanese, StringComparison.Ordinal));
            Assert.True(row is not null, $"the glossary has no row for {japanese}");
            Assert.Contains(english, row[2], StringComparison.OrdinalIgnoreCase);
        }
        // Every row is a table row of four cells: an unescaped | inside a formula would break it.
        foreach (var row in glossary.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)))
            Assert.True(row.Count(c => c == '|') == 5, $"not four cells: {row}");
    }

    // ---- the mechanism, on the fixture lesson ----------------------------------------------------------------

    static (NotebookDocument English, TranslationFile Translation) Fixture()
    {
        var english = NotebookDocument.Load(Path.Combine(FixtureFolder, "99-fixture.ipynb"));
        var translation = TranslationFile.Load(Path.Combine(FixtureFolder, "ja", "translations", "99-fixture.ja.json"), "ja");
        return (english, translation);
    }

    static (NotebookDocument Lesson, LessonTranslationReport Report) Build(NotebookDocument english, TranslationFile translation,
        string? target = null) =>
        EditionBuilder.Build(english, translation, Edition.Japanese, new HashSet<string> { "ja", "checkpoints" },
            target ?? Path.Combine(FixtureFolder, "ja", "99-fixture.ipynb"));

    [Fact]
    public void TheUnitsAreMarkdownCellsCommentsAndStringLiterals()
    {
        const string code = """"
            #r "../lib/A.dll"
            // a comment   
            var s = "text" + @"verbatim ""q""" + $"hole {x:F3} and {(ok ? "yes" : "no"),5}"; /* block */
            var r = """raw "quoted" """ + "u8"u8.Length + $@"{y} v" + 'c';
            /// <summary>Doc.</summary>
            int F() => 1; // trailing
            """";
        var spans = CodeText.Find(code);
        Assert.Equal(new[]
        {
            "\"../lib/A.dll\"", "// a comment", "\"text\"", "@\"verbatim \"\"q\"\"\"", "$\"hole {x:F3} and {(ok ? \"yes\" : \"no\"),5}\"",
            "/* block */", "\"\"\"raw \"quoted\" \"\"\"", "\"u8\"u8", "$@\"{y} v\"", "/// <summary>Doc.</summary>", "// trailing",
        }, spans.Select(s => s.Text));
        foreach (var span in spans) Assert.Equal(span.Text, code.Substring(span.Start, span.Length));
        Assert.Equal(UnitKind.InterpolatedString, spans[4].Kind);
        Assert.Equal(UnitKind.LineComment, spans[9].Kind);
        // The lesson's units: markdown cells whole, then each text once, in order.
        var (english, _) = Fixture();
        var units = LessonUnits.Of(english);
        Assert.Equal(NotebookDocument.Source((JsonObject)english.Cells[0]!), units[0].English);
        Assert.Equal(UnitKind.Markdown, units[0].Kind);
        Assert.Equal(units.Count, units.Select(u => u.English).Distinct().Count());
        Assert.Contains(units, u => u.English == "\"en\"" && u.Kind == UnitKind.StringLiteral);
    }

    [Fact]
    public void ATranslationIsTheSameKindOfCommentOrLiteralWithTheSameHoles()
    {
        string? Why(UnitKind kind, string en, string ja) => CodeText.WhyNotInterchangeable(kind, en, ja);
        Assert.Null(Why(UnitKind.LineComment, "// noise", "// ノイズ"));
        Assert.NotNull(Why(UnitKind.LineComment, "// noise", "ノイズ"));
        Assert.NotNull(Why(UnitKind.LineComment, "// noise", "// ノイズ\nvar x = 1;"));
        Assert.Null(Why(UnitKind.BlockComment, "/* a */", "/* あ\nい */"));
        Assert.NotNull(Why(UnitKind.BlockComment, "/* a */", "/* あ */ x /* い */"));
        Assert.Null(Why(UnitKind.StringLiteral, "\"loss\"", "\"損失\""));
        Assert.NotNull(Why(UnitKind.StringLiteral, "\"loss\"", "@\"損失\""));
        Assert.NotNull(Why(UnitKind.StringLiteral, "\"loss\"", "\"損失\" + x"));
        Assert.NotNull(Why(UnitKind.StringLiteral, "\"loss\"", "\"損失"));
        Assert.NotNull(Why(UnitKind.StringLiteral, "\"loss\"", "$\"損失\""));
        const string en = "$\"step {i}: {loss:F3} ({name,-8})\"";
        Assert.Null(Why(UnitKind.InterpolatedString, en, "$\"{name,-8}: ステップ {i} の損失 {loss:F3}\""));
        Assert.Null(Why(UnitKind.InterpolatedString, en, "$\"ステップ {i}：{ loss:F3}（{name,-8}）\""));
        Assert.NotNull(Why(UnitKind.InterpolatedString, en, "$\"ステップ {i}: {loss:F2} ({name,-8})\""));
        Assert.NotNull(Why(UnitKind.InterpolatedString, en, "$\"ステップ {i + 1}: {loss:F3} ({name,-8})\""));
        Assert.NotNull(Why(UnitKind.InterpolatedString, en, "$\"ステップ: {loss:F3} ({name,-8})\""));
        Assert.NotNull(Why(UnitKind.InterpolatedString, en, "$\"ステップ {i}: {loss:F3} ({name,-8}) {i}\""));
        Assert.NotNull(Why(UnitKind.InterpolatedString, en, "$@\"ステップ {i}: {loss:F3} ({name,-8})\""));
        // A literal inside a hole is text: translating it keeps the program.
        Assert.Null(Why(UnitKind.InterpolatedString, "$\"{(ok ? \"yes\" : \"no\")}\"", "$\"{(ok ? \"はい\" : \"いいえ\")}\""));
    }

    [Fact]
    public void TheFixtureLessonIsTheEnglishProgramWithTheJapaneseTexts()
    {
        var (english, translation) = Fixture();
        var (lesson, report) = Build(english, translation);
        Assert.True(report.IsClean, Describe(report));
        AssertSameLessonInJapanese(english, lesson);
        var code = NotebookDocument.Source((JsonObject)lesson.Cells[2]!);
        // Relative paths that leave the lessons' folder are rebased: the edition sits one folder deeper.
        Assert.StartsWith("#r \"../../lib/TorchSharp.dll\"\n", code);
        Assert.Contains("string library = \"../../lib\";", code);
        Assert.Contains("// ライブラリが表示するメッセージの言語です。\n", code);
        Assert.Contains("Course.Diffusion.CourseEngine.EnsureLoadable(language: \"ja\");", code);
        var first = NotebookDocument.Source((JsonObject)lesson.Cells[0]!);
        Assert.StartsWith("# 99 · テスト用のレッスン", first);
        Assert.EndsWith(Edition.Japanese.LinkLine("99-fixture.ipynb"), first);
        Assert.Contains("[用語集](用語集.md)", first);
        Assert.Contains("(../99-fixture.ipynb)", first);
        // Outputs and counts stay empty, as in the repository's lessons.
        Assert.All(lesson.Cells.OfType<JsonObject>().Where(c => NotebookDocument.CellType(c) == "code"),
            c => Assert.Empty(c["outputs"]!.AsArray()));
    }

    [Fact]
    public void AnEnglishTextThatChangedIsStaleItsOldEntryObsoleteAndTheLessonShowsTheEnglish()
    {
        var (english, translation) = Fixture();
        var cells = english.Cells.OfType<JsonObject>().ToList();
        var markdown = NotebookDocument.Source(cells[3]);
        cells[3]["source"] = NotebookDocument.Lines(markdown.Replace("Two samplers", "Two sampling methods"));
        var code = NotebookDocument.Source(cells[6]);
        cells[6]["source"] = NotebookDocument.Lines(code.Replace("\"Samples of N(0, 1)\"", "\"Draws from N(0, 1)\"") + "\n// new: a comment");
        var (lesson, report) = Build(english, translation);
        Assert.Equal(new[] { markdown.Replace("Two samplers", "Two sampling methods"), "\"Draws from N(0, 1)\"", "// new: a comment" },
            report.Stale.Select(u => u.English));
        Assert.Equal(new[] { markdown, "\"Samples of N(0, 1)\"" }, report.Obsolete.Select(e => e.English));
        Assert.True(report.HasStaleOrInvalid);
        var built = lesson.Cells.OfType<JsonObject>().ToList();
        Assert.Equal(markdown.Replace("Two samplers", "Two sampling methods"), NotebookDocument.Source(built[3]));
        Assert.Contains("Title(\"Draws from N(0, 1)\")", NotebookDocument.Source(built[6]));
        Assert.Contains("name: \"サンプル\"", NotebookDocument.Source(built[6]));
        // The skeleton keeps every translation, leaves the changed units empty and shows what they said before.
        var skeleton = EditionBuilder.Skeleton(english, translation, Edition.Japanese);
        Assert.Equal(LessonUnits.Of(english).Select(u => u.English), skeleton.Entries.Select(e => e.English));
        var changed = skeleton.Entries.Single(e => e.English.StartsWith("## Ranking", StringComparison.Ordinal));
        Assert.Equal("", changed.Translation);
        Assert.Equal(markdown, changed.PreviousEnglish);
        Assert.StartsWith("## 順位づけ", changed.PreviousTranslation);
        Assert.Equal("\"サンプル\"", skeleton.Entries.Single(e => e.English == "\"samples\"").Translation);
        var reread = Path.Combine(Path.GetTempPath(), $"course-skeleton-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(reread, skeleton.ToJson());
            var loaded = TranslationFile.Load(reread, "ja");
            Assert.Equal(skeleton.Entries, loaded.Entries);
        }
        finally { File.Delete(reread); }
    }

    [Fact]
    public void ATranslationThatChangesTheProgramIsInvalidAndTheLessonShowsTheEnglish()
    {
        var (english, translation) = Fixture();
        var broken = translation.Entries.Select(e => e.English switch
        {
            "$\"{verdict.Best} ahead by {verdict.Gap:F3}; resolved: {verdict.Resolved}\"" =>
                e with { Translation = "$\"{verdict.Best} が {verdict.Gap:F2} だけ上\"" },
            "// The language of the library's messages." => e with { Translation = "言語" },
            "\"samples\"" => e with { Translation = "\"サンプル\" + \"!\"" },
            _ => e,
        }).Append(translation.Entries[0]).ToList();
        var (lesson, report) = Build(english, new TranslationFile(translation.Lesson, "ja", broken));
        Assert.Equal(3, report.Invalid.Count);
        Assert.Contains(report.Invalid, p => p.Reason.Contains("holes differ"));
        Assert.Single(report.Duplicates);
        Assert.True(report.HasStaleOrInvalid);
        AssertSameLessonInJapanese(english, lesson, checkFormulas: false);
        Assert.Contains("$\"{verdict.Best} ahead by {verdict.Gap:F3}", NotebookDocument.Source((JsonObject)lesson.Cells[4]!));
    }

    [Fact]
    public void OnlyPathsThatLeaveTheLessonsFolderAreRebased()
    {
        var subfolders = new HashSet<string> { "ja", "checkpoints", "solutions" };
        string Rebase(string literal) => EditionBuilder.RebaseLiteral(literal, subfolders, Edition.Japanese);
        Assert.Equal("\"../../lib/TorchSharp.dll\"", Rebase("\"../lib/TorchSharp.dll\""));
        Assert.Equal("\"../..\"", Rebase("\"..\""));
        Assert.Equal("\"../checkpoints/toy-mlp.safetensors\"", Rebase("\"checkpoints/toy-mlp.safetensors\""));
        Assert.Equal("\"../checkpoints\"", Rebase("\"checkpoints\""));
        Assert.Equal("@\"../checkpoints\\a\"", Rebase("@\"checkpoints\\a\""));
        foreach (var unchanged in new[] { "\"samples\"", "\"checkpoints/README.md says how\"", "\"ja/x\"", "\"/tmp/x\"", "\"x.png\"", "$\"../{x}\"" })
            Assert.Equal(unchanged, Rebase(unchanged));
        Assert.Equal("see [x](../checkpoints/README.md) and [04](04-training-2d.ipynb)",
            EditionBuilder.RebaseMarkdownLinks("see [x](checkpoints/README.md) and [04](04-training-2d.ipynb)", subfolders, Edition.Japanese));
    }

    [Fact]
    public void TheTranslateCommandWritesTheLessonsAndFailsOnStaleUnits()
    {
        using var temp = new TempDir();
        File.Copy(Path.Combine(FixtureFolder, "99-fixture.ipynb"), temp.File("99-fixture.ipynb"));
        Directory.CreateDirectory(temp.File(Path.Combine("ja", "translations")));
        var translationPath = temp.File(Path.Combine("ja", "translations", "99-fixture.ja.json"));
        File.Copy(Path.Combine(FixtureFolder, "ja", "translations", "99-fixture.ja.json"), translationPath);
        var options = TranslateCommand.Parse(["--lang", "ja", "--notebooks", temp.Path, "--check"]);
        Assert.Equal(1, TranslateCommand.Run(options, TextWriter.Null, TextWriter.Null));   // not generated yet
        var output = new StringWriter();
        Assert.Equal(0, TranslateCommand.Run(TranslateCommand.Parse(["--notebooks", temp.Path]), output, TextWriter.Null));
        Assert.Contains("written; 31 units, 0 stale, 0 invalid, 0 obsolete", output.ToString());
        Assert.True(File.Exists(temp.File(Path.Combine("ja", "99-fixture.ipynb"))));
        Assert.Equal(0, TranslateCommand.Run(options, TextWriter.Null, TextWriter.Null));   // up to date now
        // The English lesson changes: the command reports the stale unit and the obsolete entry, and exits 1.
        var lessonPath = temp.File("99-fixture.ipynb");
        File.WriteAllText(lessonPath, File.ReadAllText(lessonPath).Replace("\\\"samples\\\"", "\\\"samples drawn\\\""));
        output = new StringWriter();
        Assert.Equal(1, TranslateCommand.Run(TranslateCommand.Parse(["--notebooks", temp.Path]), output, TextWriter.Null));
        Assert.Contains("1 stale, 0 invalid, 1 obsolete", output.ToString());
        Assert.Contains("stale    (cell 6, string): \"samples drawn\"", output.ToString());
        Assert.Contains("obsolete (its English is no longer in the lesson): \"samples\"", output.ToString());
        // The skeleton prints the lesson's file with the new unit to translate.
        output = new StringWriter();
        Assert.Equal(0, TranslateCommand.Run(TranslateCommand.Parse(["--notebooks", temp.Path, "--skeleton", "99"]), output, TextWriter.Null));
        var skeleton = JsonNode.Parse(output.ToString())!;
        var draws = skeleton["units"]!.AsArray().Single(u => (string?)u!["en"] == "\"samples drawn\"")!;
        Assert.Equal("", (string?)draws["ja"]);
        Assert.Equal("\"サンプル\"", (string?)draws["previous_ja"]);
        Assert.Throws<ArgumentException>(() => TranslateCommand.Parse(["--lang", "fr"]));
    }

    [Fact]
    public void TheRunnerAndTheCoursePageOfferBothLanguages()
    {
        var japanese = CourseCommand.Parse(["--lang", "ja", "--only", "01"]);
        Assert.Equal(Path.Combine("notebooks", "ja"), japanese.NotebooksDirectory);
        Assert.Equal(Path.Combine("artifacts", "ja"), japanese.OutputDirectory);
        Assert.Equal(Edition.Japanese.Title, japanese.Title);
        var chosen = CourseCommand.Parse(["--out", "elsewhere", "--lang", "ja", "--title", "T"]);
        Assert.Equal("elsewhere", chosen.OutputDirectory);
        Assert.Equal("T", chosen.Title);
        Assert.Equal("notebooks", CourseCommand.Parse([]).NotebooksDirectory);
        Assert.Throws<ArgumentException>(() => CourseCommand.Parse(["--lang", "fr"]));

        var (english, translation) = Fixture();
        var (lesson, _) = Build(english, translation);
        using var temp = new TempDir();
        File.WriteAllText(temp.File(Edition.Japanese.Glossary), "# 用語集\n\n| 日本語 | English |\n|---|---|\n| 拡散モデル | diffusion model |\n");
        var page = CoursePage.Render([new CourseLesson(lesson, "notebooks/99-fixture.ipynb")],
            LanguagePage.Options("ja", temp.Path, new CoursePageOptions { Title = Edition.Japanese.Title }));
        Assert.Contains("<html lang=\"ja\">", page);
        Assert.Contains("<a href=\"../course.html\" hreflang=\"en\">English</a>", page);
        Assert.Contains("<section class=\"lesson glossary\" id=\"glossary\">", page);
        Assert.Contains("<td>拡散モデル</td>", page);
        Assert.Contains("<a href=\"#glossary\">用語集</a>", page);   // the lesson's link leads to the glossary on the page
        Assert.Contains("<a href=\"../course.html#nb-99-fixture\">99-fixture.ipynb</a>", page);   // and its English original
        Assert.Contains("実行済みのノートブック", page);
        Assert.DoesNotContain("executed notebook", page);
        // The English page links the Japanese one where the edition has lessons.
        Directory.CreateDirectory(temp.File("ja"));
        var englishOnly = CoursePage.Render([new CourseLesson(english)], LanguagePage.Options("en", temp.Path, new CoursePageOptions()));
        Assert.DoesNotContain("hreflang", englishOnly);
        File.WriteAllText(temp.File(Path.Combine("ja", "99-fixture.ipynb")), lesson.ToJson());
        var both = CoursePage.Render([new CourseLesson(english)], LanguagePage.Options("en", temp.Path, new CoursePageOptions()));
        Assert.Contains("<html lang=\"en\">", both);
        Assert.Contains("<a href=\"ja/course.html\" hreflang=\"ja\">日本語版 (Japanese)</a>", both);
    }

    /// <summary>The fixture lesson, generated, runs in the real kernel (in process, as ./run-course.sh runs lessons),
    /// and the libraries write Japanese: the verdict, the stop line, the progress labels.</summary>
    [Fact]
    public async Task TheGeneratedFixtureRunsInTheKernelAndTheLibrariesSpeakJapanese()
    {
        Assert.True(File.Exists(Path.Combine(Root, "lib", "TorchSharp.dll")), "lib/ is missing: build the solution first");
        var (english, translation) = Fixture();
        // Two folders below the repository root, like notebooks/ja, so that "../../lib" finds lib/.
        var folder = Path.Combine(Root, "artifacts", "edition-test-" + Guid.NewGuid().ToString("N")[..8]);
        var path = Path.Combine(folder, "99-fixture.ipynb");
        var (lesson, report) = Build(english, translation, path);
        Assert.True(report.IsClean, Describe(report));
        lesson.Save(path);
        try
        {
            var result = await NotebookRunner.RunAsync(path, new NotebookRunOptions
            {
                Environment = new Dictionary<string, string?> { ["COURSE_QUICK"] = "1" },
                Timeout = TimeSpan.FromMinutes(3),
            });
            Assert.True(result.Succeeded, string.Join("\n", result.Failures));
            var text = string.Concat(result.Executed.Cells.OfType<JsonObject>()
                .SelectMany(c => (c["outputs"] as JsonArray ?? []).OfType<JsonObject>())
                .Select(o => string.Concat((o["text"] as JsonArray ?? []).Select(l => (string?)l))
                             + string.Concat((o["data"]?["text/plain"] as JsonArray ?? []).Select(l => (string?)l))));
            Assert.Contains("ライブラリの場所 ../../lib: True", text);
            Assert.Contains("SW₁: この実行では DDPM（0.031）と DDIM（0.035）を区別できません。差 0.004 は、5 つのシードでの値の幅（0.010）の範囲内です", text);
            Assert.Contains("DDPM が 0.004 だけ上。見分けられたか: False", text);
            Assert.Contains("逐語的文字列の \"引用\" と生文字列の引用: 彼は \"こんにちは\" と言いました。", text);
            Assert.Contains("アニメーションは 2 フレーム中 0 フレームで停止しました。何も返しません", text);
            Assert.Contains("学習 [############..................] 40/100 40%  損失 0.2500", text);
            Assert.DoesNotContain("cannot tell", text);
            var figure = result.Executed.Cells.OfType<JsonObject>().Single(c => NotebookDocument.Source(c).Contains("var fig = new Figure"));
            Assert.Contains(figure["outputs"]!.AsArray().OfType<JsonObject>(), o => o["data"]?["image/png"] is not null);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    // ---- checks shared by the fixture and the real edition -----------------------------------------------------

    static string Describe(LessonTranslationReport report) =>
        $"{report.Stale.Count} stale: [{string.Join(" | ", report.Stale.Select(u => Short(u.English)))}]; " +
        $"{report.Invalid.Count} invalid: [{string.Join(" | ", report.Invalid.Select(p => $"{Short(p.Unit.English)}: {p.Reason}"))}]; " +
        $"{report.Obsolete.Count} obsolete: [{string.Join(" | ", report.Obsolete.Select(e => Short(e.English)))}]; " +
        $"duplicates: [{string.Join(" | ", report.Duplicates.Select(Short))}]; program differs in cells [{string.Join(", ", report.ProgramMismatches)}]";

    static string Short(string s) => s.Length <= 60 ? s.Replace("\n", "\\n") : s[..60].Replace("\n", "\\n") + "...";

    /// <summary>The same cells in the same order; each code cell the same program as the English one; each English
    /// formula in the Japanese markdown cell; no empty cell; the language set to Japanese; the glossary linked.</summary>
    internal static void AssertSameLessonInJapanese(NotebookDocument english, NotebookDocument japanese, bool checkFormulas = true)
    {
        var en = english.Cells.OfType<JsonObject>().ToList();
        var ja = japanese.Cells.OfType<JsonObject>().ToList();
        Assert.Equal(en.Select(NotebookDocument.CellType), ja.Select(NotebookDocument.CellType));
        for (var i = 0; i < en.Count; i++)
        {
            var (enSource, jaSource) = (NotebookDocument.Source(en[i]), NotebookDocument.Source(ja[i]));
            Assert.True(jaSource.Trim().Length > 0, $"{japanese.Name}: cell {i} is empty");
            if (NotebookDocument.CellType(en[i]) == "code")
            {
                var (enProgram, jaProgram) = (ProgramOf(enSource), ProgramOf(jaSource));
                Assert.True(enProgram.SequenceEqual(jaProgram),
                    $"{japanese.Name}: code cell {i} is not the English program:\n{FirstDifference(enProgram, jaProgram)}");
            }
            else if (checkFormulas)
            {
                var missing = Formulas(enSource).ToList();
                foreach (var formula in Formulas(jaSource)) missing.Remove(formula);
                Assert.True(missing.Count == 0, $"{japanese.Name}: markdown cell {i} lacks the English formulas {string.Join("  ", missing)}");
            }
        }
        var firstCode = NotebookDocument.Source(ja.First(c => NotebookDocument.CellType(c) == "code"));
        if (NotebookDocument.Source(en.First(c => NotebookDocument.CellType(c) == "code")).Contains("EnsureLoadable(language: \"en\")"))
            Assert.Contains("EnsureLoadable(language: \"ja\");", firstCode);
        var firstMarkdown = NotebookDocument.Source(ja.First(c => NotebookDocument.CellType(c) == "markdown"));
        Assert.Contains($"]({Edition.Japanese.Glossary})", firstMarkdown);
    }

    static string FirstDifference(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var i = 0;
        while (i < a.Count && i < b.Count && a[i] == b[i]) i++;
        return $"English: …{string.Join(" ", a.Skip(Math.Max(0, i - 5)).Take(10))}\nJapanese: …{string.Join(" ", b.Skip(Math.Max(0, i - 5)).Take(10))}";
    }

    /// <summary>The program of a code cell, written here apart from the generator's own check: every token but the
    /// comments, in order; a string literal as its token kind and opening (@, raw, u8), without its text; an
    /// interpolated string as its opening and the sorted list of its holes (expression, alignment and format), each
    /// hole's expression reduced the same way. #r directives count as tokens (their paths are literals).</summary>
    internal static List<string> ProgramOf(string code) =>
        Reduce(CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.Parse, SourceCodeKind.Script)).GetRoot());

    static List<string> Reduce(SyntaxNode node)
    {
        var result = new List<string>();
        void Visit(SyntaxNodeOrToken item)
        {
            if (item.AsNode() is { } child)
            {
                if (child is DocumentationCommentTriviaSyntax) return;
                if (child is InterpolatedStringExpressionSyntax interpolated)
                {
                    var holes = interpolated.Contents.OfType<InterpolationSyntax>()
                        .Select(h => string.Join(" ", Reduce(h.Expression)) + "|" + (h.AlignmentClause is null ? "" : string.Join(" ", Reduce(h.AlignmentClause.Value)))
                                     + "|" + h.FormatClause?.FormatStringToken.ValueText)
                        .Order(StringComparer.Ordinal);
                    result.Add($"{interpolated.StringStartToken.Text}…{interpolated.StringEndToken.Text}[{string.Join("; ", holes)}]");
                    return;
                }
                foreach (var c in child.ChildNodesAndTokens()) Visit(c);
                return;
            }
            var token = item.AsToken();
            foreach (var trivia in token.LeadingTrivia.Where(t => t.HasStructure && t.GetStructure() is DirectiveTriviaSyntax))
                Visit(trivia.GetStructure()!);
            if (token.RawKind != (int)SyntaxKind.EndOfFileToken && token.RawKind != (int)SyntaxKind.EndOfDirectiveToken)
            {
                var kind = (SyntaxKind)token.RawKind;
                result.Add(kind.ToString().EndsWith("StringLiteralToken", StringComparison.Ordinal)
                    ? $"{kind}:{(token.Text.StartsWith('@') ? "@" : "")}{(token.Text.EndsWith("u8", StringComparison.Ordinal) ? "u8" : "")}"
                    : token.Text);
            }
        }
        Visit(node);
        return result;
    }

    static readonly MarkdownPipeline MathPipeline = new MarkdownPipelineBuilder().UseMathematics().Build();

    /// <summary>The formulas of markdown text ($...$ and $$...$$, as Markdig's maths extension reads them), as written.</summary>
    static IEnumerable<string> Formulas(string markdown) =>
        Markdown.Parse(markdown, MathPipeline).Descendants()
            .Select(n => n switch
            {
                MathInline inline => new string('$', inline.DelimiterCount) + inline.Content + new string('$', inline.DelimiterCount),
                MathBlock block => "$$" + string.Join("\n", block.Lines.Lines.Take(block.Lines.Count).Select(l => l.ToString())) + "$$",
                _ => null,
            })
            .OfType<string>();
}

/// <summary>Each Japanese lesson runs through a real Jupyter client in the course's kernel, as the English one does in
/// <see cref="JupyterClientTests"/>: no error, no empty output, what a front end shows carries what the learner needs,
/// and the cells that the English lesson promises a picture from (<see cref="CourseNotebookTests.Promised"/>, found by
/// their place, since their texts are Japanese here) show it.</summary>
[Collection("course notebooks")]
public class JapaneseLessonJupyterTests(JupyterKernelFixture jupyter) : IClassFixture<JupyterKernelFixture>
{
    public static TheoryData<string> Lessons() =>
        CourseNotebookTests.LessonsToRunHere(CourseNotebookTests.LessonNames, "COURSE_TEST_JA_LESSONS");

    [Theory]
    [MemberData(nameof(Lessons))]
    public void JapaneseLessonRunsThroughNbclientAndShowsWhatTheEnglishOnePromises(string lesson)
    {
        if (lesson == CourseNotebookTests.NoLessonHere) return;
        var japanesePath = Path.Combine(jupyter.Root, "notebooks", "ja", lesson + ".ipynb");
        if (EditionTests.LessonsNotYetTranslated.Contains(lesson))
        {
            Assert.False(File.Exists(japanesePath), $"{japanesePath} exists: remove {lesson} from {nameof(EditionTests.LessonsNotYetTranslated)}");
            return;
        }
        var (executed, report) = jupyter.Execute(japanesePath);
        Assert.True(report["error"] is null, $"ja/{lesson}: {report["error"]}");
        var executedPath = Path.Combine(jupyter.JupyterPath, $"valid-ja-{lesson}.ipynb");
        executed.Save(executedPath);
        Nbformat.AssertValid(executedPath);
        var cells = executed.Cells.OfType<JsonObject>().ToList();
        var outputs = cells.Where(c => NotebookDocument.CellType(c) == "code")
            .SelectMany(c => (c["outputs"] as JsonArray ?? []).OfType<JsonObject>()).ToList();
        var errors = outputs.Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()).ToList();
        Assert.True(errors.Count == 0, $"ja/{lesson}: error outputs: {string.Join("\n", errors)}");
        var unseen = LessonReadabilityTests.OutputProblems(executed);
        Assert.True(unseen.Count == 0, $"ja/{lesson}: {string.Join("; ", unseen)}");
        var english = NotebookDocument.Load(Path.Combine(jupyter.Root, "notebooks", lesson + ".ipynb")).Cells.OfType<JsonObject>().ToList();
        foreach (var (source, mime) in CourseNotebookTests.Promised[lesson])
        {
            var index = english.FindIndex(c => NotebookDocument.CellType(c) == "code" && NotebookDocument.Source(c).Contains(source));
            Assert.True(index >= 0, $"{lesson}: no English code cell contains \"{source}\"");
            var mimes = (cells[index]["outputs"] as JsonArray ?? []).OfType<JsonObject>()
                .SelectMany(o => (o["data"] as JsonObject)?.Select(kv => kv.Key) ?? []).ToList();
            Assert.True(mimes.Contains(mime), $"ja/{lesson}: cell {index} (English: \"{source}\") shows [{string.Join(", ", mimes)}], not {mime}");
        }
        // The libraries spoke Japanese: no English stop line, verdict or engine line in the outputs.
        var text = string.Concat(outputs.Select(o => string.Concat((o["text"] as JsonArray ?? []).Select(l => (string?)l))));
        foreach (var englishLine in new[] { "cannot tell", "Engine check:", " steps/s", "stopped at step" })
            Assert.DoesNotContain(englishLine, text);
    }
}

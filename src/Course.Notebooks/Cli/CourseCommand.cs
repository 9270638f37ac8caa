using System.Diagnostics;
using System.Globalization;
using Course.Notebooks.Html;
using Course.Notebooks.Ipynb;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>run</c>.</summary>
public sealed class RunCommandOptions
{
    public string NotebooksDirectory { get; set; } = "notebooks";

    public string OutputDirectory { get; set; } = "artifacts";

    /// <summary>Full mode (COURSE_QUICK=0) instead of quick mode (COURSE_QUICK=1).</summary>
    public bool Full { get; set; }

    /// <summary>Run only notebooks whose file name starts with (or contains) one of these.</summary>
    public List<string> Only { get; } = [];

    public bool ContinueOnError { get; set; }

    /// <summary>Limit per notebook; null for none.</summary>
    public TimeSpan? Timeout { get; set; }

    public string Title { get; set; } = "Diffusion models in C#";

    /// <summary>The course's language: "en", or "ja" for the Japanese edition (notebooks/ja, artifacts/ja, a Japanese
    /// page), unless --notebooks, --out or --title say otherwise.</summary>
    public string Language { get; set; } = "en";

    internal bool NotebooksGiven { get; set; }

    internal bool OutputGiven { get; set; }

    internal bool TitleGiven { get; set; }
}

/// <summary>The course's command line: <c>run</c> executes every notebook headless and writes
/// the executed notebooks and the course page.</summary>
public static class CourseCommand
{
    private const string Usage = """
        Course notebooks: run the lessons headless.

        usage: dotnet run --project src/Course.Notebooks -- run [options]

          --full               full mode (COURSE_QUICK=0); the default is quick mode (COURSE_QUICK=1)
          --notebooks DIR      folder of .ipynb lessons (default: notebooks)
          --out DIR            where to write notebooks/*.ipynb and course.html (default: artifacts)
          --only PREFIX        run only notebooks whose name starts with PREFIX (repeatable, or comma-separated)
          --timeout SECONDS    time limit per notebook (default: none)
          --continue           keep running a notebook's cells (and the other notebooks) after an error
          --title TEXT         title of the course page
          --lang ja            the Japanese edition: notebooks/ja, written to artifacts/ja, the page in Japanese

        Exit code: 0 when every notebook ran without error, 1 when a cell failed, 2 for bad usage.

        Also: train-fashion [options] trains lesson 06's pretrained UNet (train-fashion --help);
              install-kernel [--jupyter-dir DIR] installs the course's Jupyter kernel (install-kernel --help);
              train-generative --model vae|gan [options] trains lesson 08's VAE or GAN (train-generative --help);
              train-classifier [options] trains the Fashion-MNIST classifier of the image metrics (train-classifier --help);
              train-live --minutes M --out DIR trains lesson 10's model from random weights for M minutes and writes
                2,000 samples for evaluate (train-live --help);
              evaluate SAMPLES [--labels L.npy] [--json] [--features-out F.npz] measures 28x28 samples: FID, KID,
                precision/recall, accuracy by label, each with its floor (evaluate --help);
              translate [--lang ja] [--check] [--skeleton LESSON] builds the Japanese lessons from the English ones and
                their translations, and lists stale translations (translate --help).
        """;

    public static async Task<int> MainAsync(string[] args)
    {
        // The kernel redirects Console while a cell runs; the runner's own lines go to the real console.
        var output = Console.Out;
        var error = Console.Error;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "train-fashion")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(TrainFashionCommand.Usage);
                return 0;
            }
            try
            {
                return await TrainFashionCommand.RunAsync(TrainFashionCommand.Parse(args[1..]), output, error).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{TrainFashionCommand.Usage}");
                return 2;
            }
        }
        if (args[0] == "install-kernel")
            return await InstallKernelCommand.MainAsync(args[1..], output, error).ConfigureAwait(false);
        if (args[0] == "train-generative")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(TrainGenerativeCommand.Usage);
                return 0;
            }
            try
            {
                return await TrainGenerativeCommand.RunAsync(TrainGenerativeCommand.Parse(args[1..]), output, error).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{TrainGenerativeCommand.Usage}");
                return 2;
            }
        }
        if (args[0] == "evaluate")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(EvaluateCommand.Usage);
                return 0;
            }
            try
            {
                return await EvaluateCommand.RunAsync(EvaluateCommand.Parse(args[1..]), output, error).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{EvaluateCommand.Usage}");
                return 2;
            }
        }
        if (args[0] == "train-live")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(TrainLiveCommand.Usage);
                return 0;
            }
            try
            {
                var live = TrainLiveCommand.Parse(args[1..]);
                // The budget counts from this process's start (start-up and data loading count).
                live.Started = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
                return await TrainLiveCommand.RunAsync(live, output, error).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{TrainLiveCommand.Usage}");
                return 2;
            }
        }
        if (args[0] == "train-classifier")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(TrainClassifierCommand.Usage);
                return 0;
            }
            try
            {
                return await TrainClassifierCommand.RunAsync(TrainClassifierCommand.Parse(args[1..]), output, error).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{TrainClassifierCommand.Usage}");
                return 2;
            }
        }
        if (args[0] == "translate")
        {
            if (args.Length > 1 && args[1] is "-h" or "--help")
            {
                output.WriteLine(TranslateCommand.Usage);
                return 0;
            }
            try
            {
                return TranslateCommand.Run(TranslateCommand.Parse(args[1..]), output, error);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"{e.Message}\n\n{TranslateCommand.Usage}");
                return 2;
            }
        }
        if (args[0] != "run")
        {
            error.WriteLine($"unknown command '{args[0]}'\n\n{Usage}");
            return 2;
        }
        RunCommandOptions options;
        try
        {
            options = Parse(args[1..]);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"{e.Message}\n\n{Usage}");
            return 2;
        }
        return await RunAsync(options, output, error).ConfigureAwait(false);
    }

    public static RunCommandOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunCommandOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--full": options.Full = true; break;
                case "--quick": options.Full = false; break;
                case "--notebooks": options.NotebooksDirectory = Value(); options.NotebooksGiven = true; break;
                case "--out": options.OutputDirectory = Value(); options.OutputGiven = true; break;
                case "--lang":
                    options.Language = Value();
                    if (options.Language != "en") Translation.Edition.For(options.Language);
                    break;
                case "--only": options.Only.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--continue": options.ContinueOnError = true; break;
                case "--title": options.Title = Value(); options.TitleGiven = true; break;
                case "--timeout":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                        throw new ArgumentException($"--timeout needs a positive number of seconds, not '{text}'");
                    options.Timeout = TimeSpan.FromSeconds(seconds);
                    break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }
        if (options.Language != "en")
        {
            var edition = Translation.Edition.For(options.Language);
            if (!options.NotebooksGiven) options.NotebooksDirectory = Path.Combine(options.NotebooksDirectory, edition.Folder);
            if (!options.OutputGiven) options.OutputDirectory = Path.Combine(options.OutputDirectory, edition.Folder);
            if (!options.TitleGiven) options.Title = edition.Title;
        }
        return options;
    }

    public static async Task<int> RunAsync(RunCommandOptions options, TextWriter output, TextWriter error)
    {
        var notebooksDirectory = Path.GetFullPath(options.NotebooksDirectory);
        if (!Directory.Exists(notebooksDirectory))
        {
            error.WriteLine($"no notebooks folder at {notebooksDirectory}");
            return 2;
        }
        var paths = Directory.GetFiles(notebooksDirectory, "*.ipynb")
            .Where(p => !Path.GetFileName(p).StartsWith('.'))
            .Where(p => options.Only.Count == 0 || options.Only.Any(o => Path.GetFileName(p).StartsWith(o, StringComparison.OrdinalIgnoreCase)
                                                                        || Path.GetFileName(p).Contains(o, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (paths.Count == 0)
        {
            error.WriteLine($"no notebooks to run in {notebooksDirectory}" + (options.Only.Count > 0 ? $" matching {string.Join(", ", options.Only)}" : ""));
            return 2;
        }

        var outDirectory = Path.GetFullPath(options.OutputDirectory);
        var executedDirectory = Path.Combine(outDirectory, "notebooks");
        Directory.CreateDirectory(executedDirectory);
        var mode = options.Full ? "full" : "quick";
        output.WriteLine($"Running {paths.Count} notebook(s) from {notebooksDirectory} in {mode} mode (COURSE_QUICK={(options.Full ? 0 : 1)})");

        // Ctrl-C: the course library stops the running operation at its next step (SIGINT); the
        // runner then ends after that cell and still writes what ran. A second Ctrl-C quits at once.
        using var stopRequested = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            // Quit explicitly: inside the kernel the course library absorbs SIGINT.
            if (stopRequested.IsCancellationRequested) Environment.Exit(130);
            stopRequested.Cancel();
            error.WriteLine("Stopping: the running operation stops at its next step; Ctrl-C again quits at once.");
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            return await RunLessonsAsync(options, paths, notebooksDirectory, executedDirectory, outDirectory, mode,
                stopRequested.Token, output, error).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    static async Task<int> RunLessonsAsync(RunCommandOptions options, List<string> paths, string notebooksDirectory,
        string executedDirectory, string outDirectory, string mode, CancellationToken stopRequested, TextWriter output, TextWriter error)
    {
        var total = Stopwatch.StartNew();
        var lessons = new List<CourseLesson>();
        var failed = false;
        var index = 0;
        foreach (var path in paths)
        {
            index++;
            var name = Path.GetFileName(path);
            output.WriteLine($"[{index}/{paths.Count}] {name}");
            NotebookRunResult result;
            try
            {
                result = await NotebookRunner.RunAsync(path, new NotebookRunOptions
                {
                    ContinueOnError = options.ContinueOnError,
                    Timeout = options.Timeout,
                    StopAfterCell = stopRequested,
                    Environment = new Dictionary<string, string?> { ["COURSE_QUICK"] = options.Full ? "0" : "1" },
                    Progress = p => output.WriteLine(
                        $"    cell {p.CodeCellNumber.ToString(CultureInfo.InvariantCulture).PadLeft(p.CodeCellCount.ToString(CultureInfo.InvariantCulture).Length)}/{p.CodeCellCount} " +
                        $"{(p.Succeeded ? "ok    " : "FAILED")} {Seconds(p.CellElapsed),8}   (notebook {Seconds(p.NotebookElapsed)})"),
                }).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                error.WriteLine($"    cannot read {name}: {e.Message}");
                failed = true;
                if (!options.ContinueOnError) break;
                continue;
            }
            var executedPath = Path.Combine(executedDirectory, name);
            result.Executed.Save(executedPath);
            lessons.Add(new CourseLesson(result.Executed, "notebooks/" + Uri.EscapeDataString(name), result));
            if (stopRequested.IsCancellationRequested)
            {
                error.WriteLine($"    stopped by Ctrl-C after {result.CellsRun} of {result.CodeCells} code cells");
                failed = true;
                break;
            }
            if (result.Succeeded)
            {
                output.WriteLine($"    done in {Seconds(result.Elapsed)}");
                continue;
            }
            failed = true;
            foreach (var failure in result.Failures)
                error.WriteLine($"    {name}: {failure}");
            if (!options.ContinueOnError)
            {
                error.WriteLine("Stopped at the first error (use --continue to run everything).");
                break;
            }
        }

        var katexBase = CopyLocalKatex(outDirectory, notebooksDirectory);
        var page = CoursePage.Render(lessons, LanguagePage.Options(options.Language, notebooksDirectory, new CoursePageOptions
        {
            Title = options.Title,
            Subtitle = options.Language == "ja"
                ? $"{DateTime.Now:yyyy-MM-dd HH:mm} に{(options.Full ? "フル" : "クイック")}モードで実行 · {lessons.Count} レッスン · {Seconds(total.Elapsed)}"
                : $"Executed {DateTime.Now:yyyy-MM-dd HH:mm} in {mode} mode · {lessons.Count} lesson(s) · {Seconds(total.Elapsed)}",
            KatexBase = katexBase ?? new CoursePageOptions().KatexBase,
            PlotlyScript = PlotlyScript.CopyNextTo(outDirectory, notebooksDirectory),
        }));
        var coursePath = Path.Combine(outDirectory, "course.html");
        var temp = coursePath + ".tmp";
        await File.WriteAllTextAsync(temp, page).ConfigureAwait(false);
        File.Move(temp, coursePath, overwrite: true);

        output.WriteLine();
        output.WriteLine($"{(failed ? "Finished with errors" : "All notebooks ran")} in {Seconds(total.Elapsed)}.");
        output.WriteLine($"  executed notebooks: {executedDirectory}");
        output.WriteLine($"  course page:        {coursePath}");
        return failed ? 1 : 0;
    }

    /// <summary>Uses a local KaTeX (from <c>npm install katex</c>) when there is one, so the page renders
    /// maths offline; returns its base URL relative to the page, or null to use the CDN.</summary>
    private static string? CopyLocalKatex(string outDirectory, string notebooksDirectory)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), notebooksDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var dist = Path.Combine(dir.FullName, "node_modules", "katex", "dist");
                if (!File.Exists(Path.Combine(dist, "katex.min.js")) || !File.Exists(Path.Combine(dist, "contrib", "auto-render.min.js"))) continue;
                var target = Path.Combine(outDirectory, "katex");
                foreach (var file in new[] { "katex.min.js", "katex.min.css", Path.Combine("contrib", "auto-render.min.js") })
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, file))!);
                    File.Copy(Path.Combine(dist, file), Path.Combine(target, file), overwrite: true);
                }
                var fonts = Path.Combine(dist, "fonts");
                if (Directory.Exists(fonts))
                {
                    Directory.CreateDirectory(Path.Combine(target, "fonts"));
                    foreach (var font in Directory.GetFiles(fonts, "*.woff2"))
                        File.Copy(font, Path.Combine(target, "fonts", Path.GetFileName(font)), overwrite: true);
                }
                return "katex/";
            }
        }
        return null;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 60
        ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : $"{(int)t.TotalMinutes} min {t.Seconds:00} s";
}

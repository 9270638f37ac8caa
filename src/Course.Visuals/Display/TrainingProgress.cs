using System.Diagnostics;
using System.Globalization;
using Course.Visuals.Display;
using Course.Visuals.Rendering;

namespace Course.Visuals;

/// <summary>
/// A training-progress display: bar, loss sparkline, steps per second and time left. It only holds
/// state; a notebook shows it once and refreshes that output in place:
/// <code>
/// var progress = new TrainingProgress(steps);
/// var shown = display(progress);
/// for (int i = 0; i &lt; steps; i++) { ...; if (i % 50 == 0) shown.Update(progress.Report(i + 1, loss)); }
/// </code>
/// A run limited by time instead of steps (<see cref="TrainingProgress(TimeSpan, string, Func{TimeSpan}?)"/>)
/// fills the bar with the time used and counts down the time left.
/// </summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "image/png" })]
public sealed class TrainingProgress : IVisual
{
    private readonly Func<TimeSpan> _clock;
    private readonly List<double> _losses = new();
    private readonly List<(int Step, TimeSpan Time)> _marks = new();

    public int TotalSteps { get; }
    /// <summary>The time the run may take, for a run limited by time; null for one limited by steps.</summary>
    public TimeSpan? Budget { get; }
    public string Title { get; }
    public int Step { get; private set; }
    public IReadOnlyList<double> Losses => _losses;
    public TimeSpan Elapsed => _clock();
    public bool Finished { get; private set; }

    /// <param name="clock">Time since start; a stopwatch by default (tests pass their own).</param>
    public TrainingProgress(int totalSteps, string? title = null, Func<TimeSpan>? clock = null)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), LearnerMessages.TotalStepsPositive);
        TotalSteps = totalSteps;
        Title = title ?? LearnerMessages.ProgressTitle;
        if (clock is null) { var sw = Stopwatch.StartNew(); clock = () => sw.Elapsed; }
        _clock = clock;
        _marks.Add((0, TimeSpan.Zero));
    }

    /// <summary>A run that ends when <paramref name="budget"/> of time is used (e.g. a trainer's time budget).</summary>
    /// <param name="clock">Time used so far; a stopwatch by default. Pass the trainer's own training time so that
    /// pauses (drawing samples) do not count.</param>
    public TrainingProgress(TimeSpan budget, string? title = null, Func<TimeSpan>? clock = null) : this(int.MaxValue, title, clock)
    {
        if (!(budget > TimeSpan.Zero)) throw new ArgumentOutOfRangeException(nameof(budget), budget, LearnerMessages.BudgetPositive);
        Budget = budget;
    }

    /// <summary>Records that <paramref name="step"/> steps are done, with the latest loss; returns this for display(...).Update(...).</summary>
    public TrainingProgress Report(int step, double? loss = null)
    {
        Step = Math.Clamp(step, 0, TotalSteps);
        if (loss is { } l) _losses.Add(l);
        _marks.Add((Step, _clock()));
        if (_marks.Count > 64) _marks.RemoveAt(1); // keep the start and a recent window
        if (Step >= TotalSteps || Budget is { } b && _marks[^1].Time >= b) Finished = true;
        return this;
    }

    /// <summary>One more step done.</summary>
    public TrainingProgress Report(double loss) => Report(Step + 1, loss);

    public TrainingProgress Finish() { Finished = true; _marks.Add((Step, _clock())); return this; }

    /// <summary>How much of the run is done: steps, or for a time budget the time used.</summary>
    public double Fraction => Budget is { } b ? Math.Clamp(Elapsed / b, 0, 1) : (double)Step / TotalSteps;

    /// <summary>Recent speed (over the last reports), steps per second.</summary>
    public double StepsPerSecond
    {
        get
        {
            var (s0, t0) = _marks[Math.Max(0, _marks.Count - 20)];
            var (s1, t1) = _marks[^1];
            double dt = (t1 - t0).TotalSeconds;
            return dt > 0 ? (s1 - s0) / dt : 0;
        }
    }

    public TimeSpan? Eta
    {
        get
        {
            if (Finished) return null;
            if (Budget is { } b) return b > Elapsed ? b - Elapsed : TimeSpan.Zero;
            double sps = StepsPerSecond;
            return sps > 0 ? TimeSpan.FromSeconds((TotalSteps - Step) / sps) : null;
        }
    }

    /// <summary>The loss now, smoothed: the mean of the latest tenth of the reports (1 to 20 of them),
    /// so it follows a loss that is still falling instead of averaging the whole run.</summary>
    public double? SmoothedLoss
    {
        get
        {
            if (_losses.Count == 0) return null;
            int window = Math.Clamp(_losses.Count / 10, 1, 20);
            return _losses.Skip(_losses.Count - window).Average();
        }
    }

    private string Count() => Budget is { } b
        ? LearnerMessages.StepOfBudget(Step.ToString(CultureInfo.InvariantCulture), Clock(Elapsed), Clock(b))
        : $"{Step}/{TotalSteps}";

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");

    private string Stats()
    {
        var parts = new List<string>();
        if (SmoothedLoss is { } l) parts.Add(LearnerMessages.Loss(l.ToString(Math.Abs(l) >= 100 ? "0.0" : "0.0000", CultureInfo.InvariantCulture)));
        double sps = StepsPerSecond;
        if (sps > 0) parts.Add(LearnerMessages.StepsPerSecond(sps >= 100 ? sps.ToString("0", CultureInfo.InvariantCulture) : sps.ToString("0.0", CultureInfo.InvariantCulture)));
        parts.Add(Finished ? LearnerMessages.DoneIn(Clock(Elapsed)) : Eta is { } eta ? (Budget is null ? LearnerMessages.Eta(Clock(eta)) : LearnerMessages.TimeLeft(Clock(eta))) : LearnerMessages.Elapsed(Clock(Elapsed)));
        return string.Join("  ·  ", parts);
    }

    public override string ToString()
    {
        int filled = (int)Math.Round(Fraction * 30);
        return $"{Title} [{new string('#', filled)}{new string('.', 30 - filled)}] {Count()} {Fraction * 100:0}%  {Stats()}";
    }

    internal Scene ToScene()
    {
        const int W = 560, H = 92;
        var s = new Scene(W, H);
        var accent = Palette.Pick(0);
        var done = Palette.Pick(4);
        s.Add(new TextMark(12, 22, Title, 14, Style.Text, Class: "progress-title"));
        string count = (Budget is null ? $"{Step:N0} / {TotalSteps:N0}  ({Fraction * 100:0}%)"
            : LearnerMessages.StepAndTimeOfBudget($"{Step:N0}", Clock(Elapsed), Clock(Budget.Value))).Replace('\u00a0', ' ');
        s.Add(new TextMark(W - 12, 22, count, 12, Style.TickText, TextAnchor.End, Class: "progress-count"));
        double bx0 = 12, bx1 = W - 12, by = 34;
        s.Add(new RectMark(bx0, by, bx1 - bx0, 10, "#e6e6e6", Class: "progress-track"));
        if (Step > 0) s.Add(new RectMark(bx0, by, (bx1 - bx0) * Fraction, 10, Finished ? done : accent, Class: "progress-bar"));
        s.Add(new TextMark(12, 78, Stats(), 12, Style.Text, Class: "progress-stats"));
        // loss sparkline on the right, bucket-averaged to at most 160 points
        if (_losses.Count >= 2)
        {
            double sx0 = W - 12 - 200, sx1 = W - 12, sy0 = 54, sy1 = 86;
            int n = Math.Min(_losses.Count, 160);
            var pts = new double[n];
            for (int i = 0; i < n; i++)
            {
                int a = (int)((long)i * _losses.Count / n), b = Math.Max(a + 1, (int)((long)(i + 1) * _losses.Count / n));
                double sum = 0; int c = 0;
                for (int k = a; k < b; k++) if (double.IsFinite(_losses[k])) { sum += _losses[k]; c++; }
                pts[i] = c > 0 ? sum / c : double.NaN;
            }
            var finite = pts.Where(double.IsFinite).ToArray();
            if (finite.Length >= 2)
            {
                double lo = finite.Min(), hi = finite.Max();
                if (hi <= lo) { hi = lo + 1; }
                var line = pts.Select((v, i) => (sx0 + (sx1 - sx0) * i / (n - 1), sy1 - (v - lo) / (hi - lo) * (sy1 - sy0))).ToList();
                s.Add(new PathMark(line, accent, 1.5, Class: "progress-sparkline"));
            }
        }
        return s;
    }

    public RgbaImage Render(double scale = 1) => SceneRasterizer.Render(ToScene(), scale);
    public string ToSvg() => SvgWriter.Write(ToScene());
    public string ToPlotlyHtml(PlotlyOptions? options = null) => ToSvg();
    public void Save(string path, double scale = 1) => Saving.SaveRaster(this, path, scale);
}

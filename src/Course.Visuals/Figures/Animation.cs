using Course.Interrupts;
using Course.Visuals.Display;
using Course.Visuals.Rendering;
using Microsoft.FSharp.Collections;
using Newtonsoft.Json;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using PlotlyFigure = Plotly.NET.Figure;
using Scene = Course.Visuals.Rendering.Scene;

namespace Course.Visuals;

/// <summary>
/// Frames over a parameter (t in the forward or reverse process): a GIF, or interactive plotly.js
/// (through Plotly.NET) with a slider and play button. Axes are fixed across frames so nothing jumps.
/// <code>
/// var anim = Animation.Of(new[] { 0, 250, 500, 999 }, t => Figure.ImageGrid(Noised(x0, t)), "t");
/// anim.Save("forward.gif");
/// </code>
/// </summary>
[TypeFormatterSource(typeof(VisualsFormatterSource), PreferredMimeTypes = new[] { "image/gif", "image/png" })]
public sealed class Animation : IVisual
{
    private const double SliderBand = 64;
    private readonly List<(string Label, Figure Frame)> _frames = new();
    private List<((double, double), (double, double))>? _ranges;

    public string ParameterName { get; }
    public IReadOnlyList<(string Label, Figure Frame)> Frames => _frames;
    public int FrameDelayMs { get; private set; } = 150;
    /// <summary>Extra pause on the last frame of the GIF, so the result can be seen.</summary>
    public int FinalPauseMs { get; private set; } = 1200;
    public int? LoopCount { get; private set; } = 0;
    /// <summary>Which frame stands for the animation in a still picture (default: the last).</summary>
    public int? StillFrame { get; private set; }

    public Animation(string parameterName = "t") => ParameterName = parameterName;

    /// <summary>One frame per parameter value. Stopping the cell (or cancelling the token) stops it
    /// before the next frame, with <see cref="OperationStoppedException"/>.</summary>
    public static Animation Of<T>(IEnumerable<T> values, Func<T, Figure> frame, string parameterName = "t", Func<T, string>? label = null,
        CancellationToken cancellationToken = default)
    {
        var a = new Animation(parameterName);
        var all = values as IReadOnlyCollection<T> ?? values.ToList();
        using var stop = StopRequest.Watch(cancellationToken);
        foreach (var v in all)
        {
            if (stop.IsRequested)
                throw stop.Stopped(LearnerMessages.AnimationStopped(a._frames.Count, all.Count));
            a.Frame(frame(v), label?.Invoke(v) ?? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
        return a;
    }

    public Animation Frame(Figure figure, string label)
    {
        if (_frames.Count > 0 && (figure.Width != _frames[0].Frame.Width || figure.Height != _frames[0].Frame.Height))
            throw new ArgumentException(LearnerMessages.FrameSize(_frames[0].Frame.Width, _frames[0].Frame.Height));
        if (_frames.Count > 0 && figure.Panels.Count != _frames[0].Frame.Panels.Count)
            throw new ArgumentException("All frames must have the same panels.");
        _frames.Add((label, figure));
        _ranges = null;
        return this;
    }

    public Animation Delay(int milliseconds) { FrameDelayMs = Math.Clamp(milliseconds, 10, 60000); return this; }
    public Animation FinalPause(int milliseconds) { FinalPauseMs = Math.Clamp(milliseconds, 0, 60000); return this; }
    /// <summary>0 loops forever (default); null plays once; n is the GIF loop count (ImageSharp writes none for 1, so 1 plays once too).</summary>
    public Animation Loop(int? count) { LoopCount = count; return this; }
    public Animation Still(int frameIndex) { StillFrame = frameIndex; return this; }

    private void RequireFrames()
    {
        if (_frames.Count == 0) throw new InvalidOperationException(LearnerMessages.NoFrames);
    }

    // union of every frame's automatic ranges, per panel
    private List<((double, double), (double, double))> Ranges()
    {
        if (_ranges is not null) return _ranges;
        RequireFrames();
        var layouts = _frames.Select(f => new FigureLayout(f.Frame, SliderBand).Compute()).ToList();
        _ranges = new();
        for (int k = 0; k < layouts[0].Panels.Count; k++)
        {
            double x0 = layouts.Min(l => l.Panels[k].X.Min), x1 = layouts.Max(l => l.Panels[k].X.Max);
            double y0 = layouts.Min(l => l.Panels[k].Y.Min), y1 = layouts.Max(l => l.Panels[k].Y.Max);
            _ranges.Add(((x0, x1), (y0, y1)));
        }
        return _ranges;
    }

    private FigureLayout LayoutOf(int i) => new FigureLayout(_frames[i].Frame, SliderBand) { FixedRanges = Ranges() }.Compute();

    internal Scene FrameScene(int i)
    {
        var layout = LayoutOf(i);
        var s = layout.Build();
        DrawSlider(s, layout, i);
        return s;
    }

    private void DrawSlider(Scene s, FigureLayout layout, int index)
    {
        double H = layout.Height, y = H - SliderBand / 2 - 2;
        string label = $"{ParameterName} = {_frames[index].Label}";
        double labelW = Math.Max(Scene.MeasureText(label, Style.LabelSize), _frames.Max(f => Scene.MeasureText($"{ParameterName} = {f.Label}", Style.LabelSize)));
        double x0 = layout.GridLeft + 8 + labelW + 16, x1 = layout.GridRight - 12;
        s.Add(new TextMark(layout.GridLeft + 8, y + Style.LabelSize * 0.36, label, Style.LabelSize, Style.Text, Class: "slider-label"));
        if (x1 - x0 < 40) return;
        s.Add(new PathMark([(x0, y), (x1, y)], "#d4d4d4", 4, Class: "slider-track"));
        double Pos(int k) => _frames.Count == 1 ? x0 : x0 + (x1 - x0) * k / (_frames.Count - 1);
        s.Add(new PathMark([(x0, y), (Pos(index), y)], Palette.Pick(0), 4, Class: "slider-fill"));
        if (_frames.Count <= 60)
            for (int k = 0; k < _frames.Count; k++) s.Add(new CircleMark(Pos(k), y, 1.6, k <= index ? Color.White : (Color)"#a0a0a0", Class: "slider-tick"));
        s.Add(new CircleMark(Pos(index), y, 7, Color.White, Palette.Pick(0), 2, Class: "slider-knob"));
        s.Add(new TextMark(x0, y + 22, _frames[0].Label, Style.TickSize, Style.TickText, TextAnchor.Middle, Class: "slider-end"));
        s.Add(new TextMark(x1, y + 22, _frames[^1].Label, Style.TickSize, Style.TickText, TextAnchor.Middle, Class: "slider-end"));
    }

    /// <summary>Every frame rasterized, in order.</summary>
    public IEnumerable<RgbaImage> RenderFrames(double scale = 1)
    {
        RequireFrames();
        for (int i = 0; i < _frames.Count; i++) yield return SceneRasterizer.Render(FrameScene(i), scale);
    }

    /// <summary>The animated GIF. Stopping the cell stops it before the next frame is drawn.</summary>
    public byte[] ToGif(double scale = 1)
    {
        RequireFrames();
        var frames = new List<RgbaImage>(_frames.Count);
        using (var stop = StopRequest.Watch())
            for (int i = 0; i < _frames.Count; i++)
            {
                if (stop.IsRequested)
                    throw stop.Stopped(LearnerMessages.GifStopped(i, _frames.Count));
                frames.Add(SceneRasterizer.Render(FrameScene(i), scale));
            }
        var delays = Enumerable.Repeat(FrameDelayMs, frames.Count).ToArray();
        delays[^1] += FinalPauseMs;
        return ImageFiles.Gif(frames, delays, LoopCount);
    }

    private int StillIndex => Math.Clamp(StillFrame ?? _frames.Count - 1, 0, Math.Max(0, _frames.Count - 1));

    public RgbaImage Render(double scale = 1) { RequireFrames(); return SceneRasterizer.Render(FrameScene(StillIndex), scale); }

    public string ToSvg() { RequireFrames(); return SvgWriter.Write(FrameScene(StillIndex)); }

    /// <summary>The animation as Plotly.NET's figure type: the first frame's traces and layout, a slider
    /// and play/pause buttons, and one frame per parameter value. (A Plotly.NET GenericChart holds no
    /// frames; its Figure does.)</summary>
    public PlotlyFigure ToPlotly()
    {
        RequireFrames();
        var first = LayoutOf(0);
        var layout = PlotlyChart.Layout(_frames[0].Frame, first);
        var frames = new List<Frame>();
        for (int i = 0; i < _frames.Count; i++)
        {
            var frame = new Frame().With("name", _frames[i].Label).With("data", PlotlyChart.Data(i == 0 ? first : LayoutOf(i)));
            if (_frames[i].Frame.TitleText is { } t)
                frame.With("layout", new Layout().With("title", new Title().With("text", string.Join("<br>", FigureLayout.FitFigureTitle(t, first.Width).Lines))));
            frames.Add(frame);
        }
        double W = first.Width, H = first.Height;
        var immediate = new Dictionary<string, object?>
        {
            ["mode"] = "immediate", ["frame"] = new Dictionary<string, object> { ["duration"] = 0, ["redraw"] = true },
            ["transition"] = new Dictionary<string, object> { ["duration"] = 0 },
        };
        var steps = _frames.Select(f => new SliderStep().With("label", f.Label).With("method", "animate").With("args", new object?[] { new[] { f.Label }, immediate })).ToList();
        layout.With("sliders", new[]
        {
            new Slider().With("active", 0).With("steps", steps).With("x", (first.GridLeft + 100) / W).With("len", (first.GridRight - first.GridLeft - 110) / W)
                .With("y", (SliderBand - 4) / H).With("yanchor", "top").With("pad", new Dictionary<string, object> { ["t"] = 0, ["b"] = 0 })
                .With("currentvalue", new Dictionary<string, object> { ["prefix"] = ParameterName + " = ", ["visible"] = true, ["xanchor"] = "left", ["font"] = new Dictionary<string, object> { ["size"] = Style.LabelSize } })
                .With("ticklen", 3).With("font", new Dictionary<string, object> { ["size"] = 10 }),
        });
        var play = new UpdateMenuButton().With("label", "▶").With("method", "animate").With("args", new object?[]
        {
            null, new Dictionary<string, object>
            {
                ["fromcurrent"] = true, ["frame"] = new Dictionary<string, object> { ["duration"] = FrameDelayMs, ["redraw"] = true },
                ["transition"] = new Dictionary<string, object> { ["duration"] = 0 },
            },
        });
        var pause = new UpdateMenuButton().With("label", "❚❚").With("method", "animate").With("args", new object?[]
        {
            new object?[] { null }, new Dictionary<string, object> { ["mode"] = "immediate", ["frame"] = new Dictionary<string, object> { ["duration"] = 0, ["redraw"] = false } },
        });
        layout.With("updatemenus", new[]
        {
            new UpdateMenu().With("type", "buttons").With("showactive", false).With("direction", "left")
                .With("x", first.GridLeft / W).With("y", (SliderBand - 22) / H).With("xanchor", "left").With("yanchor", "top")
                .With("pad", new Dictionary<string, object> { ["t"] = 0, ["r"] = 4 }).With("buttons", new[] { play, pause }),
        });
        return new PlotlyFigure(ListModule.OfSeq(PlotlyChart.Data(first)), layout, ListModule.OfSeq(frames));
    }

    /// <summary>plotly.js figure JSON with frames, a slider and play/pause buttons, written by Plotly.NET's serializer.</summary>
    public string ToPlotlyJson() => JsonConvert.SerializeObject(ToPlotly(), Globals.JSON_CONFIG);

    // the figure object that plotly.js's newPlot accepts whole, with the course's chart config
    private string FigureWithConfig()
    {
        var json = ToPlotlyJson();
        return json[..json.LastIndexOf('}')] + ",\"config\":" + JsonConvert.SerializeObject(PlotlyChart.Config(), Globals.JSON_CONFIG) + "}";
    }

    public string ToPlotlyHtml(PlotlyOptions? options = null) => PlotlyHtml.FigureFragment(FigureWithConfig(), options);

    /// <summary>A standalone HTML page with the interactive animation.</summary>
    public string ToHtmlPage(PlotlyOptions? options = null)
    {
        RequireFrames();
        return PlotlyHtml.FigurePage(FigureWithConfig(), options, _frames[0].Frame.TitleText ?? "animation");
    }

    public InteractiveView Interactive(PlotlyOptions? options = null) => new(this, options);

    /// <summary>Saves by extension: .gif (animated), .html (interactive), .json, or .png/.svg (the still frame).</summary>
    public void Save(string path, double scale = 1)
    {
        switch (Saving.Ext(path))
        {
            case ".gif": Saving.Write(path, ToGif(scale)); break;
            case ".html" or ".htm": Saving.WriteText(path, ToHtmlPage()); break;
            case ".json": Saving.WriteText(path, ToPlotlyJson()); break;
            case ".png": Saving.Write(path, Render(scale).ToPng()); break;
            case ".svg": Saving.WriteText(path, ToSvg()); break;
            default: throw Saving.Unknown(path);
        }
    }

    public override string ToString() => LearnerMessages.AnimationDescription(ParameterName, _frames.Count);
}

using System.Text.Json.Nodes;
using Course.Visuals.Display;
using Course.Visuals.Rendering;

namespace Course.Visuals;

/// <summary>
/// Frames over a parameter (t in the forward or reverse process): a GIF, or interactive plotly.js
/// with a slider and play button. Axes are fixed across frames so nothing jumps.
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

    /// <summary>One frame per parameter value.</summary>
    public static Animation Of<T>(IEnumerable<T> values, Func<T, Figure> frame, string parameterName = "t", Func<T, string>? label = null)
    {
        var a = new Animation(parameterName);
        foreach (var v in values) a.Frame(frame(v), label?.Invoke(v) ?? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return a;
    }

    public Animation Frame(Figure figure, string label)
    {
        if (_frames.Count > 0 && (figure.Width != _frames[0].Frame.Width || figure.Height != _frames[0].Frame.Height))
            throw new ArgumentException($"All frames must have the first frame's size {_frames[0].Frame.Width}x{_frames[0].Frame.Height}.");
        if (_frames.Count > 0 && figure.Panels.Count != _frames[0].Frame.Panels.Count)
            throw new ArgumentException("All frames must have the same panels.");
        _frames.Add((label, figure));
        _ranges = null;
        return this;
    }

    public Animation Delay(int milliseconds) { FrameDelayMs = Math.Clamp(milliseconds, 10, 60000); return this; }
    public Animation FinalPause(int milliseconds) { FinalPauseMs = Math.Clamp(milliseconds, 0, 60000); return this; }
    /// <summary>0 loops forever (default); null plays once.</summary>
    public Animation Loop(int? count) { LoopCount = count; return this; }
    public Animation Still(int frameIndex) { StillFrame = frameIndex; return this; }

    private void RequireFrames()
    {
        if (_frames.Count == 0) throw new InvalidOperationException("The animation has no frames; add some with Frame(...) or Animation.Of(...).");
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

    public byte[] ToGif(double scale = 1)
    {
        var frames = RenderFrames(scale).ToList();
        var delays = Enumerable.Repeat(FrameDelayMs, frames.Count).ToArray();
        delays[^1] += FinalPauseMs;
        return GifEncoder.Encode(frames, delays, LoopCount);
    }

    private int StillIndex => Math.Clamp(StillFrame ?? _frames.Count - 1, 0, Math.Max(0, _frames.Count - 1));

    public RgbaImage Render(double scale = 1) { RequireFrames(); return SceneRasterizer.Render(FrameScene(StillIndex), scale); }

    public string ToSvg() { RequireFrames(); return SvgWriter.Write(FrameScene(StillIndex)); }

    /// <summary>plotly.js figure with frames, a slider and play/pause buttons.</summary>
    public string ToPlotlyJson()
    {
        RequireFrames();
        var first = LayoutOf(0);
        var fig = PlotlyWriter.Figure(_frames[0].Frame, first);
        var frames = new JsonArray();
        for (int i = 0; i < _frames.Count; i++)
        {
            var frame = new JsonObject { ["name"] = _frames[i].Label, ["data"] = PlotlyWriter.Data(i == 0 ? first : LayoutOf(i)) };
            if (_frames[i].Frame.TitleText is { } t) frame["layout"] = new JsonObject { ["title"] = new JsonObject { ["text"] = string.Join("<br>", FigureLayout.FitFigureTitle(t, first.Width).Lines) } };
            frames.Add(frame);
        }
        fig["frames"] = frames;
        var layout = (JsonObject)fig["layout"]!;
        double W = first.Width, H = first.Height;
        var steps = new JsonArray();
        foreach (var (label, _) in _frames)
            steps.Add(new JsonObject
            {
                ["label"] = label, ["method"] = "animate",
                ["args"] = new JsonArray(new JsonArray(label), new JsonObject
                {
                    ["mode"] = "immediate", ["frame"] = new JsonObject { ["duration"] = 0, ["redraw"] = true },
                    ["transition"] = new JsonObject { ["duration"] = 0 },
                }),
            });
        double sliderX = (first.GridLeft + 100) / W;
        layout["sliders"] = new JsonArray(new JsonObject
        {
            ["active"] = 0, ["steps"] = steps, ["x"] = sliderX, ["len"] = (first.GridRight - first.GridLeft - 110) / W,
            ["y"] = (SliderBand - 4) / H, ["yanchor"] = "top", ["pad"] = new JsonObject { ["t"] = 0, ["b"] = 0 },
            ["currentvalue"] = new JsonObject { ["prefix"] = ParameterName + " = ", ["visible"] = true, ["xanchor"] = "left", ["font"] = new JsonObject { ["size"] = Style.LabelSize } },
            ["ticklen"] = 3, ["font"] = new JsonObject { ["size"] = 10 },
        });
        layout["updatemenus"] = new JsonArray(new JsonObject
        {
            ["type"] = "buttons", ["showactive"] = false, ["direction"] = "left",
            ["x"] = first.GridLeft / W, ["y"] = (SliderBand - 22) / H, ["xanchor"] = "left", ["yanchor"] = "top",
            ["pad"] = new JsonObject { ["t"] = 0, ["r"] = 4 },
            ["buttons"] = new JsonArray(
                new JsonObject
                {
                    ["label"] = "▶", ["method"] = "animate",
                    ["args"] = new JsonArray(null, new JsonObject
                    {
                        ["fromcurrent"] = true, ["frame"] = new JsonObject { ["duration"] = FrameDelayMs, ["redraw"] = true },
                        ["transition"] = new JsonObject { ["duration"] = 0 },
                    }),
                },
                new JsonObject
                {
                    ["label"] = "❚❚", ["method"] = "animate",
                    ["args"] = new JsonArray(new JsonArray((JsonNode?)null), new JsonObject
                    {
                        ["mode"] = "immediate", ["frame"] = new JsonObject { ["duration"] = 0, ["redraw"] = false },
                    }),
                }),
        });
        return fig.ToJsonString(PlotlyWriter.Options);
    }

    public string ToPlotlyHtml(PlotlyOptions? options = null) => PlotlyHtml.Fragment(ToPlotlyJson(), options);

    /// <summary>A standalone HTML page with the interactive animation.</summary>
    public string ToHtmlPage(PlotlyOptions? options = null)
    {
        RequireFrames();
        var f = _frames[0].Frame;
        return PlotlyHtml.Page(ToPlotlyJson(), options, f.TitleText ?? "animation", f.Width, f.Height);
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

    public override string ToString() => $"animation over {ParameterName}: {_frames.Count} frames";
}

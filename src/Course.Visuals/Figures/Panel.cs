namespace Course.Visuals;

/// <summary>One set of axes in a figure's grid, with its traces and axis settings.</summary>
public sealed class Panel
{
    public List<Trace> Traces { get; } = new();
    public string? Title { get; internal set; }
    public string? XLabel { get; internal set; }
    public string? YLabel { get; internal set; }
    public (double Min, double Max)? XRange { get; internal set; }
    public (double Min, double Max)? YRange { get; internal set; }
    public bool LogX { get; internal set; }
    public bool LogY { get; internal set; }
    /// <summary>One data unit is as long on x as on y (images, vector fields).</summary>
    public bool EqualAspect { get; internal set; }
    public bool AxesVisible { get; internal set; } = true;
    /// <summary>y grows downwards (images).</summary>
    public bool ReverseY { get; internal set; }
    public bool Grid { get; internal set; } = true;
}

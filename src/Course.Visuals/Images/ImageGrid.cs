namespace Course.Visuals;

public sealed partial class Figure
{
    /// <summary>
    /// A grid of pictures with optional labels, sized so each image pixel is a whole number of screen
    /// pixels. <code>Figure.ImageGrid(samples, columns: 8, title: "64 samples").Save("samples.png");</code>
    /// </summary>
    /// <param name="images">The batch ([N,C,H,W] etc.; values in [-1,1], [0,1] or [0,255]).</param>
    /// <param name="labels">One caption per image, drawn above it.</param>
    /// <param name="columns">Images per row; by default one row for up to 10 images, else a square-ish grid.</param>
    /// <param name="zoom">Screen pixels per image pixel; by default tiles come out about 64-96 pixels wide.</param>
    public static Figure ImageGrid(ImageBatch images, IReadOnlyList<string>? labels = null, int? columns = null,
        string? title = null, int? zoom = null)
        => ImageGrid(images.ToImages().ToList(), labels, columns, title, zoom);

    public static Figure ImageGrid(IReadOnlyList<RgbaImage> images, IReadOnlyList<string>? labels = null, int? columns = null,
        string? title = null, int? zoom = null)
    {
        int n = images.Count;
        if (n == 0) throw new ArgumentException("An image grid needs at least one image.");
        if (labels is not null && labels.Count != n) throw new ArgumentException(LearnerMessages.LabelsPerImage(n, labels.Count));
        int cols = Math.Clamp(columns ?? (n <= 10 ? n : (int)Math.Ceiling(Math.Sqrt(n))), 1, n);
        int rows = (n + cols - 1) / cols;
        int w = images.Max(i => i.Width), h = images.Max(i => i.Height);
        int z = zoom ?? Math.Max(1, (int)Math.Round((n <= 10 ? 96.0 : 64.0) / Math.Max(w, h)));
        bool captions = labels is not null;
        const int Gap = 4;
        int cellW = w * z + 4 + Gap, cellH = h * z + 4 + Gap + (captions ? (int)Rendering.Style.PanelTitleSize + 6 : 0);
        // keep captions readable: widen cells when the longest label is wider than a tile
        if (captions)
        {
            double longest = labels!.Max(l => Rendering.Scene.MeasureText(l, Rendering.Style.PanelTitleSize));
            cellW = Math.Max(cellW, (int)Math.Ceiling(longest) + 8);
        }
        int width = Math.Max(60, 2 * ((int)Rendering.Style.Pad - 4) + cols * cellW);
        // a title wider than the grid wraps; the figure grows by the lines it takes
        int top = (int)Rendering.Style.Pad - 2 + (int)Math.Ceiling(Rendering.Style.TitleReserve(
            title is null ? null : Rendering.FigureLayout.FitFigureTitle(title, Math.Min(width, 8000))));
        int height = Math.Max(50, top + ((int)Rendering.Style.Pad - 4) + rows * cellH);
        var fig = new Figure(Math.Min(width, 8000), Math.Min(height, 8000)).Title(title).Legend(false);
        if (rows * cols > 1) fig.Subplots(rows, cols);
        for (int i = 0; i < n; i++)
            fig.At(i).Image(images[i], labels?[i]);
        for (int i = n; i < rows * cols; i++) fig.At(i).HideAxes();
        return fig.At(0);
    }
}

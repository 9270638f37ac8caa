using Course.Visuals.Display;

namespace Course.Visuals;

/// <summary>Save-by-extension for every visual.</summary>
internal static class Saving
{
    public static void Save(Figure f, string path, double scale)
    {
        switch (Ext(path))
        {
            case ".png": Write(path, f.ToPng(scale)); break;
            case ".svg": WriteText(path, f.ToSvg()); break;
            case ".html" or ".htm": WriteText(path, f.ToHtmlPage()); break;
            case ".json": WriteText(path, f.ToPlotlyJson()); break;
            case ".gif": Write(path, ImageFiles.Gif(f.ToImage(scale))); break;
            default: throw Unknown(path);
        }
    }

    public static void SaveRaster(IVisual v, string path, double scale)
    {
        switch (Ext(path))
        {
            case ".png": Write(path, v.Render(scale).ToPng()); break;
            case ".svg": WriteText(path, v.ToSvg()); break;
            case ".gif": Write(path, ImageFiles.Gif(v.Render(scale))); break;
            case ".html" or ".htm": WriteText(path, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + v.ToPlotlyHtml() + "\n</body></html>\n"); break;
            default: throw Unknown(path);
        }
    }

    internal static string Ext(string path) => Path.GetExtension(path).ToLowerInvariant();

    internal static Exception Unknown(string path) =>
        new ArgumentException($"Cannot tell the format of '{path}': use .png, .svg, .gif, .html or .json.");

    // write to a temporary file, then rename, so a crash never leaves half a file
    internal static void Write(string path, byte[] data)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(tmp, data);
        File.Move(tmp, full, overwrite: true);
    }

    internal static void WriteText(string path, string text) => Write(path, new System.Text.UTF8Encoding(false).GetBytes(text));
}

namespace Course.Data;

/// <summary>Where data sets live on this machine.</summary>
public static class DatasetPaths
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>The environment variable that overrides <see cref="CacheRoot"/>.</summary>
    public const string CacheRootVariable = "COURSE_DATASETS";

    /// <summary>
    /// The folder the downloader writes to and the loaders look in (one sub-folder per data set):
    /// $COURSE_DATASETS if set, else $XDG_CACHE_HOME/course-diffusion/datasets, else
    /// ~/.cache/course-diffusion/datasets.
    /// </summary>
    public static string CacheRoot
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(CacheRootVariable);
            if (!string.IsNullOrWhiteSpace(overridden)) return overridden;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cache = !string.IsNullOrWhiteSpace(xdg) ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "course-diffusion", "datasets");
        }
    }
}

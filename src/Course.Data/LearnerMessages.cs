using System.Globalization;
using Course.Interrupts;

namespace Course.Data;

/// <summary>
/// What Course.Data writes for a learner, in the language of <see cref="LearnerLanguage"/> (English or Japanese):
/// the stop line of a download, a data set that is not installed, a toy data set's unknown name. Both texts of a
/// message carry the same numbers, paths and identifiers.
/// </summary>
internal static class LearnerMessages
{
    static bool Ja => LearnerLanguage.IsJapanese;

    public static string DownloadStopped(string file, long keptBytes, string partial) => Ja
        ? string.Create(CultureInfo.InvariantCulture,
            $"{file} のダウンロードを停止しました。{keptBytes:N0} バイトを {partial} に保持しています。もう一度ダウンロードするとそこから再開します")
        : string.Create(CultureInfo.InvariantCulture,
            $"download of {file} stopped; {keptBytes:N0} bytes kept in {partial}; downloading again resumes there");

    public static string DatasetNotFound(string dataset, string split, string images, string labels, IEnumerable<string> roots, string installAdvice) => Ja
        ? $"{dataset} ({split}) が見つかりません: {images}.gz と {labels}.gz（または展開したもの）を " +
          string.Join(" と ", roots) + $" で探しました。{InstallAdvice(installAdvice)}"
        : $"{dataset} ({split}) was not found: looked for {images}.gz and {labels}.gz (or their unzipped forms) in " +
          string.Join(" and ", roots) + $". {installAdvice}";

    public const string FashionMnistInstallAdvice =
        "Install it as in datasets/README.md (setup): `sudo apt-get install dataset-fashion-mnist` on Debian/Ubuntu, " +
        "or with internet `await DatasetDownloader.DownloadAsync(DatasetCatalog.FashionMnist)`, or pass the folder holding the IDX files as root";

    public const string MnistInstallAdvice =
        "Download it as in datasets/README.md: `await DatasetDownloader.DownloadAsync(DatasetCatalog.Mnist)`, or pass the folder holding the IDX files as root";

    static string InstallAdvice(string english) => english switch
    {
        FashionMnistInstallAdvice => "datasets/README.md（セットアップ）のとおりにインストールしてください: Debian/Ubuntu では " +
            "`sudo apt-get install dataset-fashion-mnist`、インターネットにつながるなら " +
            "`await DatasetDownloader.DownloadAsync(DatasetCatalog.FashionMnist)`。または IDX ファイルのあるフォルダを root に渡してください",
        MnistInstallAdvice => "datasets/README.md のとおりにダウンロードしてください: " +
            "`await DatasetDownloader.DownloadAsync(DatasetCatalog.Mnist)`。または IDX ファイルのあるフォルダを root に渡してください",
        _ => english,
    };

    public static string UnknownToyDataset(string name, IEnumerable<string> known) => Ja
        ? $"'{name}' という名前のトイデータセットはありません。使える名前: {string.Join(", ", known)}"
        : $"unknown toy dataset '{name}'; known: {string.Join(", ", known)}";

    public static string DatasetDescription(string name, string split, long count, string shape, int classes) => Ja
        ? $"{name} ({split}): 画像 {count} 枚 [{shape}]、{classes} クラス"
        : $"{name} ({split}): {count} images [{shape}], {classes} classes";

    public static string PointCountNegative => Ja ? "点の数は 0 以上にしてください" : "the number of points must be non-negative";
}

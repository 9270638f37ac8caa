namespace Course.Data;

/// <summary>A data file exists but cannot be used: truncated, corrupt, of the wrong format, or with
/// the wrong checksum. The message names the file and what was wrong.</summary>
public class DataFileException : IOException
{
    public DataFileException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }
}

/// <summary>A file's SHA-256 differs from the one expected for it.</summary>
public sealed class ChecksumMismatchException : DataFileException
{
    public ChecksumMismatchException(string filePath, string expectedSha256, string actualSha256, string? advice = null)
        : base(filePath, $"SHA-256 mismatch: expected {expectedSha256}, got {actualSha256}" + (advice is null ? "" : $". {advice}"))
    {
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    public string ExpectedSha256 { get; }
    public string ActualSha256 { get; }
}

/// <summary>A data set is not where it was looked for; the message says how to install or download it.</summary>
public sealed class DatasetNotFoundException : FileNotFoundException
{
    public DatasetNotFoundException(string message, string? missingFile) : base(message, missingFile) { }
}

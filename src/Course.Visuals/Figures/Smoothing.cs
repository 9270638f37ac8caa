namespace Course.Visuals;

/// <summary>Smoothed curves for noisy series such as a training loss per step.</summary>
public static class Smoothing
{
    /// <summary>A centred moving average whose window grows with the position: at index i it averages
    /// the values from i - h to i + h (cut at the ends), with h = min(maxWindow / 2, i / 4). Narrow at the
    /// start, where a loss falls fast, and at most <paramref name="maxWindow"/> + 1 values wide later,
    /// where it hardly moves.</summary>
    public static double[] GrowingMovingAverage(IReadOnlyList<double> values, int maxWindow)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWindow);
        var result = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            int half = Math.Min(maxWindow / 2, i / 4);
            int from = Math.Max(0, i - half), to = Math.Min(values.Count - 1, i + half);
            double sum = 0;
            for (int k = from; k <= to; k++) sum += values[k];
            result[i] = sum / (to - from + 1);
        }
        return result;
    }

    /// <summary>A trailing moving average: at index i the mean of the last <paramref name="window"/> values up to
    /// and including i (fewer at the start, where there are fewer). It follows a curve with a lag of about
    /// window / 2 steps, as a training log's running loss does.</summary>
    public static double[] TrailingMovingAverage(IReadOnlyList<double> values, int window)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var result = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            int from = Math.Max(0, i - window + 1);
            double sum = 0;
            for (int k = from; k <= i; k++) sum += values[k];
            result[i] = sum / (i - from + 1);
        }
        return result;
    }
}

namespace Mlops.Client;

/// <summary>When a <see cref="BufferedMetricLogger"/> sends what it has buffered.</summary>
public sealed class BufferedMetricLoggerOptions
{
    /// <summary>Send as soon as this many points are waiting (at most 1000, MLflow's batch limit).</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Send whatever is waiting after this long, so a slow loop still shows up promptly.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Points held in memory before <see cref="BufferedMetricLogger.Log"/> blocks (back-pressure).</summary>
    public int Capacity { get; set; } = 100_000;
}

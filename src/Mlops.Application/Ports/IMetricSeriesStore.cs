namespace Mlops.Application.Ports;

/// <summary>One point of a metric series as drawn by a chart; times are ms since the Unix epoch (UTC).</summary>
public readonly record struct SeriesPoint(long Step, long Timestamp, double Value);

/// <summary>
/// A metric series over a step range, possibly downsampled. <see cref="TotalPoints"/> counts the stored
/// finite points in the range, so a chart can say "500 of 1,000,000 points".
/// </summary>
public sealed record MetricSeries(long TotalPoints, long? FirstStep, long? LastStep, bool Downsampled, IReadOnlyList<SeriesPoint> Points);

/// <summary>
/// Shape-preserving reads of a metric for charts. Implementations: SQLite and PostgreSQL, sharing MetricSeriesBuilder.
/// </summary>
/// <remarks>
/// A separate port from <see cref="ITrackingStore"/> so that adding it changed no existing adapter. NaN points
/// are left out (a chart cannot draw them). When the range holds more than <c>maxPoints</c> points, the store
/// splits the step range into <c>maxPoints / 2</c> equal buckets and returns, per bucket, the point with the
/// lowest and the point with the highest value, ordered by step: spikes and dips survive any zoom level.
/// </remarks>
public interface IMetricSeriesStore
{
    /// <summary>The series of one metric of one run between two steps (inclusive, each optional); null when the run does not exist.</summary>
    Task<MetricSeries?> GetSeriesAsync(string runId, string key, long? minStep, long? maxStep, int maxPoints, CancellationToken cancellationToken);
}

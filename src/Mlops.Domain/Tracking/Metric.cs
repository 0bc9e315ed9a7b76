namespace Mlops.Domain.Tracking;

/// <summary>One point of a metric series. Value may be NaN or ±Infinity; Timestamp is ms since the Unix epoch (UTC).</summary>
public readonly record struct Metric(string Key, double Value, long Timestamp, long Step);

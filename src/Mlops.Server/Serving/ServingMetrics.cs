using System.Diagnostics;
using System.Globalization;
using Prometheus;

namespace Mlops.Server.Serving;

/// <summary>
/// Prometheus metrics of model serving, per endpoint and revision (`mlops serve` reports its model as endpoint
/// "serve", revision "0"): requests by status code and a latency histogram, exported at <c>/metrics</c>.
/// </summary>
public static class ServingMetrics
{
    private static readonly Counter s_requests = Metrics.CreateCounter(
        "mlops_serving_requests_total", "Scoring requests, by endpoint, revision and HTTP status code.",
        new CounterConfiguration { LabelNames = ["endpoint", "revision", "code"] });

    private static readonly Histogram s_latency = Metrics.CreateHistogram(
        "mlops_serving_request_duration_seconds", "Time from reading a scoring request to writing its answer.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint", "revision"],
            Buckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        });

    /// <summary>
    /// Exports the prediction log's and the shadow queue's counters, read when Prometheus scrapes, so losses under
    /// overload are visible rather than silent.
    /// </summary>
    public static void Track(Application.Serving.PredictionLogWriter log, Application.Serving.ShadowMirror shadows)
    {
        var written = Metrics.CreateCounter("mlops_prediction_log_written_total", "Prediction log records written to the store.");
        var dropped = Metrics.CreateCounter("mlops_prediction_log_dropped_total", "Prediction log records dropped (queue full or store error).");
        var shadowScored = Metrics.CreateCounter("mlops_shadow_scored_total", "Copies of requests scored by shadows.");
        var shadowDropped = Metrics.CreateCounter("mlops_shadow_dropped_total", "Copies of requests not sent to shadows because their queue was full.");
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            written.IncTo(log.Written);
            dropped.IncTo(log.Dropped);
            shadowScored.IncTo(shadows.Scored);
            shadowDropped.IncTo(shadows.Dropped);
        });
    }

    /// <summary>Records one answered request; <paramref name="started"/> is a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public static void Observe(string endpoint, int revision, int statusCode, long started)
    {
        var revisionLabel = revision.ToString(CultureInfo.InvariantCulture);
        s_requests.WithLabels(endpoint, revisionLabel, statusCode.ToString(CultureInfo.InvariantCulture)).Inc();
        s_latency.WithLabels(endpoint, revisionLabel).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}

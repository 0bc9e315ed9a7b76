using System.Diagnostics;
using System.Globalization;
using Prometheus;

namespace Mlops.Server.Serving;

/// <summary>
/// Prometheus metrics of model serving, per endpoint and revision (`mlops serve` reports its model as endpoint
/// "serve", revision "0"): requests by status code and a latency histogram (the collectors of
/// Mlops.Web's ServingCollectors, which the deployments page reads), exported at <c>/metrics</c>.
/// </summary>
public static class ServingMetrics
{
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
        Web.Components.Deployments.ServingCollectors.Requests.WithLabels(endpoint, revisionLabel, statusCode.ToString(CultureInfo.InvariantCulture)).Inc();
        Web.Components.Deployments.ServingCollectors.Latency.WithLabels(endpoint, revisionLabel).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}

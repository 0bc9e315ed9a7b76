using System.Globalization;
using Prometheus;

namespace Mlops.Web.Components.Deployments;

/// <summary>What one revision of an endpoint has served since the server started.</summary>
public sealed record RevisionTraffic(int Revision, double Requests, double Errors, double MeanLatencyMs);

/// <summary>
/// Reads the serving metrics that /metrics exports (mlops_serving_requests_total, mlops_serving_request_duration_seconds)
/// for the deployments page, from the process's Prometheus registry.
/// </summary>
/// <remarks>
/// prometheus-net returns the already registered collector for a name with the same label names, so these are the
/// very collectors Mlops.Server's ServingMetrics updates. Names, help, labels and buckets must stay identical to
/// those: they are the documented /metrics contract. Counters reset when the server restarts.
/// </remarks>
public static class ServingTraffic
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

    public static IReadOnlyList<RevisionTraffic> Of(string endpoint)
    {
        var byRevision = new Dictionary<string, (double Requests, double Errors)>(StringComparer.Ordinal);
        foreach (var labels in s_requests.GetAllLabelValues().Where(l => l[0] == endpoint))
        {
            var value = s_requests.WithLabels(labels).Value;
            var (requests, errors) = byRevision.GetValueOrDefault(labels[1]);
            byRevision[labels[1]] = (requests + value, errors + (labels[2].StartsWith('2') ? 0 : value));
        }

        return byRevision
            .Select(r =>
            {
                var latency = s_latency.WithLabels(endpoint, r.Key);
                var mean = latency.Count > 0 ? latency.Sum / latency.Count * 1000 : double.NaN;
                return new RevisionTraffic(int.Parse(r.Key, CultureInfo.InvariantCulture), r.Value.Requests, r.Value.Errors, mean);
            })
            .OrderByDescending(r => r.Revision)
            .ToList();
    }
}

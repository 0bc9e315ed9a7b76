using System.Globalization;
using Prometheus;

namespace Mlops.Web.Components.Deployments;

/// <summary>What one revision of an endpoint has served since the server started.</summary>
public sealed record RevisionTraffic(int Revision, double Requests, double Errors, double MeanLatencyMs);

/// <summary>
/// The Prometheus collectors of model serving, defined once: Mlops.Server's ServingMetrics updates them (and /metrics
/// exports them), the deployments page reads them. They live here because the server references this project.
/// Names, help, labels and buckets are the documented /metrics contract.
/// </summary>
public static class ServingCollectors
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "mlops_serving_requests_total", "Scoring requests, by endpoint, revision and HTTP status code.",
        new CounterConfiguration { LabelNames = ["endpoint", "revision", "code"] });

    public static readonly Histogram Latency = Metrics.CreateHistogram(
        "mlops_serving_request_duration_seconds", "Time from reading a scoring request to writing its answer.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint", "revision"],
            Buckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        });
}

/// <summary>Reads what each revision of an endpoint has served since the server started, for the deployments page.</summary>
public static class ServingTraffic
{
    public static IReadOnlyList<RevisionTraffic> Of(string endpoint)
    {
        var byRevision = new Dictionary<string, (double Requests, double Errors)>(StringComparer.Ordinal);
        foreach (var labels in ServingCollectors.Requests.GetAllLabelValues().Where(l => l[0] == endpoint))
        {
            var value = ServingCollectors.Requests.WithLabels(labels).Value;
            var (requests, errors) = byRevision.GetValueOrDefault(labels[1]);
            byRevision[labels[1]] = (requests + value, errors + (labels[2].StartsWith('2') ? 0 : value));
        }

        return byRevision
            .Select(r =>
            {
                var latency = ServingCollectors.Latency.WithLabels(endpoint, r.Key);
                var mean = latency.Count > 0 ? latency.Sum / latency.Count * 1000 : double.NaN;
                return new RevisionTraffic(int.Parse(r.Key, CultureInfo.InvariantCulture), r.Value.Requests, r.Value.Errors, mean);
            })
            .OrderByDescending(r => r.Revision)
            .ToList();
    }
}

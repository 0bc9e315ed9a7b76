namespace Mlops.Domain.Tracking;

/// <summary>Metrics, params and tags for one run, written together or not at all.</summary>
public sealed record LogBatch(string RunId, IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags)
{
    public static LogBatch OfMetrics(string runId, params Metric[] metrics) => new(runId, metrics, [], []);

    public static LogBatch OfParams(string runId, params Param[] parameters) => new(runId, [], parameters, []);

    public static LogBatch OfTags(string runId, params Tag[] tags) => new(runId, [], [], tags);
}

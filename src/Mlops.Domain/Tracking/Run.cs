namespace Mlops.Domain.Tracking;

/// <summary>A run's identity and lifecycle (MLflow's RunInfo).</summary>
public sealed record RunInfo(
    string RunId,
    string ExperimentId,
    string RunName,
    string UserId,
    RunStatus Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    LifecycleStage LifecycleStage)
{
    /// <summary>MLflow lets a finished run still receive data; only a deleted run refuses it.</summary>
    public bool AcceptsLogging => LifecycleStage == LifecycleStage.Active;
}

/// <summary>A run with its latest metric values, params, tags and dataset inputs.</summary>
public sealed record Run(
    RunInfo Info,
    IReadOnlyList<Metric> LatestMetrics,
    IReadOnlyList<Param> Params,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<DatasetInput> Inputs);

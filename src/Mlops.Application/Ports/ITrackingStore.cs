using Mlops.Domain.Tracking;

namespace Mlops.Application.Ports;

/// <summary>
/// Persistence for experiments, runs, params, metrics, tags and dataset inputs.
/// Implementations: SQLite (embedded default) and PostgreSQL (scale-out); both pass TrackingStoreContract.
/// </summary>
/// <remarks>
/// Times are milliseconds since the Unix epoch (UTC). Callers validate input with the domain's
/// ExperimentTrackingService first; stores enforce only what needs the stored state (uniqueness,
/// write-once params, existence) and signal it with <see cref="Domain.Common.MlopsException"/>.
/// Stores do not check permissions.
/// </remarks>
public interface ITrackingStore
{
    /// <summary>
    /// Creates an experiment and returns its id. A taken name raises AlreadyExists. A null artifact
    /// location is derived from the new id (mlflow-artifacts:/&lt;id&gt;).
    /// </summary>
    Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken);

    Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken);

    Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Renames an experiment; a taken name raises AlreadyExists.</summary>
    Task RenameExperimentAsync(string experimentId, string newName, long now, CancellationToken cancellationToken);

    /// <summary>Soft-deletes or restores an experiment and, with it, its runs (as MLflow does).</summary>
    Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, long now, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces one experiment tag.</summary>
    Task SetExperimentTagAsync(string experimentId, Tag tag, long now, CancellationToken cancellationToken);

    Task<StorePage<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken cancellationToken);

    /// <summary>Creates a run with its initial tags in one transaction.</summary>
    Task CreateRunAsync(RunInfo info, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    Task<RunInfo?> GetRunInfoAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The run with latest metrics, params, tags and inputs, or null.</summary>
    Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Updates status, end time and name (each only when not null); a new name also rewrites the mlflow.runName tag.</summary>
    Task UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken);

    Task SetRunLifecycleAsync(string runId, LifecycleStage stage, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a run tag; an unknown key raises NotFound.</summary>
    Task DeleteRunTagAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>
    /// The one write primitive for run data: appends metrics, inserts params and upserts tags atomically
    /// (all or nothing). Params are write-once: the same value again is a no-op, a different value raises
    /// InvalidArgument and nothing of the batch is written. Metric points identical in (key, step, timestamp,
    /// value) are stored once. The latest value per key follows the highest (step, timestamp, value).
    /// </summary>
    Task LogBatchAsync(LogBatch batch, CancellationToken cancellationToken);

    /// <summary>Records dataset inputs; a dataset is identified by (experiment, name, digest) and stored once.</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken);

    Task<StorePage<Run>> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>Every point of one metric of one run, ordered by step, then timestamp, then value.</summary>
    Task<StorePage<Metric>> GetMetricHistoryAsync(string runId, string key, long offset, int maxResults, CancellationToken cancellationToken);
}

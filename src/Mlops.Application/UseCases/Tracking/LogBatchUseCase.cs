using Mlops.Application.Ports;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>Log metrics, params and tags to a run. Every single-item call is a one-element batch.</summary>
public sealed class LogBatchUseCase(ITrackingStore store)
{
    public Task ExecuteAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        var valid = ExperimentTrackingService.ValidateBatch(batch);
        return valid.Metrics.Count + valid.Params.Count + valid.Tags.Count == 0
            ? EnsureRunAsync(valid.RunId, cancellationToken)
            : store.LogBatchAsync(valid, cancellationToken);
    }

    public Task LogMetricAsync(string? runId, Metric metric, CancellationToken cancellationToken) =>
        ExecuteAsync(LogBatch.OfMetrics(RunIds.Require(runId), metric), cancellationToken);

    public Task LogParamAsync(string? runId, Param param, CancellationToken cancellationToken) =>
        ExecuteAsync(LogBatch.OfParams(RunIds.Require(runId), param), cancellationToken);

    public Task SetTagAsync(string? runId, Tag tag, CancellationToken cancellationToken) =>
        ExecuteAsync(LogBatch.OfTags(RunIds.Require(runId), tag), cancellationToken);

    private async Task EnsureRunAsync(string runId, CancellationToken cancellationToken)
    {
        var info = await store.GetRunInfoAsync(runId, cancellationToken) ?? throw RunIds.NotFound(runId);
        if (!info.AcceptsLogging)
        {
            throw ExperimentTrackingService.RunNotActive(runId);
        }
    }
}

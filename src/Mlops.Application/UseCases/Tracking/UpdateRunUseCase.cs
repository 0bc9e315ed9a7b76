using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>Change a run after creation: status and end time, name, lifecycle, tags, logged models and inputs.</summary>
public sealed class UpdateRunUseCase(ITrackingStore store, TimeProvider clock)
{
    public async Task<RunInfo> UpdateAsync(string? runId, string? runUuid, string? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId, runUuid);
        RunStatus? parsedStatus = string.IsNullOrEmpty(status) ? null : RunStatuses.Parse(status);
        ExperimentTrackingService.ValidateRunName(runName);
        if (endTime is < 0)
        {
            throw MlopsException.Invalid($"Invalid end_time {endTime}: timestamps are milliseconds since the Unix epoch and cannot be negative.");
        }

        await GetActiveAsync(id, cancellationToken);
        await store.UpdateRunAsync(id, parsedStatus, endTime, string.IsNullOrEmpty(runName) ? null : runName, cancellationToken);
        return await store.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
    }

    public async Task DeleteAsync(string? runId, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        _ = await store.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        await store.SetRunLifecycleAsync(id, LifecycleStage.Deleted, Now(), cancellationToken);
    }

    public async Task RestoreAsync(string? runId, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        _ = await store.GetRunInfoAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        await store.SetRunLifecycleAsync(id, LifecycleStage.Active, Now(), cancellationToken);
    }

    public async Task DeleteTagAsync(string? runId, string? key, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        ExperimentTrackingService.ValidateTagKey(key);
        await GetActiveAsync(id, cancellationToken);
        await store.DeleteRunTagAsync(id, key!, cancellationToken);
    }

    /// <summary>Records a logged model's MLmodel JSON in the run's mlflow.log-model.history tag (MLflow's log-model).</summary>
    public async Task LogModelAsync(string? runId, string? modelJson, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        if (string.IsNullOrEmpty(modelJson))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'model_json'.");
        }

        JsonObject model;
        try
        {
            model = JsonNode.Parse(modelJson) as JsonObject ?? throw MlopsException.Invalid("model_json must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"model_json is not valid JSON: {e.Message}");
        }

        if (model["run_id"] is JsonValue modelRun && modelRun.TryGetValue(out string? modelRunId) && modelRunId != id)
        {
            throw MlopsException.Invalid($"model_json names run '{modelRunId}', but it is being logged to run '{id}'.");
        }

        var run = await store.GetRunAsync(id, cancellationToken) ?? throw RunIds.NotFound(id);
        if (!run.Info.AcceptsLogging)
        {
            throw ExperimentTrackingService.RunNotActive(id);
        }

        var history = run.Tags.FirstOrDefault(t => t.Key == SystemTags.LogModelHistory).Value;
        var list = history is null ? [] : JsonNode.Parse(history) as JsonArray ?? [];
        list.Add(model);
        await store.LogBatchAsync(LogBatch.OfTags(id, new Tag(SystemTags.LogModelHistory, list.ToJsonString())), cancellationToken);
    }

    public async Task LogInputsAsync(string? runId, IReadOnlyList<DatasetInput>? inputs, CancellationToken cancellationToken)
    {
        var id = RunIds.Require(runId);
        inputs ??= [];
        if (inputs.Count > TrackingLimits.MaxDatasetsPerInputs)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"A log-inputs request can contain at most {TrackingLimits.MaxDatasetsPerInputs} datasets; got {inputs.Count}.");
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            ValidateInput(inputs[i], $"datasets[{i}]");
        }

        await GetActiveAsync(id, cancellationToken);
        await store.LogInputsAsync(id, inputs, cancellationToken);
    }

    private static void ValidateInput(DatasetInput input, string path)
    {
        var d = input.Dataset;
        RequireLength(d.Name, TrackingLimits.MaxDatasetNameLength, path + ".dataset.name");
        RequireLength(d.Digest, TrackingLimits.MaxDatasetDigestLength, path + ".dataset.digest");
        RequireLength(d.SourceType, TrackingLimits.MaxDatasetSchemaLength, path + ".dataset.source_type");
        RequireLength(d.Source, TrackingLimits.MaxDatasetSchemaLength, path + ".dataset.source");
        if (d.Schema?.Length > TrackingLimits.MaxDatasetSchemaLength)
        {
            throw MlopsException.Invalid($"{path}.dataset.schema is longer than {TrackingLimits.MaxDatasetSchemaLength} characters.");
        }

        if (d.Profile?.Length > TrackingLimits.MaxDatasetProfileLength)
        {
            throw MlopsException.Invalid($"{path}.dataset.profile is longer than {TrackingLimits.MaxDatasetProfileLength} characters.");
        }

        for (var i = 0; i < input.Tags.Count; i++)
        {
            RequireLength(input.Tags[i].Key, TrackingLimits.MaxInputTagKeyLength, $"{path}.tags[{i}].key");
            RequireLength(input.Tags[i].Value, TrackingLimits.MaxInputTagValueLength, $"{path}.tags[{i}].value");
        }
    }

    private static void RequireLength(string? value, int limit, string path)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw MlopsException.Invalid($"Missing value for required parameter '{path}'.");
        }

        if (value.Length > limit)
        {
            throw MlopsException.Invalid($"{path} is {value.Length} characters long; the limit is {limit}.");
        }
    }

    private async Task<RunInfo> GetActiveAsync(string runId, CancellationToken cancellationToken)
    {
        var info = await store.GetRunInfoAsync(runId, cancellationToken) ?? throw RunIds.NotFound(runId);
        return info.AcceptsLogging ? info : throw ExperimentTrackingService.RunNotActive(runId);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

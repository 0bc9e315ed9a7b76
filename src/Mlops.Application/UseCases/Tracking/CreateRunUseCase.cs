using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

public sealed record CreateRunInput(string? ExperimentId, string? UserId, string? RunName, long? StartTime, IReadOnlyList<Tag>? Tags);

public sealed class CreateRunUseCase(ITrackingStore store, TimeProvider clock)
{
    public async Task<Run> ExecuteAsync(CreateRunInput input, CancellationToken cancellationToken)
    {
        var experimentId = string.IsNullOrEmpty(input.ExperimentId) ? Experiment.DefaultExperimentId : ExperimentIds.Require(input.ExperimentId);
        var tags = (input.Tags ?? []).ToList();
        for (var i = 0; i < tags.Count; i++)
        {
            ExperimentTrackingService.ValidateTag(tags[i], $"tags[{i}]");
        }

        ExperimentTrackingService.ValidateRunName(input.RunName);
        ExperimentTrackingService.ValidateUserId(input.UserId);
        if (input.StartTime is < 0)
        {
            throw MlopsException.Invalid($"Invalid start_time {input.StartTime}: timestamps are milliseconds since the Unix epoch and cannot be negative.");
        }

        var experiment = await store.GetExperimentAsync(experimentId, cancellationToken)
            ?? throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");
        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw MlopsException.Invalid($"The experiment {experimentId} must be in the 'active' state. Current state is deleted.");
        }

        var tagName = tags.LastOrDefault(t => t.Key == SystemTags.RunName).Value;
        if (!string.IsNullOrEmpty(input.RunName) && !string.IsNullOrEmpty(tagName) && tagName != input.RunName)
        {
            throw MlopsException.Invalid($"Both 'run_name' ('{input.RunName}') and the '{SystemTags.RunName}' tag ('{tagName}') are given, with different values.");
        }

        var runName = !string.IsNullOrEmpty(input.RunName) ? input.RunName : !string.IsNullOrEmpty(tagName) ? tagName : RunNames.Generate(Random.Shared);
        tags.RemoveAll(t => t.Key == SystemTags.RunName);
        tags.Add(new Tag(SystemTags.RunName, runName));

        var parentId = tags.LastOrDefault(t => t.Key == SystemTags.ParentRunId).Value;
        if (!string.IsNullOrEmpty(parentId) && await store.GetRunInfoAsync(parentId, cancellationToken) is null)
        {
            throw MlopsException.Invalid($"The parent run {parentId} named by the '{SystemTags.ParentRunId}' tag does not exist.");
        }

        var userId = input.UserId ?? tags.LastOrDefault(t => t.Key == SystemTags.User).Value ?? "";
        var runId = Guid.NewGuid().ToString("N");
        var info = new RunInfo(
            runId,
            experimentId,
            runName,
            userId,
            RunStatus.Running,
            input.StartTime ?? clock.GetUtcNow().ToUnixTimeMilliseconds(),
            null,
            ArtifactUri.ForRun(experiment.ArtifactLocation, runId),
            LifecycleStage.Active);
        var distinctTags = tags.GroupBy(t => t.Key, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        await store.CreateRunAsync(info, distinctTags, cancellationToken);
        return new Run(info, [], [], distinctTags, []);
    }
}

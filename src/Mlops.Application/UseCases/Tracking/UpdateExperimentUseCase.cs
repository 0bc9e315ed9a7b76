using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>Rename, delete, restore and tag an existing experiment.</summary>
public sealed class UpdateExperimentUseCase(ITrackingStore store, TimeProvider clock)
{
    public async Task RenameAsync(string? experimentId, string? newName, CancellationToken cancellationToken)
    {
        ExperimentTrackingService.ValidateExperimentName(newName);
        var experiment = await GetExistingAsync(experimentId, cancellationToken);
        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw MlopsException.Invalid($"Cannot rename a non-active experiment: experiment {experiment.ExperimentId} is deleted.");
        }

        await store.RenameExperimentAsync(experiment.ExperimentId, newName!.Trim(), Now(), cancellationToken);
    }

    public async Task DeleteAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var experiment = await GetExistingAsync(experimentId, cancellationToken);
        if (experiment.ExperimentId == Experiment.DefaultExperimentId)
        {
            throw MlopsException.Invalid("Cannot delete the default experiment '0': runs without an experiment land there.");
        }

        await store.SetExperimentLifecycleAsync(experiment.ExperimentId, LifecycleStage.Deleted, Now(), cancellationToken);
    }

    public async Task RestoreAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var experiment = await GetExistingAsync(experimentId, cancellationToken);
        await store.SetExperimentLifecycleAsync(experiment.ExperimentId, LifecycleStage.Active, Now(), cancellationToken);
    }

    public async Task SetTagAsync(string? experimentId, Tag tag, CancellationToken cancellationToken)
    {
        ExperimentTrackingService.ValidateExperimentTag(tag);
        var experiment = await GetExistingAsync(experimentId, cancellationToken);
        if (experiment.LifecycleStage != LifecycleStage.Active)
        {
            throw MlopsException.Invalid($"The experiment {experiment.ExperimentId} must be in the 'active' state. Current state is deleted.");
        }

        await store.SetExperimentTagAsync(experiment.ExperimentId, tag, Now(), cancellationToken);
    }

    private async Task<Experiment> GetExistingAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var id = ExperimentIds.Require(experimentId);
        return await store.GetExperimentAsync(id, cancellationToken)
            ?? throw MlopsException.NotFound($"No Experiment with id={id} exists");
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

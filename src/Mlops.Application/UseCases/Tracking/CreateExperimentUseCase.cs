using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Tracking;

public sealed class CreateExperimentUseCase(ITrackingStore store, TimeProvider clock)
{
    /// <summary>Creates an experiment and returns its id.</summary>
    public Task<string> ExecuteAsync(string? name, string? artifactLocation, IReadOnlyList<Tag>? tags, CancellationToken cancellationToken)
    {
        ExperimentTrackingService.ValidateExperimentName(name);
        tags ??= [];
        for (var i = 0; i < tags.Count; i++)
        {
            ExperimentTrackingService.ValidateExperimentTag(tags[i], $"tags[{i}]");
        }

        var location = string.IsNullOrEmpty(artifactLocation) ? null : ArtifactUri.ForPath(ArtifactUri.ToPath(artifactLocation));
        return store.CreateExperimentAsync(name!.Trim(), location, tags, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }
}

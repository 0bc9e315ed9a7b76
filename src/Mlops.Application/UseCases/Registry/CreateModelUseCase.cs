using Mlops.Application.Ports;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;

namespace Mlops.Application.UseCases.Registry;

/// <summary>Creates a registered model (an empty name to which versions are registered).</summary>
public sealed class CreateModelUseCase(IModelRegistryStore registry, TimeProvider clock)
{
    public Task<RegisteredModel> ExecuteAsync(string? name, string? description, IReadOnlyList<(string? Key, string? Value)>? tags, CancellationToken cancellationToken)
    {
        var validName = ModelManagementService.ValidateModelName(name);
        return registry.CreateModelAsync(validName, ModelManagementService.ValidateDescription(description), ValidTags(tags), clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }

    internal static List<Tag> ValidTags(IReadOnlyList<(string? Key, string? Value)>? tags) =>
        (tags ?? []).Select(t => ModelManagementService.ValidateTag(t.Key, t.Value)).GroupBy(t => t.Key).Select(g => g.Last()).ToList();
}

using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;

namespace Mlops.Application.UseCases.Registry;

/// <summary>Change registered models and their versions: names, descriptions, tags, stages, aliases, deletion.</summary>
public sealed class UpdateModelUseCase(IModelRegistryStore registry, TimeProvider clock)
{
    public Task<RegisteredModel> RenameAsync(string? name, string? newName, CancellationToken cancellationToken)
    {
        var from = ModelManagementService.ValidateModelName(name);
        var to = ModelManagementService.ValidateModelName(newName, "new_name");
        return registry.RenameModelAsync(from, to, Now(), cancellationToken);
    }

    public Task<RegisteredModel> UpdateDescriptionAsync(string? name, string? description, CancellationToken cancellationToken) =>
        registry.UpdateModelAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ValidateDescription(description), Now(), cancellationToken);

    /// <summary>Deletes the model and every version; the deletion is recorded in the registry audit.</summary>
    public Task DeleteAsync(string? name, string? requestedBy, CancellationToken cancellationToken) =>
        registry.DeleteModelAsync(ModelManagementService.ValidateModelName(name), Now(), By(requestedBy), cancellationToken);

    public Task SetTagAsync(string? name, string? key, string? value, CancellationToken cancellationToken) =>
        registry.SetModelTagAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ValidateTag(key, value), Now(), cancellationToken);

    public Task DeleteTagAsync(string? name, string? key, CancellationToken cancellationToken) =>
        registry.DeleteModelTagAsync(ModelManagementService.ValidateModelName(name), RequireKey(key), cancellationToken);

    public Task<ModelVersion> UpdateVersionAsync(string? name, string? version, string? description, CancellationToken cancellationToken) =>
        registry.UpdateVersionAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ParseVersion(version), ModelManagementService.ValidateDescription(description), Now(), cancellationToken);

    /// <summary>Deletes one version (and the aliases on it); the deletion is recorded in the registry audit.</summary>
    public Task DeleteVersionAsync(string? name, string? version, string? requestedBy, CancellationToken cancellationToken) =>
        registry.DeleteVersionAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ParseVersion(version), Now(), By(requestedBy), cancellationToken);

    public Task<ModelVersion> TransitionStageAsync(string? name, string? version, string? stage, bool archiveExistingVersions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(stage))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'stage'.");
        }

        return registry.TransitionStageAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ParseVersion(version), ModelStages.Parse(stage), archiveExistingVersions, Now(), cancellationToken);
    }

    public Task SetVersionTagAsync(string? name, string? version, string? key, string? value, CancellationToken cancellationToken) =>
        registry.SetVersionTagAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ParseVersion(version), ModelManagementService.ValidateTag(key, value), Now(), cancellationToken);

    public Task DeleteVersionTagAsync(string? name, string? version, string? key, CancellationToken cancellationToken) =>
        registry.DeleteVersionTagAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ParseVersion(version), RequireKey(key), cancellationToken);

    /// <summary>Points an alias at a version; moving an existing alias is one atomic step.</summary>
    public Task SetAliasAsync(string? name, string? alias, string? version, CancellationToken cancellationToken) =>
        registry.SetAliasAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ValidateAlias(alias), ModelManagementService.ParseVersion(version), Now(), cancellationToken);

    public Task DeleteAliasAsync(string? name, string? alias, CancellationToken cancellationToken) =>
        registry.DeleteAliasAsync(ModelManagementService.ValidateModelName(name), ModelManagementService.ValidateAlias(alias), Now(), cancellationToken);

    private static string RequireKey(string? key) =>
        string.IsNullOrEmpty(key) ? throw MlopsException.Invalid("Missing value for required parameter 'key'.") : key;

    private static string By(string? requestedBy) => string.IsNullOrEmpty(requestedBy) ? "" : $"requested by {requestedBy}";

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

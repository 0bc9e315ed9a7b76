using Mlops.Domain.Registry;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Application.Ports;

/// <summary>A validated registry search.</summary>
public sealed record RegistryQuery(FilterExpression? Filter, IReadOnlyList<OrderBy> OrderBy, int MaxResults, long Offset);

/// <summary>A recorded destructive registry change.</summary>
public sealed record RegistryAuditEntry(long Time, string Action, string Name, long? Version, string Detail);

/// <summary>
/// Persistence for registered models, versions, tags, stages and aliases. Implementations: SQLite and
/// PostgreSQL; both pass RegistryStoreContract.
/// </summary>
/// <remarks>
/// Names and values arrive validated by ModelManagementService. Unknown models or versions raise NotFound,
/// taken names AlreadyExists. Every method is one transaction. Times are ms since the Unix epoch (UTC).
/// Stores do not check permissions.
/// </remarks>
public interface IModelRegistryStore
{
    Task<RegisteredModel> CreateModelAsync(string name, string description, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken);

    Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Renames a model; its versions, tags and aliases follow.</summary>
    Task<RegisteredModel> RenameModelAsync(string name, string newName, long now, CancellationToken cancellationToken);

    Task<RegisteredModel> UpdateModelAsync(string name, string description, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a model with all its versions and records the deletion.</summary>
    Task DeleteModelAsync(string name, long now, string detail, CancellationToken cancellationToken);

    Task<StorePage<RegisteredModel>> SearchModelsAsync(RegistryQuery query, CancellationToken cancellationToken);

    Task SetModelTagAsync(string name, Tag tag, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a model tag; an unknown key raises NotFound.</summary>
    Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken);

    /// <summary>Creates the next version of a model atomically: concurrent callers get distinct numbers.</summary>
    Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId, string? runLink, string description, string userId, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken);

    Task<ModelVersion?> GetVersionAsync(string name, long version, CancellationToken cancellationToken);

    Task<ModelVersion> UpdateVersionAsync(string name, long version, string description, long now, CancellationToken cancellationToken);

    /// <summary>Deletes a version (and the aliases that point at it) and records the deletion.</summary>
    Task DeleteVersionAsync(string name, long version, long now, string detail, CancellationToken cancellationToken);

    /// <summary>Moves a version to a stage; with <paramref name="archiveExisting"/> the other versions in that stage move to Archived in the same transaction.</summary>
    Task<ModelVersion> TransitionStageAsync(string name, long version, ModelStage stage, bool archiveExisting, long now, CancellationToken cancellationToken);

    Task<StorePage<ModelVersion>> SearchVersionsAsync(RegistryQuery query, CancellationToken cancellationToken);

    Task SetVersionTagAsync(string name, long version, Tag tag, long now, CancellationToken cancellationToken);

    Task DeleteVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken);

    /// <summary>Points an alias at a version in one step (creating or moving it).</summary>
    Task SetAliasAsync(string name, string alias, long version, long now, CancellationToken cancellationToken);

    /// <summary>Removes an alias; an unknown alias raises NotFound.</summary>
    Task DeleteAliasAsync(string name, string alias, long now, CancellationToken cancellationToken);

    Task<ModelVersion?> GetVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>The newest version per requested stage (every stage when the list is empty).</summary>
    Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<ModelStage> stages, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegistryAuditEntry>> GetAuditAsync(string name, CancellationToken cancellationToken);
}

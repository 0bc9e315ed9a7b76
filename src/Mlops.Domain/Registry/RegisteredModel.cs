using Mlops.Domain.Tracking;

namespace Mlops.Domain.Registry;

/// <summary>A named model with its versions' aliases and the latest version per stage.</summary>
public sealed record RegisteredModel(
    string Name,
    long CreationTime,
    long LastUpdatedTime,
    string Description,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<ModelAlias> Aliases,
    IReadOnlyList<ModelVersion> LatestVersions);

/// <summary>An alias such as "champion" pointing at exactly one version of a model.</summary>
public readonly record struct ModelAlias(string Alias, long Version);

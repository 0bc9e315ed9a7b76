using Mlops.Domain.Tracking;

namespace Mlops.Domain.Registry;

/// <summary>
/// One version of a registered model: numbered per model, pointing at a folder of artifacts on this server
/// (<see cref="Source"/>) and at the run that produced it (<see cref="RunId"/>), which is its lineage.
/// </summary>
public sealed record ModelVersion(
    string Name,
    long Version,
    long CreationTime,
    long LastUpdatedTime,
    string Description,
    string UserId,
    ModelStage CurrentStage,
    string Source,
    string? RunId,
    string? RunLink,
    string Status,
    IReadOnlyList<Tag> Tags,
    IReadOnlyList<string> Aliases)
{
    /// <summary>Registration is synchronous here, so a version is READY as soon as it exists.</summary>
    public const string Ready = "READY";
}

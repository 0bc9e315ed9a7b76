namespace Mlops.Domain.Deployments;

/// <summary>
/// Pending until its health check answers; only <see cref="Live"/> revisions carry traffic weight.
/// <see cref="Failed"/> and <see cref="Retired"/> are final.
/// </summary>
public enum RevisionState
{
    Pending,
    Live,
    Failed,
    Retired,
}

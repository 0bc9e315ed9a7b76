namespace Mlops.Domain.Deployments;

/// <summary>
/// One deployment of a model on an endpoint, numbered 1..n per endpoint. Revisions are never removed; only their
/// <see cref="Role"/> (a promoted canary or shadow becomes the primary), <see cref="Weight"/>, <see cref="Replicas"/>,
/// <see cref="State"/> and <see cref="Error"/> change.
/// </summary>
/// <param name="Weight">The share of traffic it answers now, 0..100; always 0 unless <see cref="RevisionState.Live"/>.</param>
/// <param name="RequestedWeight">The weight it takes when its health check passes: 100 for a primary, the percent for a canary, 0 for a shadow.</param>
/// <param name="Replicas">The replicas (engine pool size) serving it, 1..64.</param>
/// <param name="RestoredFrom">For a rollback, the earlier primary whose configuration this revision restores.</param>
/// <param name="Error">Why the health check failed.</param>
public sealed record Revision(
    int Number,
    string ModelUri,
    ResolvedModel? ResolvedModel,
    RevisionRole Role,
    int Weight,
    int RequestedWeight,
    int Replicas,
    RevisionState State,
    long CreatedAt,
    string CreatedBy,
    string Reason,
    int? RestoredFrom = null,
    string? Error = null)
{
    public bool IsLive => State == RevisionState.Live;
}

namespace Mlops.Domain.Deployments;

/// <summary>
/// One entry of an endpoint's append-only history. <see cref="Sequence"/> counts 1..n; <see cref="Revision"/> is the
/// revision created or changed (null for an undeploy); <see cref="Detail"/> says what changed in words.
/// </summary>
public sealed record EndpointChange(
    int Sequence,
    ChangeKind Kind,
    int? Revision,
    long At,
    string By,
    string Reason,
    string Detail);

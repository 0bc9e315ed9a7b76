namespace Mlops.Domain.Deployments;

/// <summary>
/// A named serving endpoint and every revision it has ever had. Change it only through <see cref="EndpointRules"/>,
/// which returns a new endpoint and appends to <see cref="Revisions"/> and <see cref="History"/>, never removing from them.
/// </summary>
public sealed record Endpoint(
    string Name,
    EndpointState State,
    IReadOnlyList<Revision> Revisions,
    long CreatedAt,
    IReadOnlyList<EndpointChange> History)
{
    /// <summary>Prediction logging and alias following; see <see cref="EndpointRules.Configure"/>.</summary>
    public EndpointSettings Settings { get; init; } = EndpointSettings.Default;

    public Revision? Primary => Revisions.FirstOrDefault(r => r.IsLive && r.Role == RevisionRole.Primary);

    public Revision? Canary => Revisions.FirstOrDefault(r => r.IsLive && r.Role == RevisionRole.Canary);

    public Revision? Pending => Revisions.FirstOrDefault(r => r.State == RevisionState.Pending);
}

using Mlops.Domain.Deployments;

namespace Mlops.Application.Ports;

/// <summary>
/// Serving endpoints with their revisions and append-only history. Implementations: SQLite (and PostgreSQL with the
/// scale-out backend).
/// </summary>
/// <remarks>
/// The port is coarse on purpose: the rules live in <see cref="EndpointRules"/> as pure functions, and the store only
/// loads and saves whole endpoints. <see cref="UpdateEndpointAsync"/> reads, changes and saves in one write
/// transaction, so two operations on the same endpoint (from this process or another one on the same database)
/// serialise and neither loses the other's change. Saving never removes anything: revisions are inserted or updated
/// (only their role, weight, requested weight, replicas, state and error can change once stored) and history entries are appended.
/// Times are ms since the Unix epoch (UTC).
/// </remarks>
public interface IDeploymentStore
{
    /// <summary>
    /// Stores a new endpoint (normally fresh from <see cref="EndpointRules.Create"/>, with any revisions and history it
    /// already has) and returns it as stored; an <c>AlreadyExists</c> error when the name is taken, deleted endpoints included.
    /// </summary>
    Task<Endpoint> CreateEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken);

    /// <summary>The endpoint with every revision (by number) and its whole history (by sequence); null when there is none.</summary>
    Task<Endpoint?> GetEndpointAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Endpoints in name order, each complete like <see cref="GetEndpointAsync"/>; undeployed (deleted) ones only when
    /// <paramref name="includeDeleted"/>. <see cref="StorePage{T}.HasMore"/> says whether more follow the page.
    /// </summary>
    Task<StorePage<Endpoint>> ListEndpointsAsync(int maxResults, long offset, bool includeDeleted, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the endpoint, applies <paramref name="change"/> (a pure function such as a partial application of an
    /// <see cref="EndpointRules"/> operation) and saves the result, all in one write transaction, and returns the saved
    /// endpoint. A <c>NotFound</c> error when there is no endpoint of that name. Whatever <paramref name="change"/>
    /// throws (a <c>MlopsException</c> for a rule it breaks) propagates unchanged and nothing is saved. The result
    /// must keep the name and every revision and history entry of its input (an <see cref="InvalidOperationException"/>
    /// otherwise, and nothing is saved).
    /// </summary>
    Task<Endpoint> UpdateEndpointAsync(string name, Func<Endpoint, Endpoint> change, CancellationToken cancellationToken);
}

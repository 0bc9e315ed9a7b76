using Microsoft.Extensions.Logging;
using Mlops.Application.Ports;
using Mlops.Domain.Deployments;

namespace Mlops.Application.UseCases.Deployments;

/// <summary>
/// Alias following: checks every endpoint that follows its primary's alias (or stage, or latest) and redeploys those
/// whose reference now names another version. Run periodically by the server; with several servers on one database
/// each may run it, and the store's serialised updates make the second one a no-op.
/// </summary>
public sealed class AliasFollower(IDeploymentStore store, DeployModelUseCase deploy, ILogger<AliasFollower> logger)
{
    /// <summary>Returns the names of the endpoints that got a new revision (live or failed).</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var moved = new List<string>();
        await foreach (var endpoint in store.AllAsync(includeDeleted: false, cancellationToken))
        {
            if (!Follows(endpoint))
            {
                continue;
            }

            try
            {
                var (after, changed) = await deploy.FollowAliasAsync(endpoint.Name, cancellationToken);
                if (changed)
                {
                    moved.Add(endpoint.Name);
                    logger.LogInformation("Endpoint {Endpoint} followed {Uri}: {Detail}", endpoint.Name, endpoint.Primary!.ModelUri, after.History[^1].Detail);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One endpoint whose model cannot be resolved must not stop the others from following.
                logger.LogWarning(e, "Endpoint {Endpoint} could not follow its alias.", endpoint.Name);
            }
        }

        return moved;
    }

    private static bool Follows(Endpoint endpoint) =>
        endpoint.Settings.FollowAlias && endpoint.Primary is { } primary && EndpointRules.IsMoving(primary.ModelUri);
}

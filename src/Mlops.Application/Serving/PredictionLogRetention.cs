using Mlops.Application.Ports;
using Mlops.Application.UseCases.Deployments;

namespace Mlops.Application.Serving;

/// <summary>Deletes prediction log records older than the retention, for every endpoint (undeployed ones too).</summary>
public sealed class PredictionLogRetention(IPredictionLog log, IDeploymentStore endpoints, TimeProvider clock)
{
    /// <summary>Returns how many records were deleted.</summary>
    public async Task<long> ApplyAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().Subtract(retention).ToUnixTimeMilliseconds();
        long deleted = 0;
        await foreach (var endpoint in endpoints.AllAsync(includeDeleted: true, cancellationToken))
        {
            deleted += await log.DeleteBeforeAsync(endpoint.Name, before, cancellationToken);
        }

        return deleted;
    }
}

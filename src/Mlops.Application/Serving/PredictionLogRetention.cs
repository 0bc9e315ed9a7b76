using Mlops.Application.Ports;

namespace Mlops.Application.Serving;

/// <summary>Deletes prediction log records older than the retention, for every endpoint (undeployed ones too).</summary>
public sealed class PredictionLogRetention(IPredictionLog log, IDeploymentStore endpoints, TimeProvider clock)
{
    /// <summary>Returns how many records were deleted.</summary>
    public async Task<long> ApplyAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().Subtract(retention).ToUnixTimeMilliseconds();
        long deleted = 0;
        long offset = 0;
        while (true)
        {
            var page = await endpoints.ListEndpointsAsync(200, offset, includeDeleted: true, cancellationToken);
            foreach (var endpoint in page.Items)
            {
                deleted += await log.DeleteBeforeAsync(endpoint.Name, before, cancellationToken);
            }

            if (!page.HasMore)
            {
                return deleted;
            }

            offset += page.Items.Count;
        }
    }
}

using Mlops.Application.Ports;
using Mlops.Domain.Deployments;

namespace Mlops.Application.UseCases.Deployments;

/// <summary>Every endpoint of the store, read page by page, for the background passes that visit them all.</summary>
public static class EndpointPages
{
    public const int PageSize = 200;

    public static async IAsyncEnumerable<Endpoint> AllAsync(this IDeploymentStore store, bool includeDeleted,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long offset = 0;
        while (true)
        {
            var page = await store.ListEndpointsAsync(PageSize, offset, includeDeleted, cancellationToken);
            foreach (var endpoint in page.Items)
            {
                yield return endpoint;
            }

            if (!page.HasMore)
            {
                yield break;
            }

            offset += page.Items.Count;
        }
    }
}

using System.Globalization;
using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    /// <summary>Deploys a model to an endpoint (created when missing); it serves once its health check passes.</summary>
    public async Task<EndpointDto> DeployAsync(string endpoint, string modelUri, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, NativeApi + "endpoints", new DeployRequest { Name = endpoint, ModelUri = modelUri, Reason = reason, User = user },
            s_json.DeployRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Sends <paramref name="percent"/> % of the endpoint's traffic to a new revision of another model.</summary>
    public async Task<EndpointDto> CanaryAsync(string endpoint, string modelUri, int percent, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/canary", new CanaryRequest { ModelUri = modelUri, Percent = percent, Reason = reason, User = user },
            s_json.CanaryRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Makes the canary (or the given revision) the primary at 100 %.</summary>
    public async Task<EndpointDto> PromoteAsync(string endpoint, int? revision = null, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/promote", new EndpointChangeRequest { Revision = revision, Reason = reason, User = user },
            s_json.EndpointChangeRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Serves the previous primary's model again.</summary>
    public async Task<EndpointDto> RollbackAsync(string endpoint, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/rollback", new EndpointChangeRequest { Reason = reason, User = user },
            s_json.EndpointChangeRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Stops serving the endpoint; its history is kept.</summary>
    public async Task<EndpointDto> UndeployAsync(string endpoint, string? reason = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}" + Query(("reason", reason)), cancellationToken);
        return (await ReadAsync(response, s_json.EndpointResponse, cancellationToken)).Endpoint!;
    }

    /// <summary>An endpoint with its traffic split, revisions and history.</summary>
    public async Task<EndpointDto> GetEndpointAsync(string endpoint, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}", cancellationToken);
        return (await ReadAsync(response, s_json.EndpointResponse, cancellationToken)).Endpoint!;
    }

    /// <summary>Endpoints in name order.</summary>
    public async Task<EndpointsResponse> ListEndpointsAsync(int? maxResults = null, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}endpoints" + Query(("max_results", maxResults?.ToString(CultureInfo.InvariantCulture)),
            ("include_deleted", includeDeleted ? "true" : null)), cancellationToken);
        return await ReadAsync(response, s_json.EndpointsResponse, cancellationToken);
    }
}

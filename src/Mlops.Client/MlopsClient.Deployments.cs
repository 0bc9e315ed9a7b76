using System.Globalization;
using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    /// <summary>Deploys a model to an endpoint (created when missing); it serves once its health check passes.</summary>
    public async Task<EndpointDto> DeployAsync(string endpoint, string modelUri, string? reason = null, string? user = null, int? replicas = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, NativeApi + "endpoints", new DeployRequest { Name = endpoint, ModelUri = modelUri, Reason = reason, User = user, Replicas = replicas },
            s_json.DeployRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Sends <paramref name="percent"/> % of the endpoint's traffic to a new revision of another model.</summary>
    public async Task<EndpointDto> CanaryAsync(string endpoint, string modelUri, int percent, string? reason = null, string? user = null, int? replicas = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/canary", new CanaryRequest { ModelUri = modelUri, Percent = percent, Reason = reason, User = user, Replicas = replicas },
            s_json.CanaryRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Starts a shadow: a new revision scores a copy of every request; its answers are logged, never returned.</summary>
    public async Task<EndpointDto> ShadowAsync(string endpoint, string modelUri, string? reason = null, string? user = null, int? replicas = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/shadow", new ShadowRequest { ModelUri = modelUri, Reason = reason, User = user, Replicas = replicas },
            s_json.ShadowRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Sets how many requests a revision (the primary when none is named) scores at once.</summary>
    public async Task<EndpointDto> ScaleAsync(string endpoint, int replicas, int? revision = null, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/scale", new ScaleRequest { Revision = revision, Replicas = replicas, Reason = reason, User = user },
            s_json.ScaleRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Changes prediction logging and alias following; a null keeps the current value.</summary>
    public async Task<EndpointDto> ConfigureEndpointAsync(string endpoint, double? logSampleRate = null, bool? followAlias = null, string? reason = null, string? user = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/settings",
            new EndpointSettingsRequest { LogSampleRate = logSampleRate, FollowAlias = followAlias, Reason = reason, User = user },
            s_json.EndpointSettingsRequest, s_json.EndpointResponse, cancellationToken)).Endpoint!;

    /// <summary>Logged predictions of an endpoint, newest first.</summary>
    public async Task<PredictionsResponse> ListPredictionsAsync(string endpoint, int? revision = null, int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/predictions" + Query(
            ("revision", revision?.ToString(CultureInfo.InvariantCulture)), ("max_results", maxResults?.ToString(CultureInfo.InvariantCulture)), ("page_token", pageToken)), cancellationToken);
        return await ReadAsync(response, s_json.PredictionsResponse, cancellationToken);
    }

    /// <summary>How the live shadow (or the named revision) answers compared with the live answers to the same requests.</summary>
    public async Task<ShadowComparisonDto> CompareShadowAsync(string endpoint, int? shadow = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}endpoints/{Uri.EscapeDataString(endpoint)}/shadow-comparison" + Query(
            ("revision", shadow?.ToString(CultureInfo.InvariantCulture))), cancellationToken);
        return await ReadAsync(response, s_json.ShadowComparisonDto, cancellationToken);
    }

    /// <summary>
    /// Scores a request body (MLflow's scoring protocol: JSON or CSV) with the endpoint, as `mlflow models serve`
    /// clients do; returns the answer's JSON and which revision answered.
    /// </summary>
    public async Task<EndpointAnswer> InvokeEndpointAsync(string endpoint, string body, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await _http.PostAsync($"serving/{Uri.EscapeDataString(endpoint)}/invocations", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);

        var revision = response.Headers.TryGetValues("X-Mlops-Revision", out var values) && int.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var number) ? number : 0;
        var requestId = response.Headers.TryGetValues("X-Mlops-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        return new EndpointAnswer(text, revision, requestId);
    }

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

/// <summary>An endpoint's answer: the <c>{"predictions": ...}</c> JSON, the revision that answered, and the prediction log id when logged.</summary>
public sealed record EndpointAnswer(string Json, int Revision, string? RequestId);

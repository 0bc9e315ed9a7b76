using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mlops.Client.Contracts;

namespace Mlops.Client;

/// <summary>
/// A client for `mlops server` and any MLflow-compatible tracking server: experiments, runs, params,
/// metrics, tags, search, and artifacts through the server (no shared disk needed). Thread-safe.
/// </summary>
public sealed partial class MlopsClient : IDisposable
{
    /// <summary>MLflow's per-request limits; larger batches are split.</summary>
    public const int MaxMetricsPerBatch = 1000;

    /// <summary>Params per log-batch request.</summary>
    public const int MaxParamsPerBatch = 100;

    /// <summary>Tags per log-batch request.</summary>
    public const int MaxTagsPerBatch = 100;

    private const string Api = "api/2.0/mlflow/";
    private const string ArtifactsApi = "api/2.0/mlflow-artifacts/artifacts";
    private static readonly MlflowJsonContext s_json = MlflowJsonContext.Default;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Connects to a server, e.g. <c>http://127.0.0.1:5000</c>.</summary>
    public MlopsClient(string trackingUri)
        : this(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = NormaliseBase(trackingUri), Timeout = TimeSpan.FromMinutes(10) }, ownsHttpClient: true)
    {
    }

    /// <summary>Uses a caller-provided HttpClient whose BaseAddress is the server root.</summary>
    public MlopsClient(HttpClient httpClient, bool ownsHttpClient = false)
    {
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        if (_http.BaseAddress is { } address && !address.AbsoluteUri.EndsWith('/'))
        {
            _http.BaseAddress = new Uri(address.AbsoluteUri + "/");
        }
    }

    /// <summary>The server root this client talks to.</summary>
    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>The tracking URI from MLOPS_TRACKING_URI, else MLFLOW_TRACKING_URI, else http://127.0.0.1:5000.</summary>
    public static string DefaultTrackingUri =>
        Environment.GetEnvironmentVariable("MLOPS_TRACKING_URI") is { Length: > 0 } mlops ? mlops
        : Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI") is { Length: > 0 } mlflow && mlflow.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? mlflow
        : "http://127.0.0.1:5000";

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Checks that the server answers /health.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _http.GetAsync("health", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static Uri NormaliseBase(string uri) => new(uri.EndsWith('/') ? uri : uri + "/");

    private Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Api + path, body, requestType, responseType, cancellationToken);

    /// <summary>Sends a JSON body with any method (MLflow's registry uses PATCH and DELETE with bodies).</summary>
    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string url, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(method, url) { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private Task PostAsync<TRequest>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken) =>
        PostAsync(path, body, requestType, s_json.EmptyResponse, cancellationToken);

    private async Task<TResponse> GetAsync<TResponse>(string pathAndQuery, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(Api + pathAndQuery, cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken)
            ?? throw new MlopsApiException(response.StatusCode, "BAD_RESPONSE", "The server answered with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        ErrorResponse? error = null;
        string? problemDetail = null;
        string? problemTitle = null;
        try
        {
            error = JsonSerializer.Deserialize(text, s_json.ErrorResponse);
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail))
            {
                problemDetail = detail.GetString();
                problemTitle = document.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }

        if (error?.ErrorCode is { } code)
        {
            throw new MlopsApiException(response.StatusCode, code, error.Message ?? code);
        }

        // The native /api/v1 answers RFC 7807 problem details; give them MLflow's codes so callers handle one kind.
        var mapped = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "RESOURCE_DOES_NOT_EXIST",
            HttpStatusCode.Conflict when problemTitle == "Conflict" => "INVALID_STATE",
            HttpStatusCode.Conflict => "RESOURCE_ALREADY_EXISTS",
            HttpStatusCode.BadRequest => "INVALID_PARAMETER_VALUE",
            _ => "HTTP_" + (int)response.StatusCode,
        };
        throw new MlopsApiException(response.StatusCode, mapped, problemDetail ?? $"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {Truncate(text)}");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private static string Query(params (string Name, string? Value)[] pairs)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    private static List<KeyValueDto>? ToPairs(IReadOnlyDictionary<string, string>? items) =>
        items?.Select(kv => new KeyValueDto(kv.Key, kv.Value)).ToList();

    private static bool IsNotFound(MlopsApiException e) => e.StatusCode == HttpStatusCode.NotFound;

    private static async IAsyncEnumerable<T> PagesAsync<T>(Func<string?, Task<(List<T>? Items, string? Next)>> fetch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (items, next) = await fetch(token);
            foreach (var item in items ?? [])
            {
                yield return item;
            }

            token = next;
        }
        while (!string.IsNullOrEmpty(token));
    }
}

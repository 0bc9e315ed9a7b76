using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mlops.Server.Tests.Support;

/// <summary>Raw HTTP calls to the MLflow API with JSON bodies, plus the few set-up steps every test needs.</summary>
public static class MlflowHttp
{
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static async Task<ApiResponse> PostJsonAsync(this HttpClient http, string path, string json, string? contentType = "application/json")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.PostAsync(path, content);
        return await ApiResponse.ReadAsync(response);
    }

    public static Task<ApiResponse> PostJsonAsync(this HttpClient http, string path, JsonNode body) =>
        http.PostJsonAsync(path, body.ToJsonString());

    public static async Task<ApiResponse> GetApiAsync(this HttpClient http, string pathAndQuery)
    {
        using var response = await http.GetAsync(pathAndQuery);
        return await ApiResponse.ReadAsync(response);
    }

    public static async Task<string> CreateExperimentAsync(this HttpClient http, string prefix = "exp")
    {
        var json = (await http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = UniqueName(prefix) })).Succeeds();
        return (string)json["experiment_id"]!;
    }

    public static async Task<JsonObject> CreateRunAsync(this HttpClient http, string experimentId, string? runName = null, long? startTime = null)
    {
        var body = new JsonObject { ["experiment_id"] = experimentId, ["user_id"] = "tester" };
        if (runName is not null)
        {
            body["run_name"] = runName;
        }

        if (startTime is not null)
        {
            body["start_time"] = startTime;
        }

        var json = (await http.PostJsonAsync(Routes.Mlflow + "runs/create", body)).Succeeds();
        return json["run"]!.AsObject();
    }

    public static async Task<string> CreateRunIdAsync(this HttpClient http, string experimentId) =>
        (string)(await http.CreateRunAsync(experimentId))["info"]!["run_id"]!;

    public static async Task<JsonObject> GetRunAsync(this HttpClient http, string runId) =>
        (await http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=" + Routes.Escape(runId))).Succeeds()["run"]!.AsObject();

    /// <summary>The exact text of runs/get, to show that a rejected request changed nothing.</summary>
    public static async Task<string> SnapshotRunAsync(this HttpClient http, string runId)
    {
        var response = await http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=" + Routes.Escape(runId));
        response.Succeeds();
        return response.Body;
    }

    public static Task<ApiResponse> LogBatchAsync(this HttpClient http, string runId, JsonArray? metrics = null, JsonArray? parameters = null, JsonArray? tags = null)
    {
        var body = new JsonObject { ["run_id"] = runId };
        if (metrics is not null)
        {
            body["metrics"] = metrics;
        }

        if (parameters is not null)
        {
            body["params"] = parameters;
        }

        if (tags is not null)
        {
            body["tags"] = tags;
        }

        return http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", body);
    }

    public static JsonObject Metric(string key, double value, long step = 0, long timestamp = 1_700_000_000_000) =>
        new() { ["key"] = key, ["value"] = value, ["step"] = step, ["timestamp"] = timestamp };

    public static JsonObject Pair(string key, string value) => new() { ["key"] = key, ["value"] = value };

    /// <summary>The run's artifact root as a path under the proxied artifact service: "&lt;exp&gt;/&lt;run&gt;/artifacts".</summary>
    public static string ArtifactRoot(JsonObject run)
    {
        var uri = (string)run["info"]!["artifact_uri"]!;
        Assert.StartsWith("mlflow-artifacts:/", uri, StringComparison.Ordinal);
        return uri["mlflow-artifacts:/".Length..].Trim('/');
    }

    public static Dictionary<string, string> Pairs(JsonNode? list) =>
        list is null ? [] : list.AsArray().ToDictionary(p => (string)p!["key"]!, p => (string)p!["value"]!, StringComparer.Ordinal);

    public static Dictionary<string, JsonObject> Metrics(JsonObject run) =>
        run["data"]?["metrics"] is JsonArray metrics
            ? metrics.ToDictionary(m => (string)m!["key"]!, m => m!.AsObject(), StringComparer.Ordinal)
            : [];

    public static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);
}

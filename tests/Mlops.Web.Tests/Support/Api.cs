using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Mlops.Web.Tests.Support;

/// <summary>Makes test data through the server's real HTTP APIs (MLflow-compatible and /api/v1).</summary>
public static class Api
{
    public const string Mlflow = "api/2.0/mlflow/";

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public static async Task<JsonObject> PostAsync(this HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<string> CreateExperimentAsync(this HttpClient http, string name) =>
        (string)(await http.PostAsync(Mlflow + "experiments/create", new JsonObject { ["name"] = name }))["experiment_id"]!;

    public static async Task<string> CreateRunAsync(this HttpClient http, string experimentId, string name, long startTime = 1_700_000_000_000)
    {
        var run = await http.PostAsync(Mlflow + "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["run_name"] = name,
            ["user_id"] = "tester",
            ["start_time"] = startTime,
        });
        return (string)run["run"]!["info"]!["run_id"]!;
    }

    public static Task<JsonObject> LogAsync(this HttpClient http, string runId, IEnumerable<(string Key, double Value, long Step)>? metrics = null,
        IEnumerable<(string Key, string Value)>? parameters = null, IEnumerable<(string Key, string Value)>? tags = null) =>
        http.PostAsync(Mlflow + "runs/log-batch", new JsonObject
        {
            ["run_id"] = runId,
            ["metrics"] = new JsonArray((metrics ?? []).Select(m => (JsonNode)new JsonObject
            {
                ["key"] = m.Key, ["value"] = m.Value, ["step"] = m.Step, ["timestamp"] = 1_700_000_000_000 + m.Step * 1000,
            }).ToArray()),
            ["params"] = new JsonArray((parameters ?? []).Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value }).ToArray()),
            ["tags"] = new JsonArray((tags ?? []).Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray()),
        });

    /// <summary>Logs a long metric in batches of 1,000 (the API's per-request limit).</summary>
    public static async Task LogSeriesAsync(this HttpClient http, string runId, string key, int count, Func<long, double> value)
    {
        for (long start = 0; start < count; start += 1000)
        {
            var end = Math.Min(count, start + 1000);
            var points = new List<(string, double, long)>();
            for (var step = start; step < end; step++)
            {
                points.Add((key, value(step), step));
            }

            await http.LogAsync(runId, points);
        }
    }
}

/// <summary>Artifacts uploaded through the proxied artifact API, as `mlflow.log_artifact` does.</summary>
public static class ArtifactsApi
{
    public static async Task UploadAsync(this HttpClient http, string runId, string path, byte[] content)
    {
        var run = await http.GetJsonAsync(Api.Mlflow + "runs/get?run_id=" + runId);
        var root = ((string)run["run"]!["info"]!["artifact_uri"]!)["mlflow-artifacts:/".Length..].Trim('/');
        using var body = new ByteArrayContent(content);
        using var response = await http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{root}/{path}", body);
        Assert.True(response.IsSuccessStatusCode, $"upload {path}: {(int)response.StatusCode}");
    }
}

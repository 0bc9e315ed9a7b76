using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mlops.Cli.Tests.Support;

/// <summary>
/// One <c>mlops server --port 0 --home &lt;temp&gt; --quiet</c> per test class, plus the MLflow REST calls the
/// CLI cannot make yet (creating runs and logging to them).
/// </summary>
public sealed class MlopsServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _home = new();
    private MlopsServerProcess? _server;
    private HttpClient? _http;

    public string Home => _home.Path;

    public string TrackingUri => (_server ?? throw new InvalidOperationException("The server has not started.")).Uri;

    public HttpClient Http => _http ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        _server = await MlopsServerProcess.StartAsync(Home, ["--port", "0", "--home", Home, "--quiet"]);
        _http = new HttpClient { BaseAddress = new Uri(_server.Uri) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _home.Dispose();
    }

    /// <summary>Runs <c>mlops &lt;arguments&gt; --tracking-uri &lt;this server&gt;</c>.</summary>
    public Task<CliResult> RunAsync(params string[] arguments) => MlopsCli.RunAsync(Home, [.. arguments, "--tracking-uri", TrackingUri]);

    /// <summary>A name no other test uses, so tests sharing the server do not see each other's data.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public async Task<string> CreateExperimentAsync(string name)
    {
        var response = await PostAsync("api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = name });
        return response["experiment_id"]!.GetValue<string>();
    }

    /// <summary>Creates a run through the MLflow REST API and logs metrics (step 0) and params in one batch.</summary>
    public async Task<string> CreateRunAsync(string experimentId, string runName, IReadOnlyDictionary<string, double>? metrics = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var created = await PostAsync("api/2.0/mlflow/runs/create", new JsonObject { ["experiment_id"] = experimentId, ["run_name"] = runName });
        var runId = created["run"]!["info"]!["run_id"]!.GetValue<string>();
        var batch = new JsonObject
        {
            ["run_id"] = runId,
            ["metrics"] = new JsonArray((metrics ?? new Dictionary<string, double>())
                .Select(m => (JsonNode)new JsonObject { ["key"] = m.Key, ["value"] = m.Value, ["timestamp"] = 1, ["step"] = 0 }).ToArray()),
            ["params"] = new JsonArray((parameters ?? new Dictionary<string, string>())
                .Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value }).ToArray()),
        };
        await PostAsync("api/2.0/mlflow/runs/log-batch", batch);
        return runId;
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode,
            string.Create(CultureInfo.InvariantCulture, $"POST {path} {body.ToJsonString()} answered {(int)response.StatusCode}: {text}"));
        return JsonNode.Parse(text) ?? new JsonObject();
    }
}

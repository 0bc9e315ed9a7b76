using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.ScaleOut;

/// <summary>
/// `mlops db migrate`: a SQLite store filled through a real server (experiments, runs with metrics, a trained and
/// registered model with an alias, jobs, an endpoint) is copied into a fresh PostgreSQL database, every table
/// verified; a server on PostgreSQL then serves the same data, keeps ids, scores with the migrated endpoint, and
/// hands out new ids after the copied ones. A second migration into the now-used database is refused.
/// </summary>
public sealed class DbMigrateTests
{
    [PostgresFact]
    public async Task Migrates_a_sqlite_store_into_postgres_verified_and_a_server_on_postgres_serves_the_same_data()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync("migrate");
        using var home = new TempDirectory();
        var model = "migrated-model";
        JsonObject experimentBefore;
        JsonObject runBefore;
        JsonObject historyBefore;
        await using (var sqliteServer = await MlopsServerProcess.StartAsync(home.Path, ["--port", "0"]))
        {
            using var http = Client(sqliteServer.Uri);
            var experimentId = (await PostAsync(http, "api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = "migrated" }))["experiment_id"]!.GetValue<string>();
            var runId = (await PostAsync(http, "api/2.0/mlflow/runs/create", new JsonObject { ["experiment_id"] = experimentId, ["run_name"] = "naïve ✓ run" }))["run"]!["info"]!["run_id"]!.GetValue<string>();
            var metrics = new JsonArray([.. Enumerable.Range(0, 500).Select(i => (JsonNode)new JsonObject { ["key"] = "loss", ["value"] = 1.0 / (i + 1), ["timestamp"] = 1_700_000_000_000L + i, ["step"] = i })]);
            await PostAsync(http, "api/2.0/mlflow/runs/log-batch", new JsonObject
            {
                ["run_id"] = runId,
                ["metrics"] = metrics,
                ["params"] = new JsonArray(new JsonObject { ["key"] = "lr", ["value"] = "0.01" }),
                ["tags"] = new JsonArray(new JsonObject { ["key"] = "team", ["value"] = "fraud" }),
            });
            await SampleModels.TrainAndRegisterAsync(home.Path, sqliteServer.Uri, model, iterations: 20);
            (await MlopsCli.RunAsync(home.Path, ["deploy", "create", "migrated", "--model", $"models:/{model}@champion", "--tracking-uri", sqliteServer.Uri])).ShouldSucceed();
            experimentBefore = await GetAsync(http, $"api/2.0/mlflow/experiments/get?experiment_id={experimentId}");
            runBefore = await GetAsync(http, $"api/2.0/mlflow/runs/get?run_id={runId}");
            historyBefore = await GetAsync(http, $"api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss&max_results=1000");
        }

        var migrated = (await MlopsCli.RunAsync(home.Path, ["db", "migrate", "--to", database.Uri])).ShouldSucceed();
        var again = await MlopsCli.RunAsync(home.Path, ["db", "migrate", "--to", database.Uri]);

        Assert.Contains("every table verified", migrated.Stdout, StringComparison.Ordinal);
        Assert.Contains("metrics", migrated.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("NO (", migrated.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("already holds data", again.Stderr, StringComparison.Ordinal);

        await using var postgresServer = await MlopsServerProcess.StartAsync(home.Path, ["--port", "0", "--backend-store-uri", database.Uri]);
        using var pg = Client(postgresServer.Uri);
        var experimentId2 = experimentBefore["experiment"]!["experiment_id"]!.GetValue<string>();
        var runId2 = runBefore["run"]!["info"]!["run_id"]!.GetValue<string>();
        Assert.Equal(experimentBefore.ToJsonString(), (await GetAsync(pg, $"api/2.0/mlflow/experiments/get?experiment_id={experimentId2}")).ToJsonString());
        Assert.Equal(runBefore.ToJsonString(), (await GetAsync(pg, $"api/2.0/mlflow/runs/get?run_id={runId2}")).ToJsonString());
        Assert.Equal(historyBefore.ToJsonString(), (await GetAsync(pg, $"api/2.0/mlflow/metrics/get-history?run_id={runId2}&metric_key=loss&max_results=1000")).ToJsonString());
        var version = await GetAsync(pg, $"api/2.0/mlflow/registered-models/alias?name={model}&alias=champion");
        Assert.Equal("1", version["model_version"]!["version"]!.GetValue<string>());
        var row = File.ReadLines(Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv")).Take(2).ToArray();
        using var scored = await pg.PostAsync("serving/migrated/invocations", new StringContent(row[0] + "\n" + row[1] + "\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        var newExperiment = (await PostAsync(pg, "api/2.0/mlflow/experiments/create", new JsonObject { ["name"] = "after-migration" }))["experiment_id"]!.GetValue<string>();
        Assert.True(long.Parse(newExperiment, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(experimentId2, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static HttpClient Client(string uri) => new() { BaseAddress = new Uri(uri.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(1) };

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}

using System.Text.Json.Nodes;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests.Postgres;

/// <summary>
/// The main MLflow API flows through real servers on a PostgreSQL backend. Writes go to one server and reads to
/// the other, which shows the servers keep no state of their own.
/// </summary>
[RequiresPostgres]
public sealed class PostgresServerTests(PostgresServersFixture servers) : IClassFixture<PostgresServersFixture>
{
    private HttpClient First => servers.Servers[0];

    private HttpClient Second => servers.Servers[1];

    [Fact]
    public async Task Logs_a_batch_through_one_server_and_searches_it_through_the_other()
    {
        var experimentId = await First.CreateExperimentAsync("pg");
        var runIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var runId = await First.CreateRunIdAsync(experimentId);
            runIds.Add(runId);
            var metrics = new JsonArray(Enumerable.Range(0, 100).Select(step => (JsonNode)Metric("loss", 1.0 / (step + 1), step: step)).ToArray());
            metrics.Add(Metric("acc", 0.5 + (i * 0.1)));
            (await First.LogBatchAsync(runId, metrics, new JsonArray(Pair("lr", i % 2 == 0 ? "0.01" : "0.1")), new JsonArray(Pair("team", "pg")))).Succeeds();
        }

        var body = new JsonObject
        {
            ["experiment_ids"] = new JsonArray(experimentId),
            ["filter"] = "metrics.acc > 0.55 and params.lr = '0.01' and tags.team = 'pg'",
            ["order_by"] = new JsonArray("metrics.acc DESC"),
            ["max_results"] = 10,
        };
        var found = (await Second.PostJsonAsync(Routes.Mlflow + "runs/search", body)).Succeeds()["runs"]!.AsArray();

        Assert.Equal([runIds[4], runIds[2]], found.Select(r => (string)r!["info"]!["run_id"]!));
        var history = (await Second.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runIds[0] + "&metric_key=loss")).Succeeds();
        Assert.Equal(100, history["metrics"]!.AsArray().Count);
        Assert.Equal(0.5, (double)Metrics(await Second.GetRunAsync(runIds[0]))["acc"]["value"]!);
    }

    [Fact]
    public async Task Rejects_a_changed_param_the_same_way_as_on_sqlite()
    {
        var runId = await First.CreateRunIdAsync(await First.CreateExperimentAsync("pg-param"));
        (await First.LogBatchAsync(runId, parameters: new JsonArray(Pair("lr", "0.01")))).Succeeds();

        var response = await Second.LogBatchAsync(runId, parameters: new JsonArray(Pair("lr", "0.02")));

        response.IsInvalid();
        Assert.Equal("0.01", Pairs((await First.GetRunAsync(runId))["data"]!["params"])["lr"]);
    }

    [Fact]
    public async Task Runs_each_job_submitted_through_either_server_exactly_once_on_the_two_embedded_workers()
    {
        using var first = new MlopsClient(new HttpClient { BaseAddress = First.BaseAddress }, ownsHttpClient: true);
        using var second = new MlopsClient(new HttpClient { BaseAddress = Second.BaseAddress }, ownsHttpClient: true);

        var submitted = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).SubmitJobAsync("noop", $$"""{"result": {{i}}}""")));

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var done = new List<JobDto>();
        foreach (var job in submitted)
        {
            var current = await second.GetJobAsync(job.Id, timeout.Token);
            while (current.Status is not ("succeeded" or "failed" or "cancelled"))
            {
                await Task.Delay(50, timeout.Token);
                current = await first.GetJobAsync(job.Id, timeout.Token);
            }

            done.Add(current);
        }

        Assert.All(done, job => Assert.Equal(("succeeded", 1), (job.Status, job.Attempts)));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), done.Select(j => j.Result));
    }

    [Fact]
    public async Task Numbers_model_versions_registered_through_both_servers_without_gaps()
    {
        var name = UniqueName("pg-model");
        await First.CreateModelAsync(name);
        var model = await First.NewModelRunAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? First : Second).CreateVersionAsync(name, model.ArtifactSource, model.RunId)));

        Assert.Equal(Enumerable.Range(1, 10), responses.Select(r => int.Parse((string)r.Succeeds()["model_version"]!["version"]!, System.Globalization.CultureInfo.InvariantCulture)).Order());
    }
}

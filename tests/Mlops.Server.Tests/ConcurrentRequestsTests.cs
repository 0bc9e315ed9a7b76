using System.Net;
using System.Text.Json.Nodes;
using Mlops.Client;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

/// <summary>Many clients at once against one SQLite file: no 500s, no lost writes, races decided cleanly.</summary>
public sealed class ConcurrentRequestsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Parallel_batches_to_one_run_all_land()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("parallel"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(worker =>
            _http.LogBatchAsync(runId,
                new JsonArray(Enumerable.Range(0, 50).Select(i => (JsonNode)Metric("loss", i, step: worker * 50 + i)).ToArray()),
                new JsonArray(Pair($"p{worker}", "v")),
                new JsonArray(Pair($"t{worker}", "v")))));

        Assert.All(responses, r => r.Succeeds());
        var history = (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={runId}&metric_key=loss")).Succeeds();
        Assert.Equal(2000, history["metrics"]!.AsArray().Count);
        var run = await _http.GetRunAsync(runId);
        Assert.Equal(40, Pairs(run["data"]!["params"]).Count);
        Assert.Equal(1999, (long)Metrics(run)["loss"]["step"]!);
    }

    [Fact]
    public async Task Racing_writes_of_one_param_with_different_values_leave_exactly_one_value()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("param-race"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "seed", ["value"] = $"{i}" })));

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => r.IsInvalid());
        Assert.Single(Pairs((await _http.GetRunAsync(runId))["data"]!["params"]));
    }

    [Fact]
    public async Task Racing_creates_of_one_experiment_name_give_one_experiment_and_resource_already_exists()
    {
        var name = UniqueName("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name })));

        Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => r.Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS"));
    }

    [Fact]
    public async Task Racing_get_or_create_calls_agree_on_one_experiment()
    {
        var name = UniqueName("get-or-create-race");
        using var client = new MlopsClient(server.BaseAddress.AbsoluteUri);

        var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => client.GetOrCreateExperimentAsync(name)));

        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task Parallel_runs_and_reads_do_not_fail()
    {
        var experimentId = await _http.CreateExperimentAsync("mixed");

        var work = Enumerable.Range(0, 30).Select(async i =>
        {
            var runId = await _http.CreateRunIdAsync(experimentId);
            (await _http.LogBatchAsync(runId, new JsonArray(Metric("m", i)))).Succeeds();
            (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(experimentId) })).Succeeds();
            (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject { ["run_id"] = runId, ["status"] = "FINISHED" })).Succeeds();
        });
        await Task.WhenAll(work);

        var all = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = "attributes.status = 'FINISHED'" })).Succeeds();
        Assert.Equal(30, all["runs"]!.AsArray().Count);
    }
}

using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

public sealed class SearchApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    private async Task<string[]> SearchRunIdsAsync(JsonObject body)
    {
        var json = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", body)).Succeeds();
        return json["runs"] is JsonArray runs ? runs.Select(r => (string)r!["info"]!["run_id"]!).ToArray() : [];
    }

    /// <summary>An experiment with three runs: acc 0.2/0.6/0.9, lr params, a FINISHED one and a tagged one.</summary>
    private async Task<(string ExperimentId, string[] RunIds)> SeedAsync()
    {
        var experimentId = await _http.CreateExperimentAsync("search");
        var ids = new string[3];
        var acc = new[] { 0.2, 0.6, 0.9 };
        var lr = new[] { "0.1", "0.01", "0.01" };
        for (var i = 0; i < 3; i++)
        {
            ids[i] = (string)(await _http.CreateRunAsync(experimentId, $"run-{i}", startTime: 1_700_000_000_000 + i))["info"]!["run_id"]!;
            (await _http.LogBatchAsync(ids[i], new JsonArray(Metric("acc", acc[i])), new JsonArray(Pair("lr", lr[i])), new JsonArray(Pair("group", i == 2 ? "best" : "rest")))).Succeeds();
        }

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject { ["run_id"] = ids[0], ["status"] = "FINISHED" })).Succeeds();
        return (experimentId, ids);
    }

    [Fact]
    public async Task Pages_through_every_run_with_max_results_2()
    {
        var experimentId = await _http.CreateExperimentAsync("paging");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await _http.CreateRunIdAsync(experimentId));
        }

        var seen = new List<string>();
        var pageSizes = new List<int>();
        string? token = null;
        do
        {
            var body = new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["max_results"] = 2 };
            if (token is not null)
            {
                body["page_token"] = token;
            }

            var page = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", body)).Succeeds();
            var runs = page["runs"]!.AsArray();
            pageSizes.Add(runs.Count);
            seen.AddRange(runs.Select(r => (string)r!["info"]!["run_id"]!));
            token = (string?)page["next_page_token"];
        }
        while (token is not null);

        Assert.Equal([2, 2, 1], pageSizes);
        Assert.Equal(created.Order(), seen.Order());
    }

    [Fact]
    public async Task Filters_on_metrics_params_tags_and_attributes()
    {
        var (experimentId, ids) = await SeedAsync();

        async Task<string[]> Find(string filter) =>
            (await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = filter })).Order().ToArray();

        Assert.Equal(new[] { ids[1], ids[2] }.Order(), await Find("metrics.acc > 0.5"));
        Assert.Equal(new[] { ids[1], ids[2] }.Order(), await Find("params.lr = '0.01'"));
        Assert.Equal([ids[2]], await Find("metrics.acc > 0.5 and tags.group = 'best'"));
        Assert.Equal([ids[0]], await Find("attributes.status = 'FINISHED'"));
        Assert.Equal([ids[1]], await Find("attributes.run_name = 'run-1'"));
        Assert.Equal([ids[2]], await Find($"attributes.run_id IN ('{ids[2]}')"));
        Assert.Equal(new[] { ids[0], ids[1] }.Order(), await Find("tags.group LIKE 're%'"));
        Assert.Empty(await Find("metrics.acc > 5"));
    }

    [Fact]
    public async Task Filters_on_dotted_and_quoted_keys()
    {
        var experimentId = await _http.CreateExperimentAsync("quoted");
        var runId = await _http.CreateRunIdAsync(experimentId);
        var other = await _http.CreateRunIdAsync(experimentId);
        (await _http.LogBatchAsync(runId, new JsonArray(Metric("val loss", 0.3)), new JsonArray(Pair("model.layers", "4")), new JsonArray(Pair("my tag", "x")))).Succeeds();

        async Task<string[]> Find(string filter) =>
            await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = filter });

        Assert.Equal([runId], await Find("params.model.layers = '4'"));
        Assert.Equal([runId], await Find("params.`model.layers` = '4'"));
        Assert.Equal([runId], await Find("metrics.\"val loss\" < 0.5"));
        Assert.Equal([runId], await Find("tags.`my tag` = 'x'"));
        Assert.Equal([other], await Find($"tags.mlflow.runName = '{(string)(await _http.GetRunAsync(other))["info"]!["run_name"]!}'"));
    }

    [Fact]
    public async Task Filters_on_string_patterns_and_numeric_attributes()
    {
        var (experimentId, ids) = await SeedAsync();

        async Task<string[]> Find(string filter) =>
            (await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = filter })).Order().ToArray();

        Assert.Equal(ids.Order(), await Find("attributes.run_name ILIKE 'RUN-%'"));
        Assert.Empty(await Find("attributes.run_name LIKE 'RUN-%'"));
        Assert.Equal(new[] { ids[1], ids[2] }.Order(), await Find("attributes.start_time >= 1700000000001"));
        Assert.Equal([ids[0]], await Find("params.lr != '0.01'"));
        Assert.Equal(new[] { ids[0], ids[1] }.Order(), await Find("metrics.acc <= 0.6"));
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), await Find("metrics.acc != 0.6"));
    }

    [Fact]
    public async Task Filters_on_datasets()
    {
        var experimentId = await _http.CreateExperimentAsync("datasets");
        var withData = await _http.CreateRunIdAsync(experimentId);
        await _http.CreateRunIdAsync(experimentId);
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-inputs", new JsonObject
        {
            ["run_id"] = withData,
            ["datasets"] = new JsonArray(new JsonObject
            {
                ["tags"] = new JsonArray(Pair("mlflow.data.context", "training")),
                ["dataset"] = new JsonObject { ["name"] = "iris", ["digest"] = "d1", ["source_type"] = "local", ["source"] = "{}" },
            }),
        })).Succeeds();

        async Task<string[]> Find(string filter) =>
            await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = filter });

        Assert.Equal([withData], await Find("datasets.name = 'iris'"));
        Assert.Equal([withData], await Find("datasets.digest IN ('d1', 'd2')"));
        Assert.Equal([withData], await Find("datasets.context = 'training'"));
        Assert.Empty(await Find("datasets.name = 'mnist'"));
    }

    [Fact]
    public async Task Runs_come_newest_first_by_default_and_order_by_start_time_ascending_on_request()
    {
        var experimentId = await _http.CreateExperimentAsync("order");
        var early = (string)(await _http.CreateRunAsync(experimentId, startTime: 1_000))["info"]!["run_id"]!;
        var late = (string)(await _http.CreateRunAsync(experimentId, startTime: 3_000))["info"]!["run_id"]!;
        var middle = (string)(await _http.CreateRunAsync(experimentId, startTime: 2_000))["info"]!["run_id"]!;

        var byDefault = await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId) });
        var ascending = await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["order_by"] = new JsonArray("attributes.start_time ASC") });

        Assert.Equal([late, middle, early], byDefault);
        Assert.Equal([early, middle, late], ascending);
    }

    [Fact]
    public async Task Orders_by_a_metric_descending()
    {
        var (experimentId, ids) = await SeedAsync();

        var found = await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["order_by"] = new JsonArray("metrics.acc DESC") });

        Assert.Equal([ids[2], ids[1], ids[0]], found);
    }

    [Fact]
    public async Task Run_view_type_selects_active_deleted_or_all_runs()
    {
        var (experimentId, ids) = await SeedAsync();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete", new JsonObject { ["run_id"] = ids[1] })).Succeeds();

        async Task<string[]> Find(JsonNode? viewType)
        {
            var body = new JsonObject { ["experiment_ids"] = new JsonArray(experimentId) };
            if (viewType is not null)
            {
                body["run_view_type"] = viewType;
            }

            return (await SearchRunIdsAsync(body)).Order().ToArray();
        }

        Assert.Equal(new[] { ids[0], ids[2] }.Order(), await Find(null));
        Assert.Equal(new[] { ids[0], ids[2] }.Order(), await Find("ACTIVE_ONLY"));
        Assert.Equal([ids[1]], await Find("DELETED_ONLY"));
        Assert.Equal(ids.Order(), await Find("ALL"));
        Assert.Equal([ids[1]], await Find(2));
    }

    [Fact]
    public async Task Experiment_ids_sent_as_json_numbers_are_accepted()
    {
        var (experimentId, ids) = await SeedAsync();

        var response = await _http.PostJsonAsync(Routes.Mlflow + "runs/search", $$"""{"experiment_ids": [{{experimentId}}], "max_results": 10}""");

        Assert.Equal(ids.Order(), response.Succeeds()["runs"]!.AsArray().Select(r => (string)r!["info"]!["run_id"]!).Order());
    }

    [Fact]
    public async Task Searches_several_experiments_at_once()
    {
        var (first, firstIds) = await SeedAsync();
        var (second, secondIds) = await SeedAsync();

        var found = await SearchRunIdsAsync(new JsonObject { ["experiment_ids"] = new JsonArray(first, second) });

        Assert.Equal(firstIds.Concat(secondIds).Order(), found.Order());
    }

    [Fact]
    public async Task Search_results_carry_data_like_runs_get()
    {
        var (experimentId, ids) = await SeedAsync();

        var json = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject
        {
            ["experiment_ids"] = new JsonArray(experimentId),
            ["filter"] = $"attributes.run_id = '{ids[2]}'",
        })).Succeeds();

        var found = json["runs"]![0]!.AsObject();
        var direct = await _http.GetRunAsync(ids[2]);
        Assert.Equal(direct.ToJsonString(), found.ToJsonString());
    }

    [Fact]
    public async Task No_experiment_ids_find_no_runs()
    {
        var json = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", "{}")).Succeeds();

        Assert.True(json["runs"] is null || json["runs"]!.AsArray().Count == 0, json.ToJsonString());
    }

    [Theory]
    [InlineData("metrics.acc >>> 1")]
    [InlineData("metrics.acc > ")]
    [InlineData("params.lr = 0.01 and")]
    [InlineData("bogus.thing = 'x'")]
    public async Task An_invalid_filter_is_400_naming_the_column(string filter)
    {
        var experimentId = await _http.CreateExperimentAsync("bad-filter");

        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(experimentId), ["filter"] = filter })).IsInvalid();

        Assert.Contains("column", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_experiment_filter_is_400_naming_the_column()
    {
        var message = (await _http.PostJsonAsync(Routes.Mlflow + "experiments/search", new JsonObject { ["filter"] = "name === 'x'" })).IsInvalid();

        Assert.Contains("column", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"experiment_ids": ["0"], "max_results": -1}""")]
    [InlineData("""{"experiment_ids": ["0"], "max_results": 50001}""")]
    [InlineData("""{"experiment_ids": ["0"], "page_token": "not-a-token"}""")]
    [InlineData("""{"experiment_ids": ["0"], "run_view_type": "SOMETIMES"}""")]
    [InlineData("""{"experiment_ids": ["abc"]}""")]
    [InlineData("""{"experiment_ids": ["0"], "order_by": ["metrics.acc SIDEWAYS"]}""")]
    public async Task Bad_search_arguments_are_400(string body)
    {
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", body)).IsInvalid();
    }
}

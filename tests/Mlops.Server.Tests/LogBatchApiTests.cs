using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

public sealed class LogBatchApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    private async Task<string> NewRunAsync() => await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("batch"));

    private static JsonArray Metrics(int count, string key = "m") =>
        new(Enumerable.Range(0, count).Select(i => (JsonNode)Metric(key, i * 0.5, step: i)).ToArray());

    private static JsonArray Params(int count, string prefix = "p") =>
        new(Enumerable.Range(0, count).Select(i => (JsonNode)Pair($"{prefix}{i}", $"v{i}")).ToArray());

    [Fact]
    public async Task Writes_metrics_params_and_tags_in_one_request()
    {
        var runId = await NewRunAsync();

        var response = await _http.LogBatchAsync(runId,
            metrics: new JsonArray(Metric("acc", 0.9, step: 1), Metric("loss", 0.1, step: 1)),
            parameters: new JsonArray(Pair("lr", "0.01"), Pair("optimizer", "adam")),
            tags: new JsonArray(Pair("stage", "dev")));

        Assert.Empty(response.Succeeds());
        var run = await _http.GetRunAsync(runId);
        Assert.Equal(0.9, (double)MlflowHttp.Metrics(run)["acc"]["value"]!);
        Assert.Equal(0.1, (double)MlflowHttp.Metrics(run)["loss"]["value"]!);
        Assert.Equal(new Dictionary<string, string> { ["lr"] = "0.01", ["optimizer"] = "adam" }, Pairs(run["data"]!["params"]));
        Assert.Equal("dev", Pairs(run["data"]!["tags"])["stage"]);
    }

    [Fact]
    public async Task Accepts_exactly_1000_metrics_and_100_params_at_the_limits()
    {
        var runId = await NewRunAsync();

        (await _http.LogBatchAsync(runId, metrics: Metrics(1000))).Succeeds();
        (await _http.LogBatchAsync(runId, parameters: Params(100), tags: Params(100, "t"))).Succeeds();

        var history = (await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runId + "&metric_key=m")).Succeeds();
        Assert.Equal(1000, history["metrics"]!.AsArray().Count);
        Assert.Equal(100, Pairs((await _http.GetRunAsync(runId))["data"]!["params"]).Count);
    }

    [Fact]
    public async Task An_empty_batch_succeeds_for_an_existing_run()
    {
        var runId = await NewRunAsync();

        Assert.Empty((await _http.LogBatchAsync(runId)).Succeeds());
    }

    [Fact]
    public async Task Identical_metric_points_are_stored_once()
    {
        var runId = await NewRunAsync();

        (await _http.LogBatchAsync(runId, metrics: new JsonArray(Metric("dup", 1, step: 1), Metric("dup", 1, step: 1)))).Succeeds();
        (await _http.LogBatchAsync(runId, metrics: new JsonArray(Metric("dup", 1, step: 1), Metric("dup", 2, step: 1)))).Succeeds();

        var history = (await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runId + "&metric_key=dup")).Succeeds();
        Assert.Equal([1.0, 2.0], history["metrics"]!.AsArray().Select(m => (double)m!["value"]!));
    }

    [Fact]
    public async Task A_changed_param_value_is_400_and_nothing_of_the_batch_is_written()
    {
        var runId = await NewRunAsync();
        (await _http.LogBatchAsync(runId, parameters: new JsonArray(Pair("lr", "0.1")))).Succeeds();
        var before = await _http.SnapshotRunAsync(runId);

        var message = (await _http.LogBatchAsync(runId,
            metrics: new JsonArray(Metric("acc", 0.5)),
            parameters: new JsonArray(Pair("fresh", "1"), Pair("lr", "0.2")),
            tags: new JsonArray(Pair("new-tag", "x")))).IsInvalid();

        Assert.Contains("Changing param values is not allowed", message, StringComparison.Ordinal);
        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
        var history = (await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runId + "&metric_key=acc")).Succeeds();
        Assert.True(history["metrics"] is null || history["metrics"]!.AsArray().Count == 0, history.ToJsonString());
    }

    [Fact]
    public async Task The_same_key_twice_in_one_batch_with_different_values_is_refused()
    {
        var runId = await NewRunAsync();
        var before = await _http.SnapshotRunAsync(runId);

        (await _http.LogBatchAsync(runId, parameters: new JsonArray(Pair("k", "1"), Pair("k", "2")))).IsInvalid();
        (await _http.LogBatchAsync(runId, parameters: new JsonArray(Pair("same", "1"), Pair("same", "1")))).Succeeds();

        Assert.Equal("1", Pairs((await _http.GetRunAsync(runId))["data"]!["params"])["same"]);
        Assert.DoesNotContain("\"k\"", before, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1001, 0, 0)]
    [InlineData(0, 101, 0)]
    [InlineData(0, 0, 101)]
    [InlineData(950, 50, 50)]
    public async Task An_oversized_batch_is_400_and_writes_nothing(int metrics, int parameters, int tags)
    {
        var runId = await NewRunAsync();
        var before = await _http.SnapshotRunAsync(runId);

        var message = (await _http.LogBatchAsync(runId, Metrics(metrics), Params(parameters), Params(tags, "t"))).IsInvalid();

        Assert.Contains("at most", message, StringComparison.Ordinal);
        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
    }

    [Fact]
    public async Task Param_values_up_to_6000_characters_are_accepted_and_6001_refused()
    {
        var runId = await NewRunAsync();

        (await _http.LogBatchAsync(runId, parameters: new JsonArray(Pair("ok", new string('a', 6000))))).Succeeds();
        var before = await _http.SnapshotRunAsync(runId);
        (await _http.LogBatchAsync(runId, parameters: new JsonArray(Pair("long", new string('a', 6001))))).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "long", ["value"] = new string('a', 6001) })).IsInvalid();

        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
        Assert.Equal(6000, Pairs((await _http.GetRunAsync(runId))["data"]!["params"])["ok"].Length);
    }

    [Fact]
    public async Task Tag_values_up_to_5000_characters_are_accepted_and_5001_refused()
    {
        var runId = await NewRunAsync();

        (await _http.LogBatchAsync(runId, tags: new JsonArray(Pair("ok", new string('t', 5000))))).Succeeds();
        var before = await _http.SnapshotRunAsync(runId);
        (await _http.LogBatchAsync(runId, tags: new JsonArray(Pair("long", new string('t', 5001))))).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = runId, ["key"] = "long", ["value"] = new string('t', 5001) })).IsInvalid();

        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
    }

    [Fact]
    public async Task A_body_of_100_params_of_6000_characters_is_accepted()
    {
        // About 600 KB: within MLflow's item limits, so within the server's 2 MB body limit.
        var runId = await NewRunAsync();
        var parameters = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)Pair($"big{i}", new string('x', 6000))).ToArray());

        (await _http.LogBatchAsync(runId, parameters: parameters)).Succeeds();

        Assert.Equal(100, Pairs((await _http.GetRunAsync(runId))["data"]!["params"]).Count);
    }

    [Fact]
    public async Task A_body_over_2_MB_with_content_length_is_400_and_writes_nothing()
    {
        var runId = await NewRunAsync();
        var before = await _http.SnapshotRunAsync(runId);
        var body = new JsonObject
        {
            ["run_id"] = runId,
            ["tags"] = new JsonArray(Pair("t", "x")),
            ["padding"] = new string(' ', 2 * 1024 * 1024 + 1),
        };

        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", body)).IsInvalid();

        Assert.Contains("bytes", message, StringComparison.Ordinal);
        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
    }

    [Fact]
    public async Task A_chunked_body_over_2_MB_is_400_and_writes_nothing()
    {
        var runId = await NewRunAsync();
        var before = await _http.SnapshotRunAsync(runId);
        var json = Encoding.UTF8.GetBytes($$"""{"run_id": "{{runId}}", "tags": [{"key": "t", "value": "x"}], "padding": "{{new string('p', 3 * 1024 * 1024)}}"}""");
        using var content = new StreamContent(new UnseekableStream(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _http.PostAsync(Routes.Mlflow + "runs/log-batch", content);

        (await ApiResponse.ReadAsync(response)).IsInvalid();
        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
    }

    [Fact]
    public async Task Missing_run_id_is_400_naming_run_id()
    {
        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", new JsonObject { ["metrics"] = new JsonArray(Metric("m", 1)) })).IsInvalid();

        Assert.Contains("run_id", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"key": "m", "timestamp": 1}""", "metrics[0].value")]
    [InlineData("""{"key": "m", "value": 1}""", "metrics[0].timestamp")]
    [InlineData("""{"value": 1, "timestamp": 1}""", "metrics[0].key")]
    public async Task A_metric_missing_a_field_is_400_naming_the_field(string metric, string field)
    {
        var runId = await NewRunAsync();

        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{{metric}}]}""")).IsInvalid();

        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ajax_prefix_accepts_a_batch()
    {
        var runId = await NewRunAsync();

        (await _http.PostJsonAsync(Routes.AjaxMlflow + "runs/log-batch", new JsonObject { ["run_id"] = runId, ["params"] = new JsonArray(Pair("via", "ajax")) })).Succeeds();

        Assert.Equal("ajax", Pairs((await _http.GetRunAsync(runId))["data"]!["params"])["via"]);
    }
}

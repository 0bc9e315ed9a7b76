using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

/// <summary>
/// Every class of bad input answers 400/404/413 in MLflow's error format, and the data that existed before
/// (an experiment, a run with a metric, a param, a tag and an artifact) is exactly as it was afterwards.
/// </summary>
public sealed class BadInputTests(ServerFixture server) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly HttpClient _http = server.Http;
    private string _experimentId = "";
    private string _runId = "";
    private string _root = "";
    private string _experimentSnapshot = "";
    private string _runSnapshot = "";

    public async Task InitializeAsync()
    {
        _experimentId = await _http.CreateExperimentAsync("bad-input");
        var run = await _http.CreateRunAsync(_experimentId, "victim");
        _runId = (string)run["info"]!["run_id"]!;
        _root = ArtifactRoot(run);
        (await _http.LogBatchAsync(_runId, new JsonArray(Metric("loss", 0.5, step: 1)), new JsonArray(Pair("lr", "0.1")), new JsonArray(Pair("team", "a")))).Succeeds();
        using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes("weights")))
        using (var put = await _http.PutAsync(Routes.Artifact(_root + "/model.bin"), content))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        _experimentSnapshot = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + _experimentId)).Body;
        _runSnapshot = await _http.SnapshotRunAsync(_runId);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task AssertIntactAsync()
    {
        Assert.Equal("OK", await _http.GetStringAsync("health"));
        Assert.Equal(_experimentSnapshot, (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + _experimentId)).Body);
        Assert.Equal(_runSnapshot, await _http.SnapshotRunAsync(_runId));
        var history = (await _http.GetApiAsync(Routes.Mlflow + $"metrics/get-history?run_id={_runId}&metric_key=loss")).Succeeds();
        Assert.Single(history["metrics"]!.AsArray());
        Assert.Equal("weights", await _http.GetStringAsync(Routes.Artifact(_root + "/model.bin")));
    }

    private string Fill(string template) =>
        template.Replace("{run}", _runId, StringComparison.Ordinal).Replace("{exp}", _experimentId, StringComparison.Ordinal);

    [Theory]
    [InlineData("experiments/create", "{")]
    [InlineData("experiments/create", "not json")]
    [InlineData("experiments/create", """{"name": }""")]
    [InlineData("experiments/create", """{"name": "x",}""")]
    [InlineData("experiments/create", """{"name": "x"} trailing""")]
    [InlineData("experiments/create", """{"name": "x" /* comment */}""")]
    [InlineData("experiments/create", "")]
    [InlineData("experiments/create", "null")]
    [InlineData("experiments/create", "[]")]
    [InlineData("experiments/create", "\"a string\"")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "metrics": [{"key": "loss", "value": 1, "timestamp": 1""")]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": 1, "timestamp": 1, }""")]
    [InlineData("runs/search", """{"experiment_ids": ["{exp}"]""")]
    [InlineData("experiments/search", "{{}}")]
    [InlineData("runs/update", """{"run_id": "{run}", "status": "FINISHED"}}""")]
    public async Task Malformed_json_is_400(string path, string body)
    {
        (await _http.PostJsonAsync(Routes.Mlflow + path, Fill(body))).IsInvalid();

        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": "abc", "timestamp": 1}""", "value")]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": true, "timestamp": 1}""", "value")]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": 1, "timestamp": "soon"}""", "timestamp")]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": 1, "timestamp": 1.5}""", "timestamp")]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": {"nested": 1}, "value": 1, "timestamp": 1}""", "key")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "metrics": [{"key": "loss", "value": "abc", "timestamp": 1}]}""", "value")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "metrics": {"key": "loss"}}""", "metrics")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "params": [5]}""", "params")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "tags": "team=b"}""", "tags")]
    [InlineData("runs/log-batch", """{"run_id": ["{run}"]}""", "run_id")]
    [InlineData("runs/log-parameter", """{"run_id": "{run}", "key": "lr", "value": {"v": 1}}""", "value")]
    [InlineData("experiments/create", """{"name": {"x": 1}}""", "name")]
    [InlineData("experiments/create", """{"name": ["a"]}""", "name")]
    [InlineData("experiments/create", """{"name": "ok", "tags": {"k": "v"}}""", "tags")]
    [InlineData("runs/search", """{"experiment_ids": "{exp}"}""", "experiment_ids")]
    [InlineData("runs/search", """{"experiment_ids": ["{exp}"], "max_results": "lots"}""", "max_results")]
    [InlineData("runs/search", """{"experiment_ids": ["{exp}"], "order_by": "metrics.loss"}""", "order_by")]
    [InlineData("runs/update", """{"run_id": "{run}", "end_time": "later"}""", "end_time")]
    [InlineData("runs/create", """{"experiment_id": "{exp}", "start_time": {"t": 1}}""", "start_time")]
    public async Task A_wrong_json_type_is_400_naming_the_field(string path, string body, string field)
    {
        var message = (await _http.PostJsonAsync(Routes.Mlflow + path, Fill(body))).IsInvalid();

        Assert.Contains(field, message, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": "abc", "timestamp": 1}""")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "metrics": {"key": "loss"}}""")]
    [InlineData("runs/update", """{"run_id": "{run}", "end_time": "later"}""")]
    public async Task A_wrong_json_type_message_does_not_expose_dotnet_type_names(string path, string body)
    {
        var message = (await _http.PostJsonAsync(Routes.Mlflow + path, Fill(body))).IsInvalid();

        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Mlops.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "experiments/create", "{}", "name")]
    [InlineData("POST", "experiments/create", """{"name": ""}""", "name")]
    [InlineData("GET", "experiments/get", "", "experiment_id")]
    [InlineData("GET", "experiments/get-by-name", "", "experiment_name")]
    [InlineData("POST", "experiments/delete", "{}", "experiment_id")]
    [InlineData("POST", "experiments/restore", "{}", "experiment_id")]
    [InlineData("POST", "experiments/update", """{"new_name": "x"}""", "experiment_id")]
    [InlineData("POST", "experiments/set-experiment-tag", """{"key": "k", "value": "v"}""", "experiment_id")]
    [InlineData("POST", "experiments/set-experiment-tag", """{"experiment_id": "{exp}", "value": "v"}""", "key")]
    [InlineData("POST", "experiments/set-experiment-tag", """{"experiment_id": "{exp}", "key": "k"}""", "value")]
    [InlineData("GET", "runs/get", "", "run_id")]
    [InlineData("POST", "runs/update", """{"status": "FINISHED"}""", "run_id")]
    [InlineData("POST", "runs/delete", "{}", "run_id")]
    [InlineData("POST", "runs/restore", "{}", "run_id")]
    [InlineData("POST", "runs/log-metric", """{"key": "m", "value": 1, "timestamp": 1}""", "run_id")]
    [InlineData("POST", "runs/log-metric", """{"run_id": "{run}", "value": 1, "timestamp": 1}""", "key")]
    [InlineData("POST", "runs/log-metric", """{"run_id": "{run}", "key": "m", "timestamp": 1}""", "value")]
    [InlineData("POST", "runs/log-metric", """{"run_id": "{run}", "key": "m", "value": 1}""", "timestamp")]
    [InlineData("POST", "runs/log-parameter", """{"run_id": "{run}", "value": "1"}""", "key")]
    [InlineData("POST", "runs/log-parameter", """{"run_id": "{run}", "key": "p"}""", "value")]
    [InlineData("POST", "runs/set-tag", """{"run_id": "{run}", "value": "1"}""", "key")]
    [InlineData("POST", "runs/set-tag", """{"run_id": "{run}", "key": "t"}""", "value")]
    [InlineData("POST", "runs/delete-tag", """{"run_id": "{run}"}""", "key")]
    [InlineData("POST", "runs/delete-tag", """{"key": "team"}""", "run_id")]
    [InlineData("POST", "runs/log-batch", """{"run_id": "{run}", "params": [{"key": "p"}]}""", "params[0].value")]
    [InlineData("POST", "runs/log-batch", """{"run_id": "{run}", "tags": [{"value": "v"}]}""", "tags[0].key")]
    [InlineData("POST", "runs/log-model", """{"run_id": "{run}"}""", "model_json")]
    [InlineData("POST", "runs/log-model", """{"model_json": "{}"}""", "run_id")]
    [InlineData("POST", "runs/log-inputs", """{"datasets": []}""", "run_id")]
    [InlineData("POST", "runs/log-inputs", """{"run_id": "{run}", "datasets": [{"dataset": {"digest": "d", "source_type": "local", "source": "{}"}}]}""", "datasets[0].dataset.name")]
    [InlineData("GET", "metrics/get-history", "?run_id={run}", "metric_key")]
    [InlineData("GET", "metrics/get-history", "?metric_key=loss", "run_id")]
    [InlineData("GET", "artifacts/list", "", "run_id")]
    public async Task A_missing_required_field_is_400_naming_the_field(string method, string path, string bodyOrQuery, string field)
    {
        var response = method == "GET"
            ? await _http.GetApiAsync(Routes.Mlflow + path + Fill(bodyOrQuery))
            : await _http.PostJsonAsync(Routes.Mlflow + path, Fill(bodyOrQuery));

        var message = response.IsInvalid();

        Assert.Contains(field, message, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Fact]
    public async Task Unknown_experiment_and_run_ids_are_404_and_touch_nothing()
    {
        var unknownRun = Guid.NewGuid().ToString("N");

        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=987654321")).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = "987654321" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray("987654321") })).Succeeds();
        (await _http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=" + unknownRun)).IsNotFound();
        (await _http.LogBatchAsync(unknownRun, new JsonArray(Metric("loss", 9)))).IsNotFound();
        (await _http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_id=" + unknownRun)).IsNotFound();
        (await _http.GetApiAsync("get-artifact?path=model.bin&run_uuid=" + unknownRun)).IsNotFound();

        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("bad key!")]
    [InlineData("../x")]
    [InlineData("x/../../y")]
    [InlineData("/abs")]
    [InlineData("trailing/")]
    [InlineData("a//b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("semi;colon")]
    [InlineData("quote'")]
    [InlineData("new\nline")]
    public async Task An_invalid_key_is_400_on_every_write(string key)
    {
        var keyJson = JsonValue.Create(key).ToJsonString();

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", $$"""{"run_id": "{{_runId}}", "key": {{keyJson}}, "value": 1, "timestamp": 1}""")).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", $$"""{"run_id": "{{_runId}}", "key": {{keyJson}}, "value": "1"}""")).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", $$"""{"run_id": "{{_runId}}", "key": {{keyJson}}, "value": "1"}""")).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete-tag", $$"""{"run_id": "{{_runId}}", "key": {{keyJson}}}""")).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", $$"""{"experiment_id": "{{_experimentId}}", "key": {{keyJson}}, "value": "1"}""")).IsInvalid();
        (await _http.LogBatchAsync(_runId, metrics: new JsonArray(Metric("ok", 1), Metric(key, 1)))).IsInvalid();
        (await _http.LogBatchAsync(_runId, parameters: new JsonArray(Pair("ok", "1"), Pair(key, "1")))).IsInvalid();
        (await _http.LogBatchAsync(_runId, metrics: new JsonArray(Metric("ok", 1)), tags: new JsonArray(Pair(key, "1")))).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = _experimentId, ["tags"] = new JsonArray(Pair(key, "1")) })).IsInvalid();
        var name = UniqueName("bad-tag-key");
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name, ["tags"] = new JsonArray(Pair(key, "1")) })).IsInvalid();
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + name)).IsNotFound();

        await AssertIntactAsync();
        var runs = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(_experimentId) })).Succeeds();
        Assert.Single(runs["runs"]!.AsArray());
    }

    [Fact]
    public async Task A_key_of_251_characters_is_refused_and_250_accepted()
    {
        var run = await _http.CreateRunIdAsync(_experimentId);

        (await _http.LogBatchAsync(run, parameters: new JsonArray(Pair(new string('k', 251), "1")))).IsInvalid();
        (await _http.LogBatchAsync(run, parameters: new JsonArray(Pair(new string('k', 250), "1")))).Succeeds();

        await AssertIntactAsync();
    }

    [Fact]
    public async Task Oversized_values_are_400_and_change_nothing()
    {
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = _runId, ["key"] = "big", ["value"] = new string('p', 6001) })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = _runId, ["key"] = "team", ["value"] = new string('t', 5001) })).IsInvalid();
        (await _http.LogBatchAsync(_runId, parameters: new JsonArray(Pair("big", new string('p', 6001))))).IsInvalid();
        (await _http.LogBatchAsync(_runId, metrics: new JsonArray(Metric("loss", 1, step: 9)), tags: new JsonArray(Pair("team", new string('t', 5001))))).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = _experimentId, ["key"] = "k", ["value"] = new string('e', 5001) })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = new string('n', 257) })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", new JsonObject { ["experiment_id"] = _experimentId, ["new_name"] = new string('n', 257) })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject { ["run_id"] = _runId, ["run_name"] = new string('r', 251) })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = _experimentId, ["run_name"] = new string('r', 251) })).IsInvalid();

        await AssertIntactAsync();
    }

    [Fact]
    public async Task Negative_timestamps_are_refused()
    {
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", new JsonObject { ["run_id"] = _runId, ["key"] = "loss", ["value"] = 1, ["timestamp"] = -1 })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject { ["run_id"] = _runId, ["end_time"] = -5 })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = _experimentId, ["start_time"] = -5 })).IsInvalid();

        await AssertIntactAsync();
    }

    [Fact]
    public async Task A_1001_metric_batch_is_400_and_writes_nothing()
    {
        var metrics = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode)Metric("loss", i, step: 100 + i)).ToArray());

        (await _http.LogBatchAsync(_runId, metrics)).IsInvalid();

        await AssertIntactAsync();
    }

    [Fact]
    public async Task A_log_batch_body_over_2_MB_is_400_invalid_parameter_value()
    {
        var body = new JsonObject
        {
            ["run_id"] = _runId,
            ["params"] = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)Pair($"p{i}", new string('x', 6000))).ToArray()),
            ["tags"] = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)Pair($"t{i}", new string('y', 5000))).ToArray()),
            ["padding"] = new string(' ', 1024 * 1024),
        };

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", body)).IsInvalid();

        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("experiments/create")]
    [InlineData("runs/log-inputs")]
    [InlineData("runs/search")]
    public async Task A_body_declared_over_the_64_MB_hard_limit_is_refused_without_reading_it(string path)
    {
        var start = Encoding.UTF8.GetBytes("""{"name": "huge", "padding": " """);

        var response = await RawHttp.SendAsync(server.BaseAddress, "POST", "/" + Routes.Mlflow + path, start, "application/json", declaredLength: 65L * 1024 * 1024);

        Assert.True(response.Status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{(int)response.Status}: {response.Text}");
        var error = JsonNode.Parse(response.Text)!;
        Assert.Contains((string)error["error_code"]!, new[] { "REQUEST_LIMIT_EXCEEDED", "INVALID_PARAMETER_VALUE" });
        await AssertIntactAsync();
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=huge")).IsNotFound();
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_and_the_server_keeps_serving()
    {
        // 17 MB without Content-Length: the server finds out while reading (JSON endpoints take at most 16 MB).
        var json = Encoding.UTF8.GetBytes($$"""{"name": "chunked-huge", "padding": "{{new string('p', 17 * 1024 * 1024)}}"}""");
        using var content = new StreamContent(new UnseekableStream(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        HttpStatusCode? status = null;
        try
        {
            using var response = await _http.PostAsync(Routes.Mlflow + "experiments/create", content);
            status = response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest, $"{(int)status}: {text}");
        }
        catch (HttpRequestException)
        {
            // Closing the connection on a body it will not read is also a refusal.
        }

        await AssertIntactAsync();
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=chunked-huge")).IsNotFound();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task A_post_without_a_json_content_type_is_400(string? contentType)
    {
        var name = UniqueName("wrong-type");

        var message = (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", $$"""{"name": "{{name}}"}""", contentType)).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", $$"""{"run_id": "{{_runId}}", "tags": [{"key": "team", "value": "b"}]}""", contentType)).IsInvalid();

        Assert.Contains("Content-Type", message, StringComparison.Ordinal);
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + name)).IsNotFound();
        await AssertIntactAsync();
    }

    [Fact]
    public async Task Json_with_a_charset_is_accepted()
    {
        var name = UniqueName("charset");

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", $$"""{"name": "{{name}}"}""", "application/json; charset=utf-8")).Succeeds();
    }

    [Fact]
    public async Task Unknown_json_fields_are_ignored()
    {
        var name = UniqueName("unknown-fields");

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", $$"""{"name": "{{name}}", "surprise": {"deep": [1, 2, 3]}, "another": null}""")).Succeeds();
    }

    [Fact]
    public async Task A_changed_param_value_in_a_batch_is_400_and_nothing_of_the_batch_is_written()
    {
        var message = (await _http.LogBatchAsync(_runId,
            metrics: new JsonArray(Metric("loss", 0.1, step: 2), Metric("acc", 0.9)),
            parameters: new JsonArray(Pair("fresh", "1"), Pair("lr", "0.2")),
            tags: new JsonArray(Pair("team", "b")))).IsInvalid();

        Assert.Contains("lr", message, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("runs/log-metric", """{"run_id": "{run}", "key": "loss", "value": 1, "timestamp": 2, "step": 2}""")]
    [InlineData("runs/log-parameter", """{"run_id": "{run}", "key": "new", "value": "1"}""")]
    [InlineData("runs/set-tag", """{"run_id": "{run}", "key": "team", "value": "b"}""")]
    [InlineData("runs/delete-tag", """{"run_id": "{run}", "key": "team"}""")]
    [InlineData("runs/log-batch", """{"run_id": "{run}", "metrics": [{"key": "loss", "value": 1, "timestamp": 2, "step": 2}]}""")]
    [InlineData("runs/log-batch", """{"run_id": "{run}"}""")]
    [InlineData("runs/update", """{"run_id": "{run}", "status": "FINISHED"}""")]
    [InlineData("runs/log-model", """{"run_id": "{run}", "model_json": "{\"artifact_path\": \"m\"}"}""")]
    [InlineData("runs/log-inputs", """{"run_id": "{run}", "datasets": [{"dataset": {"name": "d", "digest": "x", "source_type": "local", "source": "{}"}}]}""")]
    public async Task Writes_to_a_deleted_run_are_400_and_change_nothing(string path, string body)
    {
        var run = await _http.CreateRunAsync(_experimentId);
        var runId = (string)run["info"]!["run_id"]!;
        (await _http.LogBatchAsync(runId, new JsonArray(Metric("loss", 1, step: 1)), tags: new JsonArray(Pair("team", "a")))).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete", new JsonObject { ["run_id"] = runId })).Succeeds();
        var before = await _http.SnapshotRunAsync(runId);

        var message = (await _http.PostJsonAsync(Routes.Mlflow + path, body.Replace("{run}", runId, StringComparison.Ordinal))).IsInvalid();

        Assert.Contains("active", message, StringComparison.Ordinal);
        Assert.Equal(before, await _http.SnapshotRunAsync(runId));
        await AssertIntactAsync();
    }

    [Fact]
    public async Task Writes_to_a_deleted_experiment_are_400()
    {
        var experimentId = await _http.CreateExperimentAsync("deleted");
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = experimentId })).Succeeds();

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = experimentId })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = experimentId, ["key"] = "k", ["value"] = "v" })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", new JsonObject { ["experiment_id"] = experimentId, ["new_name"] = UniqueName("x") })).IsInvalid();

        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("params.lr = '0.1' and")]
    [InlineData("metrics.loss >")]
    [InlineData("metrics.loss > 'text'")]
    [InlineData("params.lr > 0.1")]
    [InlineData("attributes.nope = 'x'")]
    [InlineData("tags.team = 'a' or or")]
    [InlineData("'; DROP TABLE runs; --")]
    [InlineData("metrics.loss = 1 ) ")]
    public async Task An_invalid_filter_is_400_with_the_column_in_the_message(string filter)
    {
        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(_experimentId), ["filter"] = filter })).IsInvalid();

        Assert.Contains("column", message, StringComparison.Ordinal);
        await AssertIntactAsync();
    }

    [Theory]
    [InlineData("runs/get?run_id=bad%20id")]
    [InlineData("runs/get?run_id=..%2F..%2Fetc")]
    [InlineData("runs/get?run_id=-starts-with-dash")]
    public async Task A_malformed_run_id_is_refused(string pathAndQuery)
    {
        var response = await _http.GetApiAsync(Routes.Mlflow + pathAndQuery);

        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.Body);
        await AssertIntactAsync();
    }

    [Fact]
    public async Task An_upload_to_the_artifact_root_itself_is_refused()
    {
        var response = await RawHttp.SendAsync(server.BaseAddress, "PUT", "/" + Routes.Artifacts + "/", Encoding.UTF8.GetBytes("x"));

        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, response.Text);
        await AssertIntactAsync();
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

public sealed class MlflowRunsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Create_returns_the_run_with_its_info_tags_and_artifact_uri()
    {
        var experimentId = await _http.CreateExperimentAsync("runs");
        var response = await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["user_id"] = "ann",
            ["run_name"] = "first-run",
            ["start_time"] = 1_700_000_000_123,
            ["tags"] = new JsonArray(Pair("team", "vision")),
        });

        var run = response.Succeeds()["run"]!.AsObject();
        var info = run["info"]!.AsObject();
        var runId = (string)info["run_id"]!;
        Assert.Matches("^[0-9a-f]{32}$", runId);
        Assert.Equal(runId, (string)info["run_uuid"]!);
        Assert.Equal(experimentId, (string)info["experiment_id"]!);
        Assert.Equal(JsonValueKind.String, info["experiment_id"]!.GetValueKind());
        Assert.Equal("first-run", (string)info["run_name"]!);
        Assert.Equal("ann", (string)info["user_id"]!);
        Assert.Equal("RUNNING", (string)info["status"]!);
        Assert.Equal("active", (string)info["lifecycle_stage"]!);
        Assert.Equal(JsonValueKind.Number, info["start_time"]!.GetValueKind());
        Assert.Equal(1_700_000_000_123, (long)info["start_time"]!);
        Assert.Null(info["end_time"]);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", (string)info["artifact_uri"]!);
        var tags = Pairs(run["data"]!["tags"]);
        Assert.Equal("vision", tags["team"]);
        Assert.Equal("first-run", tags["mlflow.runName"]);

        var fetched = await _http.GetRunAsync(runId);
        Assert.Equal(run["info"]!.ToJsonString(), fetched["info"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_takes_the_run_name_from_the_mlflow_run_name_tag_and_defaults_to_experiment_0()
    {
        var run = (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject
        {
            ["tags"] = new JsonArray(Pair("mlflow.runName", "tag-named")),
        })).Succeeds()["run"]!;

        Assert.Equal("tag-named", (string)run["info"]!["run_name"]!);
        Assert.Equal("0", (string)run["info"]!["experiment_id"]!);
    }

    [Fact]
    public async Task Create_takes_the_user_from_the_mlflow_user_tag_when_user_id_is_missing()
    {
        var experimentId = await _http.CreateExperimentAsync("user-tag");

        var run = (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["tags"] = new JsonArray(Pair("mlflow.user", "bob")),
        })).Succeeds()["run"]!;

        Assert.Equal("bob", (string)run["info"]!["user_id"]!);
    }

    [Fact]
    public async Task Create_with_a_conflicting_run_name_tag_or_an_unknown_parent_is_refused()
    {
        var experimentId = await _http.CreateExperimentAsync("create-conflict");

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["run_name"] = "a",
            ["tags"] = new JsonArray(Pair("mlflow.runName", "b")),
        })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["tags"] = new JsonArray(Pair("mlflow.parentRunId", Guid.NewGuid().ToString("N"))),
        })).IsInvalid();

        var runs = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", new JsonObject { ["experiment_ids"] = new JsonArray(experimentId) })).Succeeds();
        Assert.True(runs["runs"] is null || runs["runs"]!.AsArray().Count == 0, runs.ToJsonString());
    }

    [Fact]
    public async Task Create_without_a_name_generates_one()
    {
        var run = await _http.CreateRunAsync(await _http.CreateExperimentAsync("unnamed"));

        Assert.False(string.IsNullOrWhiteSpace((string?)run["info"]!["run_name"]));
    }

    [Fact]
    public async Task Get_accepts_run_uuid_in_place_of_run_id()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("uuid"));

        var run = (await _http.GetApiAsync(Routes.Mlflow + "runs/get?run_uuid=" + runId)).Succeeds()["run"]!;

        Assert.Equal(runId, (string)run["info"]!["run_id"]!);
    }

    [Fact]
    public async Task Update_sets_status_end_time_and_name_and_returns_the_run_info()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("update"));

        var info = (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject
        {
            ["run_id"] = runId,
            ["status"] = "FINISHED",
            ["end_time"] = 1_800_000_000_000,
            ["run_name"] = "renamed-run",
        })).Succeeds()["run_info"]!;

        Assert.Equal("FINISHED", (string)info["status"]!);
        Assert.Equal(1_800_000_000_000, (long)info["end_time"]!);
        Assert.Equal("renamed-run", (string)info["run_name"]!);
        var run = await _http.GetRunAsync(runId);
        Assert.Equal("FINISHED", (string)run["info"]!["status"]!);
        Assert.Equal("renamed-run", Pairs(run["data"]!["tags"])["mlflow.runName"]);
    }

    [Fact]
    public async Task Update_accepts_run_uuid_in_place_of_run_id()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("update-uuid"));

        var info = (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", $$"""{"run_uuid": "{{runId}}", "status": "KILLED"}""")).Succeeds()["run_info"]!;

        Assert.Equal("KILLED", (string)info["status"]!);
        Assert.Equal(runId, (string)info["run_uuid"]!);
    }

    [Fact]
    public async Task Update_accepts_the_status_as_a_proto_enum_number()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("update-enum"));

        // MLflow's RunStatus enum: RUNNING = 1, SCHEDULED = 2, FINISHED = 3, FAILED = 4, KILLED = 5; ParseDict accepts the numbers.
        var info = (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", $$"""{"run_id": "{{runId}}", "status": 4}""")).Succeeds()["run_info"]!;

        Assert.Equal("FAILED", (string)info["status"]!);
    }

    [Fact]
    public async Task Delete_and_restore_change_the_lifecycle_stage()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("delete-run"));

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "runs/delete", new JsonObject { ["run_id"] = runId })).Succeeds());
        Assert.Equal("deleted", (string)(await _http.GetRunAsync(runId))["info"]!["lifecycle_stage"]!);

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "runs/restore", new JsonObject { ["run_id"] = runId })).Succeeds());
        Assert.Equal("active", (string)(await _http.GetRunAsync(runId))["info"]!["lifecycle_stage"]!);
    }

    [Fact]
    public async Task Log_metric_log_parameter_and_set_tag_accept_run_id_or_run_uuid()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("single"));

        foreach (var idField in new[] { "run_id", "run_uuid" })
        {
            (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", new JsonObject
            {
                [idField] = runId, ["key"] = $"loss_{idField}", ["value"] = 0.25, ["timestamp"] = 1_700_000_000_000, ["step"] = 3,
            })).Succeeds();
            (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { [idField] = runId, ["key"] = $"lr_{idField}", ["value"] = "0.01" })).Succeeds();
            (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { [idField] = runId, ["key"] = $"tag_{idField}", ["value"] = "yes" })).Succeeds();
        }

        var run = await _http.GetRunAsync(runId);
        var metrics = Metrics(run);
        foreach (var idField in new[] { "run_id", "run_uuid" })
        {
            var metric = metrics[$"loss_{idField}"];
            Assert.Equal(0.25, (double)metric["value"]!);
            Assert.Equal(3, (long)metric["step"]!);
            Assert.Equal(1_700_000_000_000, (long)metric["timestamp"]!);
            Assert.Equal("0.01", Pairs(run["data"]!["params"])[$"lr_{idField}"]);
            Assert.Equal("yes", Pairs(run["data"]!["tags"])[$"tag_{idField}"]);
        }
    }

    [Fact]
    public async Task Log_metric_without_a_step_records_step_0()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("no-step"));

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", new JsonObject { ["run_id"] = runId, ["key"] = "acc", ["value"] = 1, ["timestamp"] = 5 })).Succeeds();

        Assert.Equal(0, (long)Metrics(await _http.GetRunAsync(runId))["acc"]["step"]!);
    }

    [Fact]
    public async Task Logging_the_same_param_value_twice_is_accepted_and_a_different_value_is_refused()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("param-change"));
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "lr", ["value"] = "0.1" })).Succeeds();

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "lr", ["value"] = "0.1" })).Succeeds();
        var message = (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "lr", ["value"] = "0.2" })).IsInvalid();

        Assert.Contains("Changing param values is not allowed", message, StringComparison.Ordinal);
        Assert.Equal("0.1", Pairs((await _http.GetRunAsync(runId))["data"]!["params"])["lr"]);
    }

    [Fact]
    public async Task Setting_the_mlflow_run_name_tag_renames_the_run()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("rename-by-tag"));

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = runId, ["key"] = "mlflow.runName", ["value"] = "by-tag" })).Succeeds();

        Assert.Equal("by-tag", (string)(await _http.GetRunAsync(runId))["info"]!["run_name"]!);
    }

    [Fact]
    public async Task Delete_tag_removes_the_tag_and_an_unknown_tag_is_404()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("delete-tag"));
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = runId, ["key"] = "doomed", ["value"] = "x" })).Succeeds();

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "runs/delete-tag", new JsonObject { ["run_id"] = runId, ["key"] = "doomed" })).Succeeds());

        Assert.False(Pairs((await _http.GetRunAsync(runId))["data"]!["tags"]).ContainsKey("doomed"));
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete-tag", new JsonObject { ["run_id"] = runId, ["key"] = "doomed" })).IsNotFound();
    }

    [Fact]
    public async Task Log_model_appends_the_model_to_the_log_model_history_tag()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("log-model"));
        var first = new JsonObject { ["run_id"] = runId, ["artifact_path"] = "model", ["flavors"] = new JsonObject { ["python_function"] = new JsonObject() } };
        var second = new JsonObject { ["artifact_path"] = "model2", ["utc_time_created"] = "2024-01-01 00:00:00.000000" };

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-model", new JsonObject { ["run_id"] = runId, ["model_json"] = first.ToJsonString() })).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-model", new JsonObject { ["run_id"] = runId, ["model_json"] = second.ToJsonString() })).Succeeds();

        var history = JsonNode.Parse(Pairs((await _http.GetRunAsync(runId))["data"]!["tags"])["mlflow.log-model.history"])!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.Equal("model", (string)history[0]!["artifact_path"]!);
        Assert.Equal("model2", (string)history[1]!["artifact_path"]!);
    }

    [Fact]
    public async Task Log_model_naming_another_run_is_refused()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("log-model-other"));
        var model = new JsonObject { ["run_id"] = "0123456789abcdef0123456789abcdef", ["artifact_path"] = "model" };

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-model", new JsonObject { ["run_id"] = runId, ["model_json"] = model.ToJsonString() })).IsInvalid();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-model", new JsonObject { ["run_id"] = runId, ["model_json"] = "{not json" })).IsInvalid();
    }

    [Fact]
    public async Task Log_inputs_records_datasets_with_their_tags()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("inputs"));
        var body = new JsonObject
        {
            ["run_id"] = runId,
            ["datasets"] = new JsonArray(new JsonObject
            {
                ["tags"] = new JsonArray(Pair("mlflow.data.context", "training")),
                ["dataset"] = new JsonObject
                {
                    ["name"] = "iris",
                    ["digest"] = "abc123",
                    ["source_type"] = "local",
                    ["source"] = """{"uri": "/data/iris.csv"}""",
                    ["schema"] = """{"mlflow_colspec": []}""",
                },
            }),
        };

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "runs/log-inputs", body)).Succeeds());

        var inputs = (await _http.GetRunAsync(runId))["inputs"]!["dataset_inputs"]!.AsArray();
        var input = Assert.Single(inputs)!;
        Assert.Equal("iris", (string)input["dataset"]!["name"]!);
        Assert.Equal("abc123", (string)input["dataset"]!["digest"]!);
        Assert.Equal("local", (string)input["dataset"]!["source_type"]!);
        Assert.Equal("""{"mlflow_colspec": []}""", (string)input["dataset"]!["schema"]!);
        Assert.Equal("training", Pairs(input["tags"])["mlflow.data.context"]);
    }

    [Fact]
    public async Task Int64_values_travel_as_exact_json_numbers()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("int64"));
        const long BigStep = (1L << 53) + 1;
        const long Timestamp = 4_102_444_800_123;

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "m", "value": 1.5, "timestamp": {{Timestamp}}, "step": {{BigStep}}}""")).Succeeds();

        var response = await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runId + "&metric_key=m");
        Assert.Contains($"\"step\":{BigStep}", response.Body.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var point = response.Succeeds()["metrics"]![0]!;
        Assert.Equal(JsonValueKind.Number, point["step"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, point["timestamp"]!.GetValueKind());
        Assert.Equal(BigStep, point["step"]!.GetValue<long>());
        Assert.Equal(Timestamp, point["timestamp"]!.GetValue<long>());
    }

    [Fact]
    public async Task NaN_and_infinities_are_accepted_as_strings_and_returned_as_strings()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("nan"));

        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [
              {"key": "nan", "value": "NaN", "timestamp": 1, "step": 0},
              {"key": "pos", "value": "Infinity", "timestamp": 1, "step": 0},
              {"key": "neg", "value": "-Infinity", "timestamp": 1, "step": 0}]}
            """)).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "single", "value": "NaN", "timestamp": 1}""")).Succeeds();

        var metrics = Metrics(await _http.GetRunAsync(runId));
        Assert.Equal(JsonValueKind.String, metrics["nan"]["value"]!.GetValueKind());
        Assert.Equal("NaN", (string)metrics["nan"]["value"]!);
        Assert.Equal("Infinity", (string)metrics["pos"]["value"]!);
        Assert.Equal("-Infinity", (string)metrics["neg"]["value"]!);
        Assert.Equal("NaN", (string)metrics["single"]["value"]!);
        var history = (await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?run_id=" + runId + "&metric_key=neg")).Succeeds();
        Assert.Equal("-Infinity", (string)history["metrics"]![0]!["value"]!);
    }

    [Fact]
    public async Task Latest_metric_is_the_point_with_the_highest_step()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("latest"));

        (await _http.LogBatchAsync(runId, metrics: new JsonArray(Metric("loss", 0.9, step: 1), Metric("loss", 0.1, step: 5), Metric("loss", 0.5, step: 3)))).Succeeds();
        (await _http.LogBatchAsync(runId, metrics: new JsonArray(Metric("loss", 0.7, step: 2)))).Succeeds();

        var latest = Metrics(await _http.GetRunAsync(runId))["loss"];
        Assert.Equal(5, (long)latest["step"]!);
        Assert.Equal(0.1, (double)latest["value"]!);
    }

    [Fact]
    public async Task Unknown_run_ids_are_404_on_every_run_endpoint()
    {
        var runId = Guid.NewGuid().ToString("N");

        (await _http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=" + runId)).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/update", new JsonObject { ["run_id"] = runId, ["status"] = "FINISHED" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete", new JsonObject { ["run_id"] = runId })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/restore", new JsonObject { ["run_id"] = runId })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-metric", new JsonObject { ["run_id"] = runId, ["key"] = "m", ["value"] = 1, ["timestamp"] = 1 })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-parameter", new JsonObject { ["run_id"] = runId, ["key"] = "p", ["value"] = "1" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = runId, ["key"] = "t", ["value"] = "1" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/delete-tag", new JsonObject { ["run_id"] = runId, ["key"] = "t" })).IsNotFound();
        (await _http.LogBatchAsync(runId, metrics: new JsonArray(Metric("m", 1)))).IsNotFound();
        (await _http.LogBatchAsync(runId)).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-model", new JsonObject { ["run_id"] = runId, ["model_json"] = "{}" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/log-inputs", new JsonObject { ["run_id"] = runId, ["datasets"] = new JsonArray() })).IsNotFound();
        (await _http.GetApiAsync(Routes.Mlflow + "metrics/get-history?metric_key=m&run_id=" + runId)).IsNotFound();
        (await _http.GetApiAsync(Routes.Mlflow + "artifacts/list?run_id=" + runId)).IsNotFound();
    }

    [Fact]
    public async Task Get_of_an_unknown_run_answers_like_mlflow()
    {
        var message = (await _http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=nope")).Fails(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal("Run with id=nope not found", message);
    }
}

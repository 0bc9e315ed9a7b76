using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

public sealed class MlflowExperimentsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    [Fact]
    public async Task Create_returns_the_id_as_a_string_and_get_returns_the_experiment_in_snake_case()
    {
        var name = UniqueName("create");
        var created = (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject
        {
            ["name"] = name,
            ["tags"] = new JsonArray(Pair("team", "vision"), Pair("mlflow.note.content", "hello")),
        })).Succeeds();

        Assert.Equal(JsonValueKind.String, created["experiment_id"]!.GetValueKind());
        var id = (string)created["experiment_id"]!;
        Assert.Matches("^[0-9]+$", id);

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!.AsObject();
        Assert.Equal(id, (string)experiment["experiment_id"]!);
        Assert.Equal(name, (string)experiment["name"]!);
        Assert.Equal("active", (string)experiment["lifecycle_stage"]!);
        Assert.Equal("mlflow-artifacts:/" + id, (string)experiment["artifact_location"]!);
        Assert.Equal(JsonValueKind.Number, experiment["creation_time"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, experiment["last_update_time"]!.GetValueKind());
        Assert.True((long)experiment["creation_time"]! > 1_600_000_000_000, "creation_time is in milliseconds since the epoch");
        var tags = Pairs(experiment["tags"]);
        Assert.Equal("vision", tags["team"]);
        Assert.Equal("hello", tags["mlflow.note.content"]);
        Assert.DoesNotContain(experiment, p => p.Key.Any(char.IsUpper));
    }

    [Fact]
    public async Task Get_by_name_finds_a_created_experiment()
    {
        var name = UniqueName("by-name");
        var id = (string)(await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name })).Succeeds()["experiment_id"]!;

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + Routes.Escape(name))).Succeeds()["experiment"]!;

        Assert.Equal(id, (string)experiment["experiment_id"]!);
    }

    [Fact]
    public async Task Get_by_name_of_an_unknown_name_is_404_resource_does_not_exist()
    {
        var response = await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + UniqueName("missing"));

        response.IsNotFound();
    }

    [Fact]
    public async Task Default_experiment_0_exists_on_a_fresh_server()
    {
        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=0")).Succeeds()["experiment"]!;

        Assert.Equal("0", (string)experiment["experiment_id"]!);
        Assert.Equal("Default", (string)experiment["name"]!);
    }

    [Fact]
    public async Task Create_with_a_taken_name_is_400_resource_already_exists_and_keeps_the_first()
    {
        var name = UniqueName("taken");
        var first = (string)(await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name })).Succeeds()["experiment_id"]!;

        var again = await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name });

        again.Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        var found = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + Routes.Escape(name))).Succeeds();
        Assert.Equal(first, (string)found["experiment"]!["experiment_id"]!);
    }

    [Fact]
    public async Task Update_renames_the_experiment()
    {
        var id = await _http.CreateExperimentAsync("old");
        var newName = UniqueName("renamed");

        var response = await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", new JsonObject { ["experiment_id"] = id, ["new_name"] = newName });

        Assert.Empty(response.Succeeds());
        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!;
        Assert.Equal(newName, (string)experiment["name"]!);
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + Routes.Escape(newName))).Succeeds();
    }

    [Fact]
    public async Task Renaming_to_a_taken_name_is_400_resource_already_exists_and_keeps_both_names()
    {
        var takenName = UniqueName("taken-target");
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = takenName })).Succeeds();
        var id = await _http.CreateExperimentAsync("rename-source");
        var before = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Body;

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", new JsonObject { ["experiment_id"] = id, ["new_name"] = takenName }))
            .Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");

        Assert.Equal(before, (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Body);
    }

    [Fact]
    public async Task Delete_and_restore_change_the_lifecycle_stage()
    {
        var id = await _http.CreateExperimentAsync("lifecycle");

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = id })).Succeeds());
        var deleted = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!;
        Assert.Equal("deleted", (string)deleted["lifecycle_stage"]!);

        Assert.Empty((await _http.PostJsonAsync(Routes.Mlflow + "experiments/restore", new JsonObject { ["experiment_id"] = id })).Succeeds());
        var restored = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!;
        Assert.Equal("active", (string)restored["lifecycle_stage"]!);
    }

    [Fact]
    public async Task Set_experiment_tag_adds_and_replaces_a_tag()
    {
        var id = await _http.CreateExperimentAsync("tagged");

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = id, ["key"] = "owner", ["value"] = "ann" })).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = id, ["key"] = "owner", ["value"] = "bob" })).Succeeds();

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!;
        Assert.Equal("bob", Pairs(experiment["tags"])["owner"]);
    }

    [Fact]
    public async Task Experiment_id_sent_as_a_json_number_is_accepted_everywhere()
    {
        var id = long.Parse(await _http.CreateExperimentAsync("numeric"), System.Globalization.CultureInfo.InvariantCulture);

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", $$"""{"experiment_id": {{id}}, "key": "k", "value": "v"}""")).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", $$"""{"experiment_id": {{id}}, "new_name": "{{UniqueName("numeric-renamed")}}"}""")).Succeeds();
        var run = (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", $$"""{"experiment_id": {{id}}}""")).Succeeds()["run"]!;
        Assert.Equal(Str(id), (string)run["info"]!["experiment_id"]!);
        var search = (await _http.PostJsonAsync(Routes.Mlflow + "runs/search", $$"""{"experiment_ids": [{{id}}]}""")).Succeeds();
        Assert.Single(search["runs"]!.AsArray());
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", $$"""{"experiment_id": {{id}}}""")).Succeeds();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/restore", $$"""{"experiment_id": {{id}}}""")).Succeeds();

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + Str(id))).Succeeds()["experiment"]!;
        Assert.Equal("v", Pairs(experiment["tags"])["k"]);
        Assert.Equal("active", (string)experiment["lifecycle_stage"]!);
    }

    [Fact]
    public async Task Search_by_post_and_by_get_honour_the_view_type()
    {
        var prefix = UniqueName("view");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = $"{prefix}-{i}" })).Succeeds()["experiment_id"]!);
        }

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = ids[2] })).Succeeds();
        var filter = $"name LIKE '{prefix}-%'";

        async Task<string[]> PostSearch(string? viewType)
        {
            var body = new JsonObject { ["filter"] = filter, ["order_by"] = new JsonArray("name ASC") };
            if (viewType is not null)
            {
                body["view_type"] = viewType;
            }

            var json = (await _http.PostJsonAsync(Routes.Mlflow + "experiments/search", body)).Succeeds();
            return json["experiments"] is JsonArray list ? list.Select(e => (string)e!["experiment_id"]!).ToArray() : [];
        }

        Assert.Equal(ids[..2], await PostSearch(null));
        Assert.Equal(ids[..2], await PostSearch("ACTIVE_ONLY"));
        Assert.Equal([ids[2]], await PostSearch("DELETED_ONLY"));
        Assert.Equal(ids, await PostSearch("ALL"));

        var byGet = (await _http.GetApiAsync(Routes.Mlflow + "experiments/search?view_type=ALL&order_by=name%20DESC&filter=" + Routes.Escape(filter))).Succeeds();
        Assert.Equal(ids.AsEnumerable().Reverse(), byGet["experiments"]!.AsArray().Select(e => (string)e!["experiment_id"]!));
    }

    [Fact]
    public async Task Search_pages_through_every_experiment_with_page_tokens()
    {
        var prefix = UniqueName("paged");
        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((string)(await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = $"{prefix}-{i}" })).Succeeds()["experiment_id"]!);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["filter"] = $"name LIKE '{prefix}-%'", ["max_results"] = 2 };
            if (token is not null)
            {
                body["page_token"] = token;
            }

            var page = (await _http.PostJsonAsync(Routes.Mlflow + "experiments/search", body)).Succeeds();
            var items = page["experiments"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(e => (string)e!["experiment_id"]!));
            token = (string?)page["next_page_token"];
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Order());
    }

    [Fact]
    public async Task An_artifact_location_under_the_server_root_is_used_for_its_runs()
    {
        var folder = "custom/" + Guid.NewGuid().ToString("N");
        var id = (string)(await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject
        {
            ["name"] = UniqueName("located"),
            ["artifact_location"] = "mlflow-artifacts:/" + folder,
        })).Succeeds()["experiment_id"]!;

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds()["experiment"]!;
        var run = await _http.CreateRunAsync(id);

        Assert.Equal("mlflow-artifacts:/" + folder, (string)experiment["artifact_location"]!);
        Assert.Equal($"mlflow-artifacts:/{folder}/{(string)run["info"]!["run_id"]!}/artifacts", (string)run["info"]!["artifact_uri"]!);
    }

    [Theory]
    [InlineData("file:///etc")]
    [InlineData("/etc")]
    [InlineData("../outside")]
    [InlineData("s3://bucket/path")]
    [InlineData("mlflow-artifacts:/../outside")]
    [InlineData("mlflow-artifacts:/a/../../outside")]
    [InlineData("mlflow-artifacts:/%2e%2e/outside")]
    [InlineData("mlflow-artifacts:/a\\..\\..\\outside")]
    [InlineData("mlflow-artifacts://host/../outside")]
    public async Task A_hostile_artifact_location_is_refused(string location)
    {
        var name = UniqueName("hostile-location");

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/create", new JsonObject { ["name"] = name, ["artifact_location"] = location })).IsInvalid();

        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get-by-name?experiment_name=" + name)).IsNotFound();
    }

    [Fact]
    public async Task Deleting_an_experiment_deletes_its_runs_and_restoring_restores_them()
    {
        var id = await _http.CreateExperimentAsync("cascade");
        var runId = await _http.CreateRunIdAsync(id);

        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = id })).Succeeds();
        var whileDeleted = (string)(await _http.GetRunAsync(runId))["info"]!["lifecycle_stage"]!;
        var refused = await _http.PostJsonAsync(Routes.Mlflow + "runs/set-tag", new JsonObject { ["run_id"] = runId, ["key"] = "k", ["value"] = "v" });
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/restore", new JsonObject { ["experiment_id"] = id })).Succeeds();

        Assert.Equal("deleted", whileDeleted);
        refused.IsInvalid();
        Assert.Equal("active", (string)(await _http.GetRunAsync(runId))["info"]!["lifecycle_stage"]!);
    }

    [Fact]
    public async Task Ajax_prefix_serves_the_same_experiments()
    {
        var name = UniqueName("ajax");
        var id = (string)(await _http.PostJsonAsync(Routes.AjaxMlflow + "experiments/create", new JsonObject { ["name"] = name })).Succeeds()["experiment_id"]!;

        var viaApi = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).Succeeds();
        var viaAjax = (await _http.GetApiAsync(Routes.AjaxMlflow + "experiments/get-by-name?experiment_name=" + Routes.Escape(name))).Succeeds();

        Assert.Equal(viaApi.ToJsonString(), viaAjax.ToJsonString());
    }

    [Theory]
    [InlineData("999999999")]
    [InlineData("not-a-number")]
    public async Task Unknown_experiment_ids_are_404_on_every_experiment_endpoint(string id)
    {
        (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=" + id)).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = id })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/restore", new JsonObject { ["experiment_id"] = id })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/update", new JsonObject { ["experiment_id"] = id, ["new_name"] = UniqueName("x") })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = id, ["key"] = "k", ["value"] = "v" })).IsNotFound();
        (await _http.PostJsonAsync(Routes.Mlflow + "runs/create", new JsonObject { ["experiment_id"] = id })).IsNotFound();
    }

    [Fact]
    public async Task Deleting_the_default_experiment_is_refused()
    {
        (await _http.PostJsonAsync(Routes.Mlflow + "experiments/delete", new JsonObject { ["experiment_id"] = "0" })).IsInvalid();

        var experiment = (await _http.GetApiAsync(Routes.Mlflow + "experiments/get?experiment_id=0")).Succeeds()["experiment"]!;
        Assert.Equal("active", (string)experiment["lifecycle_stage"]!);
    }
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests;

/// <summary>
/// MLflow's 21 model registry endpoints over real HTTP: fields as MLflow names them, the Python client's call
/// sequences, bad input (above all, model sources that are not artifacts of this server) and concurrent clients.
/// </summary>
public sealed class MlflowRegistryApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Models = Routes.Mlflow + "registered-models/";
    private const string Versions = Routes.Mlflow + "model-versions/";

    private static readonly string[] s_registeredModelFields =
        ["name", "creation_timestamp", "last_updated_timestamp", "user_id", "description", "latest_versions", "tags", "aliases"];

    private static readonly string[] s_modelVersionFields =
        ["name", "version", "creation_timestamp", "last_updated_timestamp", "user_id", "current_stage", "description", "source",
         "run_id", "status", "status_message", "tags", "run_link", "aliases"];

    private readonly HttpClient _http = server.Http;

    // ---------------------------------------------------------------- registered-models/*

    [Fact]
    public async Task Create_registered_model_returns_the_model_with_mlflow_field_names()
    {
        var name = UniqueName("create");

        var json = (await _http.PostJsonAsync(Models + "create", new JsonObject
        {
            ["name"] = name,
            ["description"] = "predicts churn",
            ["tags"] = new JsonArray(Pair("team", "ds"), Pair("owner", "alice")),
        })).Succeeds();

        Assert.Equal(["registered_model"], json.Select(p => p.Key));
        var model = json["registered_model"]!.AsObject();
        AssertFields(model, s_registeredModelFields, "name", "creation_timestamp", "last_updated_timestamp");
        Assert.Equal(name, (string)model["name"]!);
        Assert.Equal("predicts churn", (string)model["description"]!);
        Assert.Equal(JsonValueKind.Number, model["creation_timestamp"]!.GetValueKind());
        Assert.True((long)model["creation_timestamp"]! > 1_600_000_000_000);
        Assert.Equal((long)model["creation_timestamp"]!, (long)model["last_updated_timestamp"]!);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "alice", ["team"] = "ds" }, Pairs(model["tags"]));
        Assert.Empty(RegistryHttp.List(model["latest_versions"]));
        Assert.Empty(RegistryHttp.List(model["aliases"]));
    }

    [Fact]
    public async Task Get_registered_model_returns_tags_aliases_and_latest_versions()
    {
        var name = UniqueName("get");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();
        (await _http.TransitionAsync(name, "2", "Staging")).Succeeds();
        (await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "team", ["value"] = "cv" })).Succeeds();

        var model = (await _http.GetModelAsync(name)).Succeeds()["registered_model"]!.AsObject();

        AssertFields(model, s_registeredModelFields, "name", "creation_timestamp", "last_updated_timestamp", "latest_versions", "tags", "aliases");
        Assert.Equal(name, (string)model["name"]!);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "cv" }, Pairs(model["tags"]));
        var alias = Assert.Single(RegistryHttp.List(model["aliases"]));
        Assert.Equal("champion", (string)alias["alias"]!);
        Assert.Equal(JsonValueKind.String, alias["version"]!.GetValueKind());
        Assert.Equal("1", (string)alias["version"]!);
        var latest = RegistryHttp.List(model["latest_versions"]).ToDictionary(v => (string)v["current_stage"]!, v => v);
        Assert.Equal(["None", "Staging"], latest.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("1", (string)latest["None"]["version"]!);
        Assert.Equal("2", (string)latest["Staging"]["version"]!);
        Assert.All(latest.Values, v => AssertFields(v, s_modelVersionFields, "name", "version", "current_stage", "source", "status"));
    }

    [Fact]
    public async Task Rename_registered_model_takes_versions_tags_and_aliases_along()
    {
        var name = UniqueName("before");
        var newName = UniqueName("after");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();
        (await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "k", ["value"] = "v" })).Succeeds();

        var json = (await _http.PostJsonAsync(Models + "rename", new JsonObject { ["name"] = name, ["new_name"] = newName })).Succeeds();

        var renamed = json["registered_model"]!.AsObject();
        Assert.Equal(newName, (string)renamed["name"]!);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "v" }, Pairs(renamed["tags"]));
        (await _http.GetModelAsync(name)).IsNotFound();
        (await _http.GetVersionAsync(name, "1")).IsNotFound();
        var version = (await _http.GetVersionAsync(newName, "1")).Succeeds()["model_version"]!;
        Assert.Equal(newName, (string)version["name"]!);
        Assert.Equal("1", (string)(await _http.GetByAliasAsync(newName, "champion")).Succeeds()["model_version"]!["version"]!);
    }

    [Fact]
    public async Task Update_registered_model_changes_the_description()
    {
        var name = UniqueName("update");
        var created = await _http.CreateModelAsync(name);

        var json = (await _http.PatchJsonAsync(Models + "update", new JsonObject { ["name"] = name, ["description"] = "better words" })).Succeeds();

        var updated = json["registered_model"]!.AsObject();
        Assert.Equal("better words", (string)updated["description"]!);
        Assert.Equal((long)created["creation_timestamp"]!, (long)updated["creation_timestamp"]!);
        Assert.True((long)updated["last_updated_timestamp"]! >= (long)created["last_updated_timestamp"]!);
        Assert.Equal("better words", (string)(await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["description"]!);
    }

    [Fact]
    public async Task Delete_registered_model_removes_it_with_its_versions()
    {
        var name = UniqueName("delete");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();

        var json = (await _http.DeleteJsonAsync(Models + "delete", new JsonObject { ["name"] = name })).Succeeds();

        Assert.Empty(json);
        (await _http.GetModelAsync(name)).IsNotFound();
        (await _http.GetVersionAsync(name, "1")).IsNotFound();
        (await _http.GetByAliasAsync(name, "champion")).IsNotFound();
        Assert.Empty(await _http.VersionNumbersAsync(name));
        (await _http.DeleteJsonAsync(Models + "delete", new JsonObject { ["name"] = name })).IsNotFound();
    }

    [Fact]
    public async Task Delete_registered_model_takes_the_name_from_the_query_string_without_a_body()
    {
        var name = UniqueName("delete-query");
        await _http.CreateModelAsync(name);

        (await _http.DeleteApiAsync(Models + "delete?name=" + Routes.Escape(name))).Succeeds();

        (await _http.GetModelAsync(name)).IsNotFound();
    }

    [Fact]
    public async Task Search_registered_models_filters_orders_and_pages_with_next_page_token()
    {
        var prefix = UniqueName("search");
        foreach (var suffix in new[] { "a", "b", "c", "d", "e" })
        {
            await _http.CreateModelAsync($"{prefix}-{suffix}");
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var query = $"registered-models/search?filter={Routes.Escape($"name LIKE '{prefix}%'")}&order_by={Routes.Escape("name DESC")}&max_results=2";
            var json = (await _http.GetApiAsync(Routes.Mlflow + query + (token is null ? "" : "&page_token=" + Routes.Escape(token)))).Succeeds();
            AssertFields(json, ["registered_models", "next_page_token"]);
            var page = RegistryHttp.List(json["registered_models"]);
            Assert.All(page, m => AssertFields(m, s_registeredModelFields, "name"));
            names.AddRange(page.Select(m => (string)m["name"]!));
            token = (string?)json["next_page_token"];
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(new[] { "e", "d", "c", "b", "a" }.Select(s => $"{prefix}-{s}"), names);
    }

    [Fact]
    public async Task Search_registered_models_filters_by_tag_with_or_and_parentheses()
    {
        var prefix = UniqueName("tagsearch");
        foreach (var (suffix, team) in new[] { ("cv", "cv"), ("ds", "ds"), ("none", (string?)null) })
        {
            var body = new JsonObject { ["name"] = $"{prefix}-{suffix}" };
            if (team is not null)
            {
                body["tags"] = new JsonArray(Pair("team", team));
            }

            (await _http.PostJsonAsync(Models + "create", body)).Succeeds();
        }

        var filter = $"name LIKE '{prefix}%' AND (tags.team = 'cv' OR name = '{prefix}-none')";
        var json = (await _http.GetApiAsync(Models + "search?filter=" + Routes.Escape(filter))).Succeeds();

        Assert.Equal([$"{prefix}-cv", $"{prefix}-none"], RegistryHttp.List(json["registered_models"]).Select(m => (string)m["name"]!).Order(StringComparer.Ordinal));
        Assert.Null(json["next_page_token"]);
    }

    [Fact]
    public async Task Get_latest_versions_answers_post_and_get_with_and_without_stages()
    {
        var name = UniqueName("latest");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        for (var i = 0; i < 4; i++)
        {
            await _http.RegisterAsync(name, run);
        }

        (await _http.TransitionAsync(name, "1", "Production")).Succeeds();
        (await _http.TransitionAsync(name, "2", "Staging")).Succeeds();
        (await _http.TransitionAsync(name, "3", "Staging")).Succeeds();

        var staging = (await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject { ["name"] = name, ["stages"] = new JsonArray("Staging") })).Succeeds();
        var all = (await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject { ["name"] = name })).Succeeds();
        var viaGet = (await _http.GetApiAsync(Models + $"get-latest-versions?name={Routes.Escape(name)}&stages=Production")).Succeeds();

        AssertFields(staging, ["model_versions"]);
        var stagingVersion = Assert.Single(RegistryHttp.List(staging["model_versions"]));
        AssertFields(stagingVersion, s_modelVersionFields, "name", "version", "current_stage");
        Assert.Equal(("3", "Staging"), ((string)stagingVersion["version"]!, (string)stagingVersion["current_stage"]!));
        Assert.Equal([("1", "Production"), ("3", "Staging"), ("4", "None")],
            RegistryHttp.List(all["model_versions"]).Select(v => ((string)v["version"]!, (string)v["current_stage"]!)).Order());
        Assert.Equal(["1"], RegistryHttp.List(viaGet["model_versions"]).Select(v => (string)v["version"]!));
    }

    [Fact]
    public async Task Set_and_delete_registered_model_tag()
    {
        var name = UniqueName("mtag");
        await _http.CreateModelAsync(name);

        var set = (await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "team", ["value"] = "cv" })).Succeeds();
        var replaced = (await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "team", ["value"] = "nlp" })).Succeeds();
        var afterSet = Pairs((await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["tags"]);
        var deleted = (await _http.DeleteJsonAsync(Models + "delete-tag", new JsonObject { ["name"] = name, ["key"] = "team" })).Succeeds();
        var afterDelete = Pairs((await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["tags"]);

        Assert.Empty(set);
        Assert.Empty(replaced);
        Assert.Empty(deleted);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "nlp" }, afterSet);
        Assert.Empty(afterDelete);
        (await _http.DeleteJsonAsync(Models + "delete-tag", new JsonObject { ["name"] = name, ["key"] = "team" })).IsNotFound();
    }

    [Fact]
    public async Task Set_get_and_delete_an_alias()
    {
        var name = UniqueName("alias");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);

        var set = (await _http.SetAliasAsync(name, "champion", "2")).Succeeds();
        var byAlias = (await _http.GetByAliasAsync(name, "champion")).Succeeds();
        var deleted = (await _http.DeleteJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion" })).Succeeds();

        Assert.Empty(set);
        Assert.Empty(deleted);
        var version = byAlias["model_version"]!.AsObject();
        AssertFields(version, s_modelVersionFields, "name", "version", "aliases");
        Assert.Equal("2", (string)version["version"]!);
        Assert.Equal(["champion"], version["aliases"]!.AsArray().Select(a => (string)a!));
        (await _http.GetByAliasAsync(name, "champion")).IsNotFound();
        Assert.Null((await _http.GetVersionAsync(name, "2")).Succeeds()["model_version"]!["aliases"]);
        (await _http.DeleteJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion" })).IsNotFound();
    }

    [Fact]
    public async Task Delete_alias_takes_its_fields_from_the_query_string_without_a_body()
    {
        var name = UniqueName("alias-query");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();

        (await _http.DeleteApiAsync(Models + $"alias?name={Routes.Escape(name)}&alias=champion")).Succeeds();

        (await _http.GetByAliasAsync(name, "champion")).IsNotFound();
    }

    // ---------------------------------------------------------------- model-versions/*

    [Fact]
    public async Task Create_model_version_returns_every_field_as_mlflow_names_it()
    {
        var name = UniqueName("mv-create");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();

        var json = (await _http.PostJsonAsync(Versions + "create", new JsonObject
        {
            ["name"] = name,
            ["source"] = run.Source,
            ["run_id"] = run.RunId,
            ["tags"] = new JsonArray(Pair("framework", "onnx")),
            ["run_link"] = "http://ci.example/job/7",
            ["description"] = "first cut",
        })).Succeeds();

        Assert.Equal(["model_version"], json.Select(p => p.Key));
        var version = json["model_version"]!.AsObject();
        AssertFields(version, s_modelVersionFields, "name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "source", "run_id", "status");
        Assert.Equal(name, (string)version["name"]!);
        Assert.Equal(JsonValueKind.String, version["version"]!.GetValueKind());
        Assert.Equal("1", (string)version["version"]!);
        Assert.Equal("None", (string)version["current_stage"]!);
        Assert.Equal("READY", (string)version["status"]!);
        Assert.Equal(run.ArtifactSource, (string)version["source"]!);
        Assert.Equal(run.RunId, (string)version["run_id"]!);
        Assert.Equal("http://ci.example/job/7", (string)version["run_link"]!);
        Assert.Equal("first cut", (string)version["description"]!);
        Assert.Equal(new Dictionary<string, string> { ["framework"] = "onnx" }, RegistryHttp.UserTags(version["tags"]));
        Assert.Equal(JsonValueKind.Number, version["creation_timestamp"]!.GetValueKind());
        Assert.Equal(version.ToJsonString(), (await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_model_version_infers_the_run_from_a_source_among_its_artifacts()
    {
        var name = UniqueName("mv-infer");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();

        var fromArtifacts = (await _http.CreateVersionAsync(name, run.ArtifactSource)).Succeeds()["model_version"]!;
        var fromRun = (await _http.CreateVersionAsync(name, run.Source)).Succeeds()["model_version"]!;

        Assert.Equal(run.RunId, (string)fromArtifacts["run_id"]!);
        Assert.Equal(run.ArtifactSource, (string)fromArtifacts["source"]!);
        Assert.Equal(run.RunId, (string)fromRun["run_id"]!);
        Assert.Equal(run.ArtifactSource, (string)fromRun["source"]!);
    }

    [Fact]
    public async Task Update_model_version_changes_the_description()
    {
        var name = UniqueName("mv-update");
        await _http.CreateModelAsync(name);
        var created = await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        var json = (await _http.PatchJsonAsync(Versions + "update", new JsonObject { ["name"] = name, ["version"] = "1", ["description"] = "now documented" })).Succeeds();

        var updated = json["model_version"]!.AsObject();
        Assert.Equal("now documented", (string)updated["description"]!);
        Assert.Equal("1", (string)updated["version"]!);
        Assert.Equal((long)created["creation_timestamp"]!, (long)updated["creation_timestamp"]!);
        Assert.Equal("now documented", (string)(await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!["description"]!);
    }

    [Fact]
    public async Task Transition_stage_archives_other_versions_only_when_asked()
    {
        var name = UniqueName("mv-stage");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        for (var i = 0; i < 3; i++)
        {
            await _http.RegisterAsync(name, run);
        }

        (await _http.TransitionAsync(name, "1", "Production")).Succeeds();
        var second = (await _http.TransitionAsync(name, "2", "Production", archiveExisting: false)).Succeeds()["model_version"]!;
        var stagesBefore = await StagesAsync(name, 3);
        var third = (await _http.TransitionAsync(name, "3", "Production", archiveExisting: true)).Succeeds()["model_version"]!;

        Assert.Equal("Production", (string)second["current_stage"]!);
        Assert.Equal(["Production", "Production", "None"], stagesBefore);
        Assert.Equal("Production", (string)third["current_stage"]!);
        Assert.Equal(["Archived", "Archived", "Production"], await StagesAsync(name, 3));
    }

    [Fact]
    public async Task Delete_model_version_removes_it_and_the_aliases_on_it()
    {
        var name = UniqueName("mv-delete");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);
        (await _http.SetAliasAsync(name, "champion", "2")).Succeeds();
        (await _http.SetAliasAsync(name, "baseline", "1")).Succeeds();

        var json = (await _http.DeleteJsonAsync(Versions + "delete", new JsonObject { ["name"] = name, ["version"] = "2" })).Succeeds();

        Assert.Empty(json);
        (await _http.GetVersionAsync(name, "2")).IsNotFound();
        (await _http.GetByAliasAsync(name, "champion")).IsNotFound();
        Assert.Equal(["1"], await _http.VersionNumbersAsync(name));
        var aliases = RegistryHttp.List((await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["aliases"]);
        Assert.Equal([("baseline", "1")], aliases.Select(a => ((string)a["alias"]!, (string)a["version"]!)));
        (await _http.DeleteJsonAsync(Versions + "delete", new JsonObject { ["name"] = name, ["version"] = "2" })).IsNotFound();
        Assert.Equal("3", (string)(await _http.RegisterAsync(name, run))["version"]!);
    }

    [Fact]
    public async Task Delete_model_version_takes_its_fields_from_the_query_string_without_a_body()
    {
        var name = UniqueName("mv-delete-query");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        (await _http.DeleteApiAsync(Versions + $"delete?name={Routes.Escape(name)}&version=1")).Succeeds();

        (await _http.GetVersionAsync(name, "1")).IsNotFound();
    }

    [Fact]
    public async Task Get_model_version_returns_the_version()
    {
        var name = UniqueName("mv-get");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);

        var json = (await _http.GetVersionAsync(name, "2")).Succeeds();

        Assert.Equal(["model_version"], json.Select(p => p.Key));
        var version = json["model_version"]!.AsObject();
        AssertFields(version, s_modelVersionFields, "name", "version", "creation_timestamp", "last_updated_timestamp", "current_stage", "source", "run_id", "status");
        Assert.Equal((name, "2", run.RunId), ((string)version["name"]!, (string)version["version"]!, (string)version["run_id"]!));
    }

    [Fact]
    public async Task Search_model_versions_filters_by_name_run_and_stage_and_pages()
    {
        var name = UniqueName("mv-search");
        var other = UniqueName("mv-search-other");
        await _http.CreateModelAsync(name);
        await _http.CreateModelAsync(other);
        var first = await _http.NewModelRunAsync();
        var second = await _http.NewModelRunAsync();
        foreach (var run in new[] { first, second, first, second, first })
        {
            await _http.RegisterAsync(name, run);
        }

        await _http.RegisterAsync(other, first);
        (await _http.TransitionAsync(name, "4", "Production")).Succeeds();

        var byRun = await _http.SearchVersionsAsync($"run_id = '{second.RunId}'");
        var byStage = await _http.SearchVersionsAsync($"name = '{name}' AND current_stage = 'Production'");
        var either = await _http.SearchVersionsAsync($"(name = '{name}' AND run_id = '{second.RunId}') OR name = '{other}'");
        var numbers = new List<string>();
        string? token = null;
        do
        {
            var page = await _http.SearchVersionsAsync($"name = '{name}'", "version_number DESC", 2, token);
            Assert.All(page.Versions, v => AssertFields(v, s_modelVersionFields, "name", "version"));
            numbers.AddRange(page.Versions.Select(v => (string)v["version"]!));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(["2", "4"], byRun.Versions.Select(v => (string)v["version"]!).Order(StringComparer.Ordinal));
        Assert.Null(byRun.NextPageToken);
        Assert.Equal(["4"], byStage.Versions.Select(v => (string)v["version"]!));
        Assert.Equal([$"{name}/2", $"{name}/4", $"{other}/1"], either.Versions.Select(v => $"{v["name"]}/{v["version"]}").Order(StringComparer.Ordinal));
        Assert.Equal(["5", "4", "3", "2", "1"], numbers);
    }

    [Fact]
    public async Task Get_download_uri_points_at_the_model_folder_on_this_server()
    {
        var name = UniqueName("mv-uri");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);

        var json = (await _http.GetApiAsync(Versions + $"get-download-uri?name={Routes.Escape(name)}&version=1")).Succeeds();

        Assert.Equal(["artifact_uri"], json.Select(p => p.Key));
        Assert.Equal(run.ArtifactSource, (string)json["artifact_uri"]!);
    }

    [Fact]
    public async Task Set_and_delete_model_version_tag()
    {
        var name = UniqueName("mv-tag");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);

        var set = (await _http.PostJsonAsync(Versions + "set-tag", new JsonObject { ["name"] = name, ["version"] = "1", ["key"] = "quality", ["value"] = "good" })).Succeeds();
        var afterSet = (await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!;
        var deleted = (await _http.DeleteJsonAsync(Versions + "delete-tag", new JsonObject { ["name"] = name, ["version"] = "1", ["key"] = "quality" })).Succeeds();
        var afterDelete = (await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!;

        Assert.Empty(set);
        Assert.Empty(deleted);
        Assert.Equal(new Dictionary<string, string> { ["quality"] = "good" }, RegistryHttp.UserTags(afterSet["tags"]));
        Assert.Empty(RegistryHttp.UserTags(afterDelete["tags"]));
        Assert.Empty(RegistryHttp.UserTags((await _http.GetVersionAsync(name, "2")).Succeeds()["model_version"]!["tags"]));
        (await _http.DeleteJsonAsync(Versions + "delete-tag", new JsonObject { ["name"] = name, ["version"] = "1", ["key"] = "quality" })).IsNotFound();
    }

    [Theory]
    [InlineData(Routes.Mlflow)]
    [InlineData(Routes.AjaxMlflow)]
    public async Task Serves_the_registry_under_both_prefixes(string prefix)
    {
        var name = UniqueName("prefix");
        var run = await _http.NewModelRunAsync();

        var model = await _http.CreateModelAsync(name, prefix);
        var version = (await _http.CreateVersionAsync(name, run.Source, prefix: prefix)).Succeeds()["model_version"]!;
        (await _http.SetAliasAsync(name, "champion", "1", prefix)).Succeeds();
        var byAlias = (await _http.GetByAliasAsync(name, "champion", prefix)).Succeeds()["model_version"]!;
        var got = (await _http.GetVersionAsync(name, "1", prefix)).Succeeds()["model_version"]!;
        var found = (await _http.GetApiAsync(prefix + "registered-models/search?filter=" + Routes.Escape($"name = '{name}'"))).Succeeds();
        (await _http.PatchJsonAsync(prefix + "registered-models/update", new JsonObject { ["name"] = name, ["description"] = "d" })).Succeeds();
        (await _http.DeleteJsonAsync(prefix + "registered-models/delete", new JsonObject { ["name"] = name })).Succeeds();

        Assert.Equal(name, (string)model["name"]!);
        Assert.Equal("1", (string)version["version"]!);
        Assert.Equal("1", (string)byAlias["version"]!);
        Assert.Equal(run.RunId, (string)got["run_id"]!);
        Assert.Equal([name], RegistryHttp.List(found["registered_models"]).Select(m => (string)m["name"]!));
        (await _http.GetModelAsync(name, prefix)).IsNotFound();
    }

    // ---------------------------------------------------------------- the MLflow Python client's call sequences

    [Fact]
    public async Task Register_model_works_as_the_python_client_calls_it()
    {
        var name = UniqueName("register");
        var run = await _http.NewModelRunAsync();

        // mlflow.register_model("runs:/<run>/model", name), twice: the second create is RESOURCE_ALREADY_EXISTS and tolerated.
        var registered = new List<JsonObject>();
        for (var i = 0; i < 2; i++)
        {
            await _http.GetRunAsync(run.RunId);
            var create = await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = name });
            if (i == 0)
            {
                create.Succeeds();
            }
            else
            {
                create.Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
            }

            var version = (await _http.PostJsonAsync(Versions + "create", new JsonObject { ["name"] = name, ["source"] = run.Source, ["run_id"] = run.RunId })).Succeeds()["model_version"]!;
            var polled = (await _http.GetVersionAsync(name, (string)version["version"]!)).Succeeds()["model_version"]!.AsObject();
            registered.Add(polled);
        }

        Assert.Equal(["1", "2"], registered.Select(v => (string)v["version"]!));
        Assert.All(registered, v => Assert.Equal("READY", (string)v["status"]!));
        Assert.All(registered, v => Assert.Equal(run.RunId, (string)v["run_id"]!));
    }

    [Fact]
    public async Task Alias_calls_work_as_the_python_client_makes_them()
    {
        var name = UniqueName("client-alias");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);
        await _http.RegisterAsync(name, run);

        // MlflowClient.set_registered_model_alias(name, "champion", 1) sends the version as a string.
        (await _http.PostJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion", ["version"] = "1" })).Succeeds();
        (await _http.PostJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion", ["version"] = "2" })).Succeeds();
        var byAlias = (await _http.GetByAliasAsync(name, "champion")).Succeeds()["model_version"]!;

        // load_model("models:/name@champion"): get-by-alias, then the download URI of that version.
        var uri = (await _http.GetApiAsync(Versions + $"get-download-uri?name={Routes.Escape(name)}&version={byAlias["version"]}")).Succeeds();

        Assert.Equal("2", (string)byAlias["version"]!);
        Assert.Equal(["champion"], byAlias["aliases"]!.AsArray().Select(a => (string)a!));
        Assert.Equal(run.ArtifactSource, (string)uri["artifact_uri"]!);
        Assert.Null((await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!["aliases"]);
    }

    [Theory]
    [InlineData("Staging", "Staging")]
    [InlineData("staging", "Staging")]
    [InlineData("PRODUCTION", "Production")]
    [InlineData("archived", "Archived")]
    [InlineData("None", "None")]
    public async Task Transition_model_version_stage_works_as_the_python_client_calls_it(string stage, string expected)
    {
        var name = UniqueName("client-stage");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        var json = (await _http.PostJsonAsync(Versions + "transition-stage",
            new JsonObject { ["name"] = name, ["version"] = "1", ["stage"] = stage, ["archive_existing_versions"] = false })).Succeeds();

        Assert.Equal(expected, (string)json["model_version"]!["current_stage"]!);
        Assert.Equal(expected, (string)(await _http.GetVersionAsync(name, "1")).Succeeds()["model_version"]!["current_stage"]!);
    }

    [Fact]
    public async Task Load_model_from_a_stage_uri_downloads_the_registered_files()
    {
        var name = UniqueName("load");
        await _http.CreateModelAsync(name);
        var old = await _http.NewModelRunAsync();
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, old);
        await _http.RegisterAsync(name, run);
        (await _http.TransitionAsync(name, "1", "Staging")).Succeeds();
        (await _http.TransitionAsync(name, "2", "Staging")).Succeeds();

        // pyfunc.load_model("models:/name/Staging")
        var latest = (await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject { ["name"] = name, ["stages"] = new JsonArray("Staging") })).Succeeds();
        var version = (string)Assert.Single(RegistryHttp.List(latest["model_versions"]))["version"]!;
        var uri = (string)(await _http.GetApiAsync(Versions + $"get-download-uri?name={Routes.Escape(name)}&version={version}")).Succeeds()["artifact_uri"]!;
        Assert.StartsWith("mlflow-artifacts:/", uri, StringComparison.Ordinal);
        var path = uri["mlflow-artifacts:/".Length..];
        var listing = (await _http.GetApiAsync(Routes.Artifacts + "?path=" + Routes.Escape(path))).Succeeds();
        var files = new Dictionary<string, byte[]>();
        foreach (var file in RegistryHttp.List(listing["files"]))
        {
            Assert.False((bool)file["is_dir"]!);
            var fileName = (string)file["path"]!;
            using var download = await _http.GetAsync(Routes.Artifact(path + "/" + fileName));
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            files[fileName] = await download.Content.ReadAsByteArrayAsync();
        }

        Assert.Equal("2", version);
        Assert.Equal(run.ArtifactSource, uri);
        Assert.Equal(["MLmodel", "model.onnx"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(RegistryHttp.MlmodelBytes, files["MLmodel"]);
        Assert.Equal(RegistryHttp.OnnxBytes, files["model.onnx"]);
    }

    // ---------------------------------------------------------------- bad input

    [Fact]
    public async Task Rejects_a_duplicate_model_name_with_resource_already_exists()
    {
        var name = UniqueName("dup");
        (await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = name, ["description"] = "original" })).Succeeds();

        var message = (await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = name, ["description"] = "impostor" }))
            .Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");

        Assert.Contains(name, message, StringComparison.Ordinal);
        Assert.Equal("original", (string)(await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["description"]!);
    }

    [Fact]
    public async Task Rejects_renaming_to_a_taken_name_with_resource_already_exists()
    {
        var first = UniqueName("first");
        var second = UniqueName("second");
        await _http.CreateModelAsync(first);
        await _http.CreateModelAsync(second);
        await _http.RegisterAsync(first, await _http.NewModelRunAsync());

        (await _http.PostJsonAsync(Models + "rename", new JsonObject { ["name"] = first, ["new_name"] = second }))
            .Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");

        Assert.Equal(["1"], await _http.VersionNumbersAsync(first));
        Assert.Empty(await _http.VersionNumbersAsync(second));
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_model_on_every_endpoint_that_names_one()
    {
        var name = UniqueName("ghost");
        var escaped = Routes.Escape(name);
        var run = await _http.NewModelRunAsync();

        var responses = new Dictionary<string, ApiResponse>
        {
            ["get"] = await _http.GetModelAsync(name),
            ["rename"] = await _http.PostJsonAsync(Models + "rename", new JsonObject { ["name"] = name, ["new_name"] = UniqueName("other") }),
            ["update"] = await _http.PatchJsonAsync(Models + "update", new JsonObject { ["name"] = name, ["description"] = "d" }),
            ["delete"] = await _http.DeleteJsonAsync(Models + "delete", new JsonObject { ["name"] = name }),
            ["latest"] = await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject { ["name"] = name }),
            ["set-tag"] = await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "k", ["value"] = "v" }),
            ["delete-tag"] = await _http.DeleteJsonAsync(Models + "delete-tag", new JsonObject { ["name"] = name, ["key"] = "k" }),
            ["set-alias"] = await _http.SetAliasAsync(name, "champion", "1"),
            ["delete-alias"] = await _http.DeleteJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion" }),
            ["get-alias"] = await _http.GetByAliasAsync(name, "champion"),
            ["create-version"] = await _http.CreateVersionAsync(name, run.Source),
            ["get-version"] = await _http.GetVersionAsync(name, "1"),
            ["download-uri"] = await _http.GetApiAsync(Versions + $"get-download-uri?name={escaped}&version=1"),
        };

        Assert.All(responses, r => Assert.True(r.Value.Status == HttpStatusCode.NotFound, $"{r.Key}: {(int)r.Value.Status} {r.Value.Body}"));
        Assert.All(responses.Values, r => r.IsNotFound());
        (await _http.GetModelAsync(name)).IsNotFound();
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_version_on_every_endpoint_that_names_one()
    {
        var name = UniqueName("sparse");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        var responses = new Dictionary<string, ApiResponse>
        {
            ["get"] = await _http.GetVersionAsync(name, "2"),
            ["update"] = await _http.PatchJsonAsync(Versions + "update", new JsonObject { ["name"] = name, ["version"] = "2", ["description"] = "d" }),
            ["delete"] = await _http.DeleteJsonAsync(Versions + "delete", new JsonObject { ["name"] = name, ["version"] = "2" }),
            ["transition"] = await _http.TransitionAsync(name, "2", "Production", archiveExisting: true),
            ["download-uri"] = await _http.GetApiAsync(Versions + $"get-download-uri?name={Routes.Escape(name)}&version=2"),
            ["set-tag"] = await _http.PostJsonAsync(Versions + "set-tag", new JsonObject { ["name"] = name, ["version"] = "2", ["key"] = "k", ["value"] = "v" }),
            ["delete-tag"] = await _http.DeleteJsonAsync(Versions + "delete-tag", new JsonObject { ["name"] = name, ["version"] = "2", ["key"] = "k" }),
        };

        Assert.All(responses, r => Assert.True(r.Value.Status == HttpStatusCode.NotFound, $"{r.Key}: {(int)r.Value.Status} {r.Value.Body}"));
        Assert.All(responses.Values, r => r.IsNotFound());
        Assert.Equal(["None"], await StagesAsync(name, 1));
    }

    [Fact]
    public async Task Answers_404_for_an_unknown_alias()
    {
        var name = UniqueName("no-alias");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        (await _http.GetByAliasAsync(name, "champion")).IsNotFound();
        (await _http.DeleteJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion" })).IsNotFound();
    }

    [Fact]
    public async Task Rejects_an_alias_on_a_missing_version_with_404_and_keeps_the_old_target()
    {
        var name = UniqueName("alias-missing");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();

        (await _http.SetAliasAsync(name, "champion", "7")).IsNotFound();
        (await _http.SetAliasAsync(name, "challenger", "7")).IsNotFound();

        Assert.Equal("1", (string)(await _http.GetByAliasAsync(name, "champion")).Succeeds()["model_version"]!["version"]!);
        (await _http.GetByAliasAsync(name, "challenger")).IsNotFound();
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("LATEST")]
    [InlineData("v3")]
    [InlineData("V12")]
    [InlineData("bad alias!")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task Rejects_an_invalid_alias_with_invalid_parameter_value(string alias)
    {
        var name = UniqueName("bad-alias");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        (await _http.SetAliasAsync(name, alias, "1")).IsInvalid();
        (await _http.GetByAliasAsync(name, alias)).IsInvalid();

        Assert.Null((await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["aliases"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    public async Task Rejects_an_invalid_version_with_invalid_parameter_value(string version)
    {
        var name = UniqueName("bad-version");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        (await _http.GetVersionAsync(name, version)).IsInvalid();
        (await _http.SetAliasAsync(name, "champion", version)).IsInvalid();
        (await _http.TransitionAsync(name, version, "Production")).IsInvalid();
        (await _http.PatchJsonAsync(Versions + "update", new JsonObject { ["name"] = name, ["version"] = version, ["description"] = "d" })).IsInvalid();
        (await _http.DeleteJsonAsync(Versions + "delete", new JsonObject { ["name"] = name, ["version"] = version })).IsInvalid();
        (await _http.GetApiAsync(Versions + $"get-download-uri?name={Routes.Escape(name)}&version={Routes.Escape(version)}")).IsInvalid();

        Assert.Equal(["1"], await _http.VersionNumbersAsync(name));
        Assert.Equal(["None"], await StagesAsync(name, 1));
    }

    [Theory]
    [InlineData("Prod")]
    [InlineData("Deleted")]
    [InlineData("")]
    public async Task Rejects_an_invalid_stage_with_invalid_parameter_value(string stage)
    {
        var name = UniqueName("bad-stage");
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());

        (await _http.TransitionAsync(name, "1", stage, archiveExisting: true)).IsInvalid();
        (await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject { ["name"] = name, ["stages"] = new JsonArray(stage, "Bogus") })).IsInvalid();

        Assert.Equal(["None"], await StagesAsync(name, 1));
    }

    [Theory]
    [InlineData("/etc/passwd", null)]
    [InlineData("file:///etc/passwd", null)]
    [InlineData("file:/etc/passwd", null)]
    [InlineData("s3://b/k", null)]
    [InlineData("http://evil/x", null)]
    [InlineData("https://evil.example/model.onnx", null)]
    [InlineData("../../etc/passwd", null)]
    [InlineData("C:\\Windows\\win.ini", null)]
    [InlineData("models:/other/1", null)]
    [InlineData("runs:/{unknown}/model", null)]
    [InlineData("runs:/../../etc/passwd", null)]
    [InlineData("runs:/{run}/../../x", null)]
    [InlineData("runs:/{run}/model/../../../../etc", null)]
    [InlineData("runs:/{run}/%2e%2e/%2e%2e/x", null)]
    [InlineData("runs:/{run}/missing", null)]
    [InlineData("runs:/{run}/model", "{other}")]
    [InlineData("runs:/{run}/model", "{unknown}")]
    [InlineData("mlflow-artifacts:/../../etc", null)]
    [InlineData("mlflow-artifacts:/{root}/../../../../etc", null)]
    [InlineData("mlflow-artifacts:/{root}/missing", null)]
    [InlineData("mlflow-artifacts:/{root}/model", "{other}")]
    [InlineData("mlflow-artifacts:/{root}/model", "{unknown}")]
    [InlineData("mlflow-artifacts://evil.example/{root}/missing", null)]
    public async Task Refuses_a_source_that_is_not_an_artifact_of_this_server_and_creates_no_version(string source, string? runId)
    {
        var name = UniqueName("bad-source");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        var other = await _http.NewModelRunAsync();
        var unknown = Guid.NewGuid().ToString("N");
        string Fill(string text) => text.Replace("{run}", run.RunId, StringComparison.Ordinal).Replace("{root}", run.Root, StringComparison.Ordinal)
            .Replace("{other}", other.RunId, StringComparison.Ordinal).Replace("{unknown}", unknown, StringComparison.Ordinal);

        var response = await _http.CreateVersionAsync(name, Fill(source), runId is null ? null : Fill(runId));

        response.IsInvalid();
        Assert.Empty(await _http.VersionNumbersAsync(name));
        Assert.Empty((await _http.SearchVersionsAsync($"run_id = '{run.RunId}'")).Versions);
        Assert.Equal("1", (string)(await _http.RegisterAsync(name, run))["version"]!);
    }

    [Theory]
    [InlineData("mlflow-artifacts:/")]
    [InlineData("mlflow-artifacts:")]
    [InlineData("mlflow-artifacts:///")]
    [InlineData("mlflow-artifacts:/{experiment}")]
    public async Task Refuses_the_artifact_root_or_a_whole_experiment_folder_as_a_source(string source)
    {
        var name = UniqueName("root-source");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();

        var response = await _http.CreateVersionAsync(name, source.Replace("{experiment}", run.ExperimentId, StringComparison.Ordinal));

        response.IsInvalid();
        Assert.Empty(await _http.VersionNumbersAsync(name));
    }

    [Theory]
    [InlineData("registered-models/search?filter=name%20%3D%20")]
    [InlineData("registered-models/search?filter=foo%20%3D%20%27x%27")]
    [InlineData("registered-models/search?filter=tags.x%20%3E%205")]
    [InlineData("registered-models/search?order_by=bogus%20DESC")]
    [InlineData("registered-models/search?max_results=1001")]
    [InlineData("registered-models/search?max_results=-1")]
    [InlineData("registered-models/search?max_results=ten")]
    [InlineData("registered-models/search?page_token=garbage")]
    [InlineData("model-versions/search?filter=name%20%3D%20%27x%27%20AND")]
    [InlineData("model-versions/search?filter=foo%20%3D%20%27x%27")]
    [InlineData("model-versions/search?order_by=bogus")]
    [InlineData("model-versions/search?max_results=200001")]
    [InlineData("model-versions/search?page_token=garbage")]
    public async Task Rejects_an_invalid_search_with_invalid_parameter_value(string pathAndQuery)
    {
        (await _http.GetApiAsync(Routes.Mlflow + pathAndQuery)).IsInvalid();
    }

    [Fact]
    public async Task Handles_names_with_quotes_spaces_and_non_ascii_letters()
    {
        var name = $"O'Brien churn model ü (v2) 100% {Guid.NewGuid():N}";
        await _http.CreateModelAsync(name);
        await _http.RegisterAsync(name, await _http.NewModelRunAsync());
        (await _http.SetAliasAsync(name, "champion", "1")).Succeeds();

        var model = (await _http.GetModelAsync(name)).Succeeds()["registered_model"]!;
        var byAlias = (await _http.GetByAliasAsync(name, "champion")).Succeeds()["model_version"]!;
        var filter = $"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'";
        var found = (await _http.GetApiAsync(Models + "search?filter=" + Routes.Escape(filter))).Succeeds();

        Assert.Equal(name, (string)model["name"]!);
        Assert.Equal(name, (string)byAlias["name"]!);
        Assert.Equal([name], RegistryHttp.List(found["registered_models"]).Select(m => (string)m["name"]!));
        Assert.Equal(["1"], await _http.VersionNumbersAsync(name));
    }

    [Theory]
    [InlineData("registered-models/create", "POST", "{")]
    [InlineData("registered-models/create", "POST", "{\"name\": \"x\",}")]
    [InlineData("registered-models/create", "POST", "[\"name\"]")]
    [InlineData("registered-models/create", "POST", "null")]
    [InlineData("registered-models/create", "POST", "{\"name\": 5}")]
    [InlineData("registered-models/create", "POST", "{\"name\": \"x\", \"tags\": {\"k\": \"v\"}}")]
    [InlineData("registered-models/rename", "POST", "{\"name\": ")]
    [InlineData("registered-models/update", "PATCH", "not json")]
    [InlineData("registered-models/delete", "DELETE", "{{}")]
    [InlineData("registered-models/alias", "POST", "{\"name\": \"x\", \"alias\": [1]}")]
    [InlineData("model-versions/create", "POST", "{\"name\": \"x\", \"source\": }")]
    [InlineData("model-versions/transition-stage", "POST", "{\"name\": \"x\", \"version\": \"1\", \"stage\": \"Staging\", \"archive_existing_versions\": \"maybe\"}")]
    [InlineData("model-versions/set-tag", "POST", "{\"name\": \"x\" \"version\": \"1\"}")]
    public async Task Rejects_malformed_json_with_invalid_parameter_value(string endpoint, string method, string body)
    {
        var response = await _http.SendRawAsync(new HttpMethod(method), Routes.Mlflow + endpoint, body);

        response.IsInvalid();
    }

    [Fact]
    public async Task Rejects_a_body_that_is_not_json()
    {
        var name = UniqueName("form");

        var response = await _http.SendRawAsync(HttpMethod.Post, Models + "create", "name=" + name, "application/x-www-form-urlencoded");

        response.IsInvalid();
        (await _http.GetModelAsync(name)).IsNotFound();
    }

    [Fact]
    public async Task Rejects_requests_missing_a_required_field_with_invalid_parameter_value()
    {
        var name = UniqueName("required");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        await _http.RegisterAsync(name, run);

        var responses = new Dictionary<string, ApiResponse>
        {
            ["create without name"] = await _http.PostJsonAsync(Models + "create", new JsonObject { ["description"] = "d" }),
            ["create with empty name"] = await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = "" }),
            ["create with a slash"] = await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = "team/model" }),
            ["tag without value"] = await _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = UniqueName("t"), ["tags"] = new JsonArray(new JsonObject { ["key"] = "k" }) }),
            ["get without name"] = await _http.GetApiAsync(Models + "get"),
            ["rename without new_name"] = await _http.PostJsonAsync(Models + "rename", new JsonObject { ["name"] = name }),
            ["set-tag without key"] = await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["value"] = "v" }),
            ["set-tag without value"] = await _http.PostJsonAsync(Models + "set-tag", new JsonObject { ["name"] = name, ["key"] = "k" }),
            ["delete-tag without key"] = await _http.DeleteJsonAsync(Models + "delete-tag", new JsonObject { ["name"] = name }),
            ["alias without alias"] = await _http.PostJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["version"] = "1" }),
            ["alias without version"] = await _http.PostJsonAsync(Models + "alias", new JsonObject { ["name"] = name, ["alias"] = "champion" }),
            ["get-alias without alias"] = await _http.GetApiAsync(Models + "alias?name=" + Routes.Escape(name)),
            ["latest without name"] = await _http.PostJsonAsync(Models + "get-latest-versions", new JsonObject()),
            ["version without source"] = await _http.PostJsonAsync(Versions + "create", new JsonObject { ["name"] = name }),
            ["version with empty source"] = await _http.PostJsonAsync(Versions + "create", new JsonObject { ["name"] = name, ["source"] = "" }),
            ["version without name"] = await _http.PostJsonAsync(Versions + "create", new JsonObject { ["source"] = run.Source }),
            ["get version without version"] = await _http.GetApiAsync(Versions + "get?name=" + Routes.Escape(name)),
            ["transition without stage"] = await _http.PostJsonAsync(Versions + "transition-stage", new JsonObject { ["name"] = name, ["version"] = "1" }),
            ["version set-tag without key"] = await _http.PostJsonAsync(Versions + "set-tag", new JsonObject { ["name"] = name, ["version"] = "1", ["value"] = "v" }),
            ["download-uri without version"] = await _http.GetApiAsync(Versions + "get-download-uri?name=" + Routes.Escape(name)),
        };

        Assert.All(responses, r => Assert.True(r.Value.Status == HttpStatusCode.BadRequest, $"{r.Key}: {(int)r.Value.Status} {r.Value.Body}"));
        Assert.All(responses.Values, r => r.IsInvalid());
        Assert.Equal(["1"], await _http.VersionNumbersAsync(name));
        (await _http.GetModelAsync("team/model")).IsInvalid();
    }

    // ---------------------------------------------------------------- concurrency

    [Fact]
    public async Task Ten_clients_registering_versions_of_one_model_at_once_get_distinct_numbers()
    {
        var name = UniqueName("race-register");
        await _http.CreateModelAsync(name);
        var runs = new List<ModelRun>();
        for (var i = 0; i < 10; i++)
        {
            runs.Add(await _http.NewModelRunAsync());
        }

        var clients = runs.Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            var responses = await Task.WhenAll(runs.Select((run, i) => clients[i].CreateVersionAsync(name, run.Source, run.RunId)));

            var created = responses.Select(r => r.Succeeds()["model_version"]!).ToList();
            Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), created.Select(v => (string)v["version"]!).OrderBy(v => int.Parse(v, CultureInfo.InvariantCulture)));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), await _http.VersionNumbersAsync(name));
            foreach (var version in created)
            {
                var stored = (await _http.GetVersionAsync(name, (string)version["version"]!)).Succeeds()["model_version"]!;
                Assert.Equal((string)version["run_id"]!, (string)stored["run_id"]!);
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Racing_creates_of_one_model_name_give_one_model_and_resource_already_exists()
    {
        var name = UniqueName("race-create");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _http.PostJsonAsync(Models + "create", new JsonObject { ["name"] = name, ["description"] = Str(i) })));

        var winner = Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.OK), r => r.Fails(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS"));
        var stored = (await _http.GetModelAsync(name)).Succeeds()["registered_model"]!;
        Assert.Equal((string)winner.Succeeds()["registered_model"]!["description"]!, (string)stored["description"]!);
    }

    [Fact]
    public async Task Clients_moving_one_alias_at_once_end_consistent()
    {
        var name = UniqueName("race-alias");
        await _http.CreateModelAsync(name);
        var run = await _http.NewModelRunAsync();
        for (var i = 0; i < 10; i++)
        {
            await _http.RegisterAsync(name, run);
        }

        var clients = Enumerable.Range(0, 10).Select(_ => new HttpClient { BaseAddress = server.BaseAddress }).ToList();
        try
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                for (var round = 0; round < 3; round++)
                {
                    (await client.SetAliasAsync(name, "champion", Str(i + 1))).Succeeds();
                }
            }));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        var target = (string)(await _http.GetByAliasAsync(name, "champion")).Succeeds()["model_version"]!["version"]!;
        var aliases = RegistryHttp.List((await _http.GetModelAsync(name)).Succeeds()["registered_model"]!["aliases"]);
        Assert.Equal([("champion", target)], aliases.Select(a => ((string)a["alias"]!, (string)a["version"]!)));
        var (versions, _) = await _http.SearchVersionsAsync($"name = '{name}'");
        Assert.Equal([target], versions.Where(v => v["aliases"] is JsonArray a && a.Any(x => (string)x! == "champion")).Select(v => (string)v["version"]!));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Every key is one MLflow defines for the message, and the required ones are present.</summary>
    private static void AssertFields(JsonObject json, IReadOnlyCollection<string> allowed, params string[] required)
    {
        var unexpected = json.Select(p => p.Key).Where(k => !allowed.Contains(k)).ToList();
        Assert.True(unexpected.Count == 0, $"Fields MLflow does not define: {string.Join(", ", unexpected)} in {json.ToJsonString()}");
        foreach (var field in required)
        {
            Assert.True(json.ContainsKey(field), $"Missing field '{field}' in {json.ToJsonString()}");
        }
    }

    private async Task<List<string>> StagesAsync(string name, int count)
    {
        var stages = new List<string>();
        for (var version = 1; version <= count; version++)
        {
            stages.Add((string)(await _http.GetVersionAsync(name, Str(version))).Succeeds()["model_version"]!["current_stage"]!);
        }

        return stages;
    }
}

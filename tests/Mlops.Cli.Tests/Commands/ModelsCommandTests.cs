using System.Text.Json.Nodes;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary>
/// <c>mlops models ...</c> against a real server. Runs and their model folders (model/model.zip plus a sealed
/// model/MLmodel) are logged through the HTTP API, then everything else goes through the CLI.
/// </summary>
public sealed class ModelsCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    private static string NewName() => MlopsServerFixture.UniqueName("model");

    private static void AssertAscii(CliResult result) =>
        Assert.All(result.Stdout, ch => Assert.True(ch < 128, $"Non-ASCII character U+{(int)ch:X4} in plain output:\n{result}"));

    private static void AssertError(CliResult result, params string[] fragments)
    {
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.All(fragments, f => Assert.Contains(f, result.Stderr, StringComparison.Ordinal));
    }

    private async Task<CliResult> RegisterAsync(string name, LoggedModel model, params string[] extra) =>
        (await server.RunAsync(["models", "register", name, "--source", model.Source, .. extra])).ShouldSucceed();

    /// <summary>A new model with version 1 registered from a freshly logged run.</summary>
    private async Task<(string Name, LoggedModel Model)> RegisteredModelAsync()
    {
        var name = NewName();
        var model = await server.LogModelAsync();
        await RegisterAsync(name, model);
        return (name, model);
    }

    private async Task<JsonObject> VersionAsync(string name, string version)
    {
        var versions = (await server.RunAsync("models", "versions", name, "--json")).ShouldSucceed().Json()["model_versions"]!.AsArray();
        return Assert.Single(versions, v => v!["version"]!.GetValue<string>() == version)!.AsObject();
    }

    private static List<string> Aliases(JsonNode version) =>
        version["aliases"] is JsonArray aliases ? aliases.Select(a => a!.GetValue<string>()).ToList() : [];

    // ---------------------------------------------------------------- help

    [Theory]
    [InlineData("models", "create", "list", "get", "versions", "register", "alias", "stage", "delete", "lineage", "download")]
    [InlineData("models create", "<name>", "--description", "-d", "--json", "--tracking-uri")]
    [InlineData("models list", "--filter", "--json", "--tracking-uri")]
    [InlineData("models get", "<name>", "--json", "--tracking-uri")]
    [InlineData("models versions", "<name>", "--json", "--tracking-uri")]
    [InlineData("models register", "<name>", "--source", "runs:/<run-id>/<path>", "--description", "--alias", "--json", "--tracking-uri")]
    [InlineData("models alias", "<name>", "<alias>", "<version>", "--delete", "--tracking-uri")]
    [InlineData("models stage", "<name>", "<version>", "<stage>", "--archive-existing", "Production", "--tracking-uri")]
    [InlineData("models delete", "<name>", "<version>", "--yes", "-y", "--tracking-uri")]
    [InlineData("models lineage", "<name>", "<version>", "--json", "--tracking-uri")]
    [InlineData("models download", "<model-uri>", "--output", "-o", "models:/name@champion", "runs:/<run-id>/<path>", "--tracking-uri")]
    public async Task Help_exits_0_and_lists_the_subcommands_and_options(string command, params string[] expected)
    {
        var result = (await MlopsCli.RunAsync(server.Home, [.. command.Split(' '), "--help"])).ShouldSucceed();

        Assert.Equal("", result.Stderr);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"mlops {command}", result.Stdout, StringComparison.Ordinal);
        Assert.All(expected, text => Assert.Contains(text, result.Stdout, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Option '--source' is required", "models", "register", "some-model")]
    [InlineData("Option '--output' is required", "models", "download", "models:/some-model/1")]
    [InlineData("Required argument missing for command: 'stage'", "models", "stage", "some-model", "1")]
    public async Task Parse_errors_exit_2_and_name_the_problem(string message, params string[] arguments)
    {
        var result = (await MlopsCli.RunAsync(server.Home, arguments)).ShouldExitWith(2);

        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- create, get, list

    [Fact]
    public async Task Create_confirms_and_get_shows_the_description_in_a_field_table()
    {
        var name = NewName();

        var created = (await server.RunAsync("models", "create", name, "-d", "churn classifier")).ShouldSucceed();
        Assert.Equal($"Created registered model '{name}'", created.Stdout.Trim());

        var result = (await server.RunAsync("models", "get", name)).ShouldSucceed();
        AssertAscii(result);
        var table = result.Table();
        Assert.Equal(["Field", "Value"], table.Headers);
        var fields = table.AsFields();
        Assert.Equal(name, fields["Name"]);
        Assert.Equal("churn classifier", fields["Description"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", fields["Created (UTC)"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", fields["Updated (UTC)"]);
        Assert.DoesNotContain(fields.Keys, k => k.StartsWith('@') || k.StartsWith("latest ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_with_json_returns_the_registered_model()
    {
        var name = NewName();

        var model = (await server.RunAsync("models", "create", name, "--description", "d1", "--json")).ShouldSucceed().Json()["registered_model"]!;

        Assert.Equal(name, model["name"]!.GetValue<string>());
        Assert.Equal("d1", model["description"]!.GetValue<string>());
        Assert.True(model["creation_timestamp"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task Create_of_an_existing_name_exits_4_and_keeps_the_first_model()
    {
        var name = NewName();
        (await server.RunAsync("models", "create", name, "-d", "first")).ShouldSucceed();

        var result = (await server.RunAsync("models", "create", name, "-d", "second")).ShouldExitWith(4);

        AssertError(result, name, "already exists");
        Assert.Equal("first", (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields()["Description"]);
    }

    [Fact]
    public async Task Get_with_json_returns_aliases_and_the_latest_version_per_stage()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model, "--alias", "champion");
        (await server.RunAsync("models", "stage", name, "1", "Production")).ShouldSucceed();

        var registered = (await server.RunAsync("models", "get", name, "--json")).ShouldSucceed().Json()["registered_model"]!;

        Assert.Equal(name, registered["name"]!.GetValue<string>());
        var alias = Assert.Single(registered["aliases"]!.AsArray())!;
        Assert.Equal("champion", alias["alias"]!.GetValue<string>());
        Assert.Equal("2", alias["version"]!.GetValue<string>());
        var latest = registered["latest_versions"]!.AsArray().ToDictionary(v => v!["current_stage"]!.GetValue<string>(), v => v!["version"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["Production"] = "1", ["None"] = "2" }, latest);
    }

    [Fact]
    public async Task Get_table_shows_aliases_and_the_latest_version_per_stage()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model, "--alias", "champion");
        (await server.RunAsync("models", "stage", name, "1", "Staging")).ShouldSucceed();

        var fields = (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields();

        Assert.Equal("version 2", fields["@champion"]);
        Assert.Equal("version 1", fields["latest Staging"]);
        Assert.Equal("version 2", fields["latest None"]);
    }

    [Fact]
    public async Task List_shows_each_matching_model_with_its_latest_version_and_aliases()
    {
        var prefix = MlopsServerFixture.UniqueName("list");
        var model = await server.LogModelAsync();
        await RegisterAsync(prefix + "-a", model);
        await RegisterAsync(prefix + "-a", model, "--alias", "champion");
        (await server.RunAsync("models", "create", prefix + "-b", "-d", "no versions yet")).ShouldSucceed();

        var result = (await server.RunAsync("models", "list", "--filter", $"name LIKE '{prefix}%'")).ShouldSucceed();

        AssertAscii(result);
        var table = result.Table();
        Assert.Equal(["Name", "Latest version", "Aliases", "Updated (UTC)", "Description"], table.Headers);
        Assert.Equal([prefix + "-a", prefix + "-b"], table.Column("Name").Order());
        Assert.Equal("2", table.Cell(prefix + "-a", "Latest version"));
        Assert.Equal("champion=2", table.Cell(prefix + "-a", "Aliases"));
        Assert.Equal("", table.Cell(prefix + "-b", "Latest version"));
        Assert.Equal("no versions yet", table.Cell(prefix + "-b", "Description"));
    }

    [Fact]
    public async Task List_with_json_and_a_filter_returns_only_the_matching_models()
    {
        var prefix = MlopsServerFixture.UniqueName("listjson");
        (await server.RunAsync("models", "create", prefix + "-x")).ShouldSucceed();
        (await server.RunAsync("models", "create", prefix + "-y")).ShouldSucceed();
        (await server.RunAsync("models", "create", NewName())).ShouldSucceed();

        var models = (await server.RunAsync("models", "list", "-f", $"name LIKE '{prefix}%'", "--json")).ShouldSucceed().Json()["registered_models"]!.AsArray();

        Assert.Equal([prefix + "-x", prefix + "-y"], models.Select(m => m!["name"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task List_with_a_filter_that_matches_nothing_says_so()
    {
        var result = (await server.RunAsync("models", "list", "--filter", "name = 'no-such-model-anywhere'")).ShouldSucceed();

        Assert.Equal("No registered models found.", result.Stdout.Trim());
    }

    [Fact]
    public async Task List_with_an_invalid_filter_exits_4_and_names_the_attribute()
    {
        var result = (await server.RunAsync("models", "list", "--filter", "bogus = 1")).ShouldExitWith(4);

        AssertError(result, "'bogus'");
    }

    // ---------------------------------------------------------------- register, versions

    [Fact]
    public async Task Register_creates_the_model_when_missing_and_a_second_register_gives_version_2()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var first = await RegisterAsync(name, model);
        Assert.Equal($"Registered '{name}' version 1 from {model.ArtifactSource}", first.Stdout.Trim());
        Assert.Equal(name, (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields()["Name"]);

        var second = await RegisterAsync(name, model);
        Assert.Equal($"Registered '{name}' version 2 from {model.ArtifactSource}", second.Stdout.Trim());

        var versions = (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table();
        Assert.Equal(["2", "1"], versions.Column("Version"));
    }

    [Fact]
    public async Task Register_with_json_returns_the_version_with_its_run_source_and_package_hash()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var version = (await server.RunAsync("models", "register", name, "-s", model.Source, "-d", "first cut", "--json")).ShouldSucceed().Json()["model_version"]!;

        Assert.Equal(name, version["name"]!.GetValue<string>());
        Assert.Equal("1", version["version"]!.GetValue<string>());
        Assert.Equal(model.RunId, version["run_id"]!.GetValue<string>());
        Assert.Equal(model.ArtifactSource, version["source"]!.GetValue<string>());
        Assert.Equal("first cut", version["description"]!.GetValue<string>());
        Assert.Equal("None", version["current_stage"]!.GetValue<string>());
        Assert.Equal("READY", version["status"]!.GetValue<string>());
        Assert.Equal("mlnet", ModelArtifacts.ValueOf(version["tags"], "mlops.flavors"));
        Assert.Equal(model.MlModelSha256, ModelArtifacts.ValueOf(version["tags"], "mlops.mlmodel_sha256"));
    }

    [Fact]
    public async Task Register_with_alias_points_the_alias_at_the_new_version()
    {
        var name = NewName();
        var model = await server.LogModelAsync();
        await RegisterAsync(name, model);

        var result = await RegisterAsync(name, model, "--alias", "champion");

        Assert.Equal($"Registered '{name}' version 2 from {model.ArtifactSource} (@champion)", result.Stdout.Trim());
        Assert.Equal(["champion"], Aliases(await VersionAsync(name, "2")));
        Assert.Empty(Aliases(await VersionAsync(name, "1")));
    }

    [Fact]
    public async Task Register_with_alias_and_json_returns_the_version_with_the_alias()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var version = (await server.RunAsync("models", "register", name, "--source", model.Source, "--alias", "challenger", "--json")).ShouldSucceed().Json()["model_version"]!;

        Assert.Equal("1", version["version"]!.GetValue<string>());
        Assert.Equal(["challenger"], Aliases(version));
    }

    [Fact]
    public async Task Register_from_a_version_source_of_the_server_records_the_run()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var version = (await server.RunAsync("models", "register", name, "--source", model.ArtifactSource, "--json")).ShouldSucceed().Json()["model_version"]!;

        Assert.Equal(model.RunId, version["run_id"]!.GetValue<string>());
        Assert.Equal(model.ArtifactSource, version["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Versions_lists_every_version_newest_first_in_an_ascii_table()
    {
        var name = NewName();
        var first = await server.LogModelAsync("first");
        var second = await server.LogModelAsync("second");
        await RegisterAsync(name, first, "--alias", "champion");
        await RegisterAsync(name, second);
        (await server.RunAsync("models", "stage", name, "2", "Staging")).ShouldSucceed();

        var result = (await server.RunAsync("models", "versions", name)).ShouldSucceed();

        AssertAscii(result);
        var table = result.Table();
        Assert.Equal(["Version", "Stage", "Aliases", "Run id", "Created (UTC)", "Source"], table.Headers);
        Assert.Equal(["2", "1"], table.Column("Version"));
        Assert.Equal("Staging", table.Cell("2", "Stage"));
        Assert.Equal("None", table.Cell("1", "Stage"));
        Assert.Equal("champion", table.Cell("1", "Aliases"));
        Assert.Equal("", table.Cell("2", "Aliases"));
        Assert.Equal(first.RunId, table.Cell("1", "Run id"));
        Assert.Equal(second.RunId, table.Cell("2", "Run id"));
        Assert.Equal(second.ArtifactSource, table.Cell("2", "Source"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", table.Cell("1", "Created (UTC)"));
    }

    [Fact]
    public async Task Versions_with_json_returns_every_version()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model);

        var versions = (await server.RunAsync("models", "versions", name, "--json")).ShouldSucceed().Json()["model_versions"]!.AsArray();

        Assert.Equal(["1", "2"], versions.Select(v => v!["version"]!.GetValue<string>()).Order());
        Assert.All(versions, v => Assert.Equal(model.RunId, v!["run_id"]!.GetValue<string>()));
        Assert.All(versions, v => Assert.Equal(name, v!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Versions_of_a_model_without_versions_says_how_to_register_one()
    {
        var name = NewName();
        (await server.RunAsync("models", "create", name)).ShouldSucceed();

        var result = (await server.RunAsync("models", "versions", name)).ShouldSucceed();

        Assert.Contains("has no versions yet", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"mlops models register {name} --source", result.Stdout, StringComparison.Ordinal);
        Assert.Empty((await server.RunAsync("models", "versions", name, "--json")).ShouldSucceed().Json()["model_versions"]!.AsArray());
    }

    // ---------------------------------------------------------------- bad sources

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://example.com/model.zip")]
    [InlineData("../../../etc")]
    public async Task Register_from_a_source_that_is_not_an_artifact_of_this_server_exits_4_and_creates_no_version(string source)
    {
        var name = NewName();
        (await server.RunAsync("models", "create", name)).ShouldSucceed();

        var result = (await server.RunAsync("models", "register", name, "--source", source)).ShouldExitWith(4);

        AssertError(result, source, "local paths and URLs are refused");
        Assert.Empty((await server.RunAsync("models", "versions", name, "--json")).ShouldSucceed().Json()["model_versions"]!.AsArray());
    }

    /// <summary>Nothing is half-written: the version is created first, so a refused source never leaves an empty model.</summary>
    [Fact]
    public async Task Register_of_a_new_model_from_a_refused_source_leaves_no_model_behind()
    {
        var name = NewName();

        (await server.RunAsync("models", "register", name, "--source", "/etc/passwd")).ShouldExitWith(4);

        (await server.RunAsync("models", "get", name)).ShouldExitWith(3);
    }

    [Fact]
    public async Task Register_from_a_server_path_outside_any_run_exits_4()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var result = (await server.RunAsync("models", "register", name, "--source", $"mlflow-artifacts:/{model.ExperimentId}")).ShouldExitWith(4);

        AssertError(result, $"mlflow-artifacts:/{model.ExperimentId}", "inside a run's artifacts");
        (await server.RunAsync("models", "get", name)).ShouldExitWith(3);
    }

    [Fact]
    public async Task Register_from_a_run_path_that_holds_no_files_exits_4()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var result = (await server.RunAsync("models", "register", name, "--source", $"runs:/{model.RunId}/not-uploaded")).ShouldExitWith(4);

        AssertError(result, $"runs:/{model.RunId}/not-uploaded", "does not exist on this server");
    }

    [Fact]
    public async Task Register_from_an_unknown_run_exits_4_and_names_the_run()
    {
        var name = NewName();

        var result = (await server.RunAsync("models", "register", name, "--source", "runs:/0123456789abcdef0123456789abcdef/model")).ShouldExitWith(4);

        AssertError(result, "0123456789abcdef0123456789abcdef");
        (await server.RunAsync("models", "get", name)).ShouldExitWith(3);
    }

    [Fact]
    public async Task Register_of_a_package_tampered_before_registration_exits_4_and_names_model_zip()
    {
        var (name, model) = await RegisteredModelAsync();
        await File.WriteAllTextAsync(model.ModelZipOnDisk, "swapped after the MLmodel was sealed");

        var result = (await server.RunAsync("models", "register", name, "--source", model.Source)).ShouldExitWith(4);

        AssertError(result, "model.zip", "content hash mismatch");
        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
    }

    // ---------------------------------------------------------------- aliases

    [Fact]
    public async Task Alias_moves_from_one_version_to_another_and_delete_removes_it()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model);

        var set = (await server.RunAsync("models", "alias", name, "champion", "1")).ShouldSucceed();
        Assert.Equal($"'{name}@champion' now points at version 1", set.Stdout.Trim());
        Assert.Equal("champion", (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Cell("1", "Aliases"));

        var moved = (await server.RunAsync("models", "alias", name, "champion", "2")).ShouldSucceed();
        Assert.Equal($"'{name}@champion' now points at version 2", moved.Stdout.Trim());
        var afterMove = (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table();
        Assert.Equal("", afterMove.Cell("1", "Aliases"));
        Assert.Equal("champion", afterMove.Cell("2", "Aliases"));
        Assert.Equal("version 2", (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields()["@champion"]);

        var deleted = (await server.RunAsync("models", "alias", name, "champion", "--delete")).ShouldSucceed();
        Assert.Equal($"Removed alias @champion from '{name}'", deleted.Stdout.Trim());
        Assert.Equal(["", ""], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Aliases"));
        Assert.DoesNotContain("@champion", (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields().Keys);
    }

    [Fact]
    public async Task Two_aliases_on_one_version_are_both_listed()
    {
        var (name, _) = await RegisteredModelAsync();

        (await server.RunAsync("models", "alias", name, "champion", "1")).ShouldSucceed();
        (await server.RunAsync("models", "alias", name, "challenger", "1")).ShouldSucceed();

        Assert.Equal(["challenger", "champion"], Aliases(await VersionAsync(name, "1")).Order());
    }

    [Theory]
    [InlineData("champion")]
    [InlineData("champion", "1", "--delete")]
    public async Task Alias_needs_exactly_one_of_a_version_or_delete(params string[] arguments)
    {
        var (name, _) = await RegisteredModelAsync();

        var result = (await server.RunAsync(["models", "alias", name, .. arguments])).ShouldExitWith(2);

        AssertError(result, "--delete");
        Assert.Empty(Aliases(await VersionAsync(name, "1")));
    }

    [Theory]
    [InlineData("latest", "reserved")]
    [InlineData("v2", "reserved")]
    [InlineData("bad alias", "letters, digits")]
    public async Task Alias_with_an_invalid_name_exits_4_and_sets_nothing(string alias, string why)
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model);

        var result = (await server.RunAsync("models", "alias", name, alias, "2")).ShouldExitWith(4);

        AssertError(result, $"'{alias}'", why);
        Assert.Empty(Aliases(await VersionAsync(name, "2")));
    }

    [Fact]
    public async Task Register_with_an_invalid_alias_exits_4()
    {
        var name = NewName();
        var model = await server.LogModelAsync();

        var result = (await server.RunAsync("models", "register", name, "--source", model.Source, "--alias", "latest")).ShouldExitWith(4);

        AssertError(result, "'latest'", "reserved");
    }

    /// <summary>Nothing is half-written: the alias is checked before the version (or the model) is created.</summary>
    [Fact]
    public async Task Register_with_an_invalid_alias_registers_nothing()
    {
        var (name, model) = await RegisteredModelAsync();

        var fresh = NewName();

        (await server.RunAsync("models", "register", name, "--source", model.Source, "--alias", "latest")).ShouldExitWith(4);
        (await server.RunAsync("models", "register", fresh, "--source", model.Source, "--alias", "v1")).ShouldExitWith(4);

        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
        (await server.RunAsync("models", "get", fresh)).ShouldExitWith(3);
    }

    [Fact]
    public async Task Alias_on_a_missing_version_exits_3_and_sets_nothing()
    {
        var (name, _) = await RegisteredModelAsync();

        var result = (await server.RunAsync("models", "alias", name, "champion", "7")).ShouldExitWith(3);

        AssertError(result, name, "version=7", "not found");
        Assert.Empty(Aliases(await VersionAsync(name, "1")));
    }

    // ---------------------------------------------------------------- stages

    [Fact]
    public async Task Stage_without_archive_existing_leaves_the_other_production_version_in_place()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model);

        var first = (await server.RunAsync("models", "stage", name, "1", "Production")).ShouldSucceed();
        Assert.Equal($"'{name}' version 1 is now in stage Production", first.Stdout.Trim());
        (await server.RunAsync("models", "stage", name, "2", "Production")).ShouldSucceed();

        var table = (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table();
        Assert.Equal("Production", table.Cell("1", "Stage"));
        Assert.Equal("Production", table.Cell("2", "Stage"));
    }

    [Fact]
    public async Task Stage_with_archive_existing_moves_the_previous_production_version_to_archived()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model);
        await RegisterAsync(name, model);
        (await server.RunAsync("models", "stage", name, "1", "Production")).ShouldSucceed();
        (await server.RunAsync("models", "stage", name, "3", "Staging")).ShouldSucceed();

        var result = (await server.RunAsync("models", "stage", name, "2", "Production", "--archive-existing")).ShouldSucceed();

        Assert.Equal($"'{name}' version 2 is now in stage Production", result.Stdout.Trim());
        var table = (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table();
        Assert.Equal("Archived", table.Cell("1", "Stage"));
        Assert.Equal("Production", table.Cell("2", "Stage"));
        Assert.Equal("Staging", table.Cell("3", "Stage"));
        var fields = (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields();
        Assert.Equal("version 2", fields["latest Production"]);
        Assert.Equal("version 1", fields["latest Archived"]);
    }

    [Fact]
    public async Task Stage_with_an_unknown_stage_exits_4_and_lists_the_stages()
    {
        var (name, _) = await RegisteredModelAsync();

        var result = (await server.RunAsync("models", "stage", name, "1", "Prod")).ShouldExitWith(4);

        AssertError(result, "'Prod'", "None, Staging, Production, Archived");
        Assert.Equal("None", (await VersionAsync(name, "1"))["current_stage"]!.GetValue<string>());
    }

    // ---------------------------------------------------------------- delete

    [Fact]
    public async Task Delete_of_a_model_without_yes_exits_2_and_keeps_the_model()
    {
        var (name, _) = await RegisteredModelAsync();

        var result = (await server.RunAsync("models", "delete", name)).ShouldExitWith(2);

        AssertError(result, $"model '{name}'", "--yes");
        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
    }

    [Fact]
    public async Task Delete_of_a_version_without_yes_exits_2_and_keeps_the_version()
    {
        var (name, _) = await RegisteredModelAsync();

        var result = (await server.RunAsync("models", "delete", name, "1")).ShouldExitWith(2);

        AssertError(result, $"version 1 of '{name}'", "--yes");
        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
    }

    [Fact]
    public async Task Delete_with_yes_removes_a_version_then_the_whole_model()
    {
        var (name, model) = await RegisteredModelAsync();
        await RegisterAsync(name, model, "--alias", "champion");

        var version = (await server.RunAsync("models", "delete", name, "2", "--yes")).ShouldSucceed();
        Assert.Equal($"Deleted version 2 of '{name}'", version.Stdout.Trim());
        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
        Assert.DoesNotContain("@champion", (await server.RunAsync("models", "get", name)).ShouldSucceed().Table().AsFields().Keys);
        (await server.RunAsync("models", "delete", name, "2", "--yes")).ShouldExitWith(3);

        var whole = (await server.RunAsync("models", "delete", name, "-y")).ShouldSucceed();
        Assert.Equal($"Deleted model '{name}' and all its versions", whole.Stdout.Trim());
        AssertError((await server.RunAsync("models", "get", name)).ShouldExitWith(3), name, "not found");
        (await server.RunAsync("models", "lineage", name, "1")).ShouldExitWith(3);
        Assert.Equal("No registered models found.", (await server.RunAsync("models", "list", "--filter", $"name = '{name}'")).ShouldSucceed().Stdout.Trim());
    }

    // ---------------------------------------------------------------- lineage

    [Fact]
    public async Task Lineage_shows_the_run_its_experiment_params_and_metrics()
    {
        var name = NewName();
        var model = await server.LogModelAsync("lineage-run");
        await RegisterAsync(name, model, "--alias", "champion");

        var result = (await server.RunAsync("models", "lineage", name, "1")).ShouldSucceed();

        AssertAscii(result);
        var table = result.Table();
        Assert.Equal(["Field", "Value"], table.Headers);
        var fields = table.AsFields();
        Assert.Equal($"{name} version 1 (None, @champion)", fields["Model"]);
        Assert.Equal(model.ArtifactSource, fields["Source"]);
        Assert.Equal($"lineage-run ({model.RunId}), RUNNING", fields["Run"]);
        Assert.Equal($"{model.ExperimentName} ({model.ExperimentId})", fields["Experiment"]);
        Assert.Equal("0.01", fields["params.lr"]);
        Assert.Equal("5", fields["params.epochs"]);
        Assert.Equal("0.93", fields["metrics.acc"]);
    }

    [Fact]
    public async Task Lineage_with_json_returns_the_version_run_and_experiment()
    {
        var (name, model) = await RegisteredModelAsync();

        var lineage = (await server.RunAsync("models", "lineage", name, "1", "--json")).ShouldSucceed().Json();

        Assert.Equal("1", lineage["model_version"]!["version"]!.GetValue<string>());
        Assert.Equal(model.RunId, lineage["run"]!["info"]!["run_id"]!.GetValue<string>());
        Assert.Equal("0.01", ModelArtifacts.ValueOf(lineage["run"]!["data"]!["params"], "lr"));
        var metric = Assert.Single(lineage["run"]!["data"]!["metrics"]!.AsArray())!;
        Assert.Equal("acc", metric["key"]!.GetValue<string>());
        Assert.Equal(0.93, metric["value"]!.GetValue<double>());
        Assert.Equal(model.ExperimentId, lineage["experiment"]!["experiment_id"]!.GetValue<string>());
        Assert.Equal(model.ExperimentName, lineage["experiment"]!["name"]!.GetValue<string>());
    }

    // ---------------------------------------------------------------- download

    /// <summary>
    /// Version 1 from run "one" (alias champion, stage Production) and version 2 from run "two" (latest), so each
    /// URI form has to pick the right files.
    /// </summary>
    [Theory]
    [InlineData("models:/{name}/1", "1")]
    [InlineData("models:/{name}/2", "2")]
    [InlineData("models:/{name}@champion", "1")]
    [InlineData("models:/{name}/Production", "1")]
    [InlineData("models:/{name}/latest", "2")]
    [InlineData("runs:/{run2}/model", null)]
    public async Task Download_by_each_uri_form_writes_the_files_and_verifies_their_hashes(string uriTemplate, string? expectedVersion)
    {
        var name = NewName();
        var one = await server.LogModelAsync("one");
        var two = await server.LogModelAsync("two");
        await RegisterAsync(name, one, "--alias", "champion");
        await RegisterAsync(name, two);
        (await server.RunAsync("models", "stage", name, "1", "Production")).ShouldSucceed();
        var uri = uriTemplate.Replace("{name}", name, StringComparison.Ordinal).Replace("{run2}", two.RunId, StringComparison.Ordinal);
        var expected = expectedVersion == "1" ? one : two;
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");

        var result = (await server.RunAsync("models", "download", uri, "-o", destination)).ShouldSucceed();

        Assert.Equal(expected.ModelZip, await File.ReadAllBytesAsync(Path.Combine(destination, "model.zip")));
        Assert.Equal(expected.MlModel, await File.ReadAllBytesAsync(Path.Combine(destination, "MLmodel")));
        Assert.Equal(["MLmodel", "model.zip"], Directory.GetFiles(destination).Select(f => new FileInfo(f).Name).Order(StringComparer.Ordinal));
        Assert.Equal([destination], Directory.GetFileSystemEntries(temp.Path));
        var lines = result.Stdout.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var what = expectedVersion is null ? uri : $"{name} version {expectedVersion}";
        Assert.Equal($"Downloaded {what} from {expected.ArtifactSource} to {destination}", lines[0]);
        Assert.Equal("Verified 1 file(s) against the content hashes in MLmodel (flavors: mlnet).", lines[1]);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Download_of_a_package_tampered_after_registration_exits_4_and_names_model_zip()
    {
        var (name, model) = await RegisteredModelAsync();
        await File.WriteAllTextAsync(model.ModelZipOnDisk, "swapped on the server's disk after registration");
        using var temp = new TempDirectory();

        var result = (await server.RunAsync("models", "download", $"models:/{name}/1", "-o", Path.Combine(temp.Path, "out"))).ShouldExitWith(4);

        Assert.StartsWith("error: model.zip", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("content hash mismatch", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(model.ModelZipSha256, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Verified", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The files are verified in a staging folder, so a tampered model never reaches --output and no staging folder is left.</summary>
    [Fact]
    public async Task Download_of_a_tampered_package_leaves_no_files_behind()
    {
        var (name, model) = await RegisteredModelAsync();
        await File.WriteAllTextAsync(model.ModelZipOnDisk, "swapped on the server's disk after registration");
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");

        var result = (await server.RunAsync("models", "download", $"models:/{name}/1", "-o", destination)).ShouldExitWith(4);

        Assert.DoesNotContain("Downloaded", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("model.zip", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Download_into_a_non_empty_folder_exits_2_and_leaves_the_folder_alone()
    {
        var (name, _) = await RegisteredModelAsync();
        using var temp = new TempDirectory();
        var keep = Path.Combine(temp.Path, "keep.txt");
        await File.WriteAllTextAsync(keep, "mine");

        var result = (await server.RunAsync("models", "download", $"models:/{name}/1", "-o", temp.Path)).ShouldExitWith(2);

        AssertError(result, temp.Path, "not empty");
        Assert.Equal([keep], Directory.GetFileSystemEntries(temp.Path));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(temp.Path)!, Path.GetFileName(temp.Path) + ".partial-*"));
    }

    [Fact]
    public async Task Download_into_an_existing_empty_folder_fills_it()
    {
        var (name, model) = await RegisteredModelAsync();
        using var temp = new TempDirectory();

        var result = (await server.RunAsync("models", "download", $"models:/{name}/1", "--output", temp.Path)).ShouldSucceed();

        Assert.Contains("Verified 1 file(s)", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(model.ModelZip, await File.ReadAllBytesAsync(Path.Combine(temp.Path, "model.zip")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("models:/only-a-name")]
    [InlineData("runs:/0123456789abcdef0123456789abcdef/../../..")]
    public async Task Download_of_an_invalid_uri_exits_4_and_shows_the_accepted_forms(string uri)
    {
        using var temp = new TempDirectory();
        var destination = Path.Combine(temp.Path, "out");

        var result = (await server.RunAsync("models", "download", uri, "-o", destination)).ShouldExitWith(4);

        AssertError(result, uri, "models:/<name>@<alias>");
        Assert.False(Directory.Exists(destination));
    }

    // ---------------------------------------------------------------- unknown names

    [Theory]
    [InlineData("Registered Model", "get", "{missing}")]
    [InlineData("Registered Model", "get", "{missing}", "--json")]
    [InlineData("Registered Model", "versions", "{missing}")]
    [InlineData("Registered Model", "lineage", "{missing}", "1")]
    [InlineData("Registered Model", "delete", "{missing}", "--yes")]
    [InlineData("Registered Model", "alias", "{missing}", "champion", "1")]
    [InlineData("Registered Model", "download", "models:/{missing}/1", "-o", "{out}")]
    [InlineData("version=9", "lineage", "{name}", "9")]
    [InlineData("version=9", "lineage", "{name}", "9", "--json")]
    [InlineData("version=9", "stage", "{name}", "9", "Staging")]
    [InlineData("version=9", "delete", "{name}", "9", "--yes")]
    [InlineData("version=9", "download", "models:/{name}/9", "-o", "{out}")]
    [InlineData("alias nosuch", "download", "models:/{name}@nosuch", "-o", "{out}")]
    [InlineData("alias nosuch", "alias", "{name}", "nosuch", "--delete")]
    [InlineData("stage Staging", "download", "models:/{name}/Staging", "-o", "{out}")]
    public async Task An_unknown_model_version_or_alias_exits_3_and_says_what_is_missing(string detail, params string[] arguments)
    {
        var (name, _) = await RegisteredModelAsync();
        var missing = NewName();
        using var temp = new TempDirectory();
        var output = Path.Combine(temp.Path, "out");
        string[] resolved = [.. arguments.Select(a => a.Replace("{missing}", missing, StringComparison.Ordinal)
            .Replace("{name}", name, StringComparison.Ordinal).Replace("{out}", output, StringComparison.Ordinal))];

        var result = (await server.RunAsync(["models", .. resolved])).ShouldExitWith(3);

        AssertError(result, detail);
        Assert.Contains(arguments.Any(a => a.Contains("{missing}", StringComparison.Ordinal)) ? missing : name, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "A failed download must not create the output folder.");
        Assert.Equal(["1"], (await server.RunAsync("models", "versions", name)).ShouldSucceed().Table().Column("Version"));
    }

    [Fact]
    public async Task Models_commands_exit_5_when_the_server_is_unreachable()
    {
        var result = (await MlopsCli.RunAsync(server.Home, ["models", "list", "--tracking-uri", "http://127.0.0.1:1"])).ShouldExitWith(5);

        AssertError(result, "Cannot reach the Mlops server", "http://127.0.0.1:1");
    }
}

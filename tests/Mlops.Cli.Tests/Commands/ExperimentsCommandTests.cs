using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary><c>mlops experiments ...</c> against a real server.</summary>
public sealed class ExperimentsCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    [Fact]
    public async Task Create_prints_the_new_id_and_list_shows_the_experiment()
    {
        var name = MlopsServerFixture.UniqueName("create");

        var created = (await server.RunAsync("experiments", "create", name)).ShouldSucceed();

        var id = Assert.Single(Regex.Matches(created.Stdout, @"with id (\d+)")).Groups[1].Value;
        Assert.Contains($"Created experiment '{name}' with id {id}", created.Stdout, StringComparison.Ordinal);
        Assert.Equal("", created.Stderr);
        var table = (await server.RunAsync("experiments", "list")).ShouldSucceed().Table();
        Assert.Equal(["Id", "Name", "Stage", "Created (UTC)", "Artifact location"], table.Headers);
        Assert.Equal(name, table.Cell(id, "Name"));
        Assert.Equal("active", table.Cell(id, "Stage"));
        Assert.Equal($"mlflow-artifacts:/{id}", table.Cell(id, "Artifact location"));
    }

    [Fact]
    public async Task Create_with_json_prints_only_the_experiment_id()
    {
        var name = MlopsServerFixture.UniqueName("create-json");

        var json = (await server.RunAsync("experiments", "create", name, "--json")).ShouldSucceed().Json();

        var id = json["experiment_id"]!.GetValue<string>();
        Assert.Matches(@"^\d+$", id);
        var fetched = (await server.RunAsync("experiments", "get", id, "--json")).ShouldSucceed().Json();
        Assert.Equal(name, fetched["experiment"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_with_artifact_location_stores_that_location()
    {
        var name = MlopsServerFixture.UniqueName("located");

        var id = (await server.RunAsync("experiments", "create", name, "--artifact-location", "mlflow-artifacts:/team/cv", "--json"))
            .ShouldSucceed().Json()["experiment_id"]!.GetValue<string>();

        var fields = (await server.RunAsync("experiments", "get", id)).ShouldSucceed().Table().AsFields();
        Assert.Equal("mlflow-artifacts:/team/cv", fields["Artifact location"]);
    }

    [Fact]
    public async Task Create_with_an_artifact_location_outside_the_server_exits_4()
    {
        var result = (await server.RunAsync("experiments", "create", MlopsServerFixture.UniqueName("elsewhere"), "--artifact-location", "/etc")).ShouldExitWith(4);

        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/etc", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_with_a_duplicate_name_exits_4_and_says_the_name_exists()
    {
        var name = MlopsServerFixture.UniqueName("twice");
        (await server.RunAsync("experiments", "create", name)).ShouldSucceed();

        var result = (await server.RunAsync("experiments", "create", name)).ShouldExitWith(4);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(name, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("already exists", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_with_json_returns_every_field_of_each_experiment()
    {
        var name = MlopsServerFixture.UniqueName("listed");
        var id = await server.CreateExperimentAsync(name);

        var experiments = (await server.RunAsync("experiments", "list", "--json")).ShouldSucceed().Json()["experiments"]!.AsArray();

        var experiment = Assert.Single(experiments, e => e!["experiment_id"]!.GetValue<string>() == id)!;
        Assert.Equal(name, experiment["name"]!.GetValue<string>());
        Assert.Equal("active", experiment["lifecycle_stage"]!.GetValue<string>());
        Assert.Equal($"mlflow-artifacts:/{id}", experiment["artifact_location"]!.GetValue<string>());
        Assert.True(experiment["creation_time"]!.GetValue<long>() > 0);
        Assert.Contains(experiments, e => e!["name"]!.GetValue<string>() == "Default");
    }

    [Fact]
    public async Task List_with_a_filter_returns_only_matching_experiments()
    {
        var prefix = MlopsServerFixture.UniqueName("vision");
        var first = await server.CreateExperimentAsync(prefix + "-a");
        var second = await server.CreateExperimentAsync(prefix + "-b");
        await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("audio"));

        var table = (await server.RunAsync("experiments", "list", "--filter", $"name LIKE '{prefix}%'")).ShouldSucceed().Table();

        Assert.Equal(new[] { first, second }.Order(), table.Column("Id").Order());
    }

    [Fact]
    public async Task List_with_max_results_returns_at_most_that_many()
    {
        await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("max-a"));
        await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("max-b"));

        var experiments = (await server.RunAsync("experiments", "list", "--max-results", "2", "--json")).ShouldSucceed().Json()["experiments"]!.AsArray();

        Assert.Equal(2, experiments.Count);
    }

    [Fact]
    public async Task List_with_an_invalid_filter_exits_4_and_names_the_column()
    {
        var result = (await server.RunAsync("experiments", "list", "--filter", "name = 'a' AND nme = 'b'")).ShouldExitWith(4);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("column 16", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'nme'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_with_an_unknown_view_exits_4_and_lists_the_valid_views()
    {
        var result = (await server.RunAsync("experiments", "list", "--view", "archived")).ShouldExitWith(4);

        Assert.Contains("--view must be active, deleted or all", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_by_id_shows_the_experiment_as_a_field_table()
    {
        var name = MlopsServerFixture.UniqueName("details");
        var id = await server.CreateExperimentAsync(name);

        var table = (await server.RunAsync("experiments", "get", id)).ShouldSucceed().Table();

        Assert.Equal(["Field", "Value"], table.Headers);
        var fields = table.AsFields();
        Assert.Equal(id, fields["Id"]);
        Assert.Equal(name, fields["Name"]);
        Assert.Equal("active", fields["Stage"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", fields["Created (UTC)"]);
    }

    [Fact]
    public async Task Get_by_name_with_json_returns_the_experiment()
    {
        var name = MlopsServerFixture.UniqueName("by-name");
        var id = await server.CreateExperimentAsync(name);

        var experiment = (await server.RunAsync("experiments", "get", "--name", name, "--json")).ShouldSucceed().Json()["experiment"]!;

        Assert.Equal(id, experiment["experiment_id"]!.GetValue<string>());
        Assert.Equal(name, experiment["name"]!.GetValue<string>());
        Assert.Equal("active", experiment["lifecycle_stage"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_of_an_unknown_id_exits_3_and_names_the_id()
    {
        var result = (await server.RunAsync("experiments", "get", "987654")).ShouldExitWith(3);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("987654", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_of_an_unknown_name_exits_3_and_names_the_name()
    {
        var result = (await server.RunAsync("experiments", "get", "--name", "no-such-experiment")).ShouldExitWith(3);

        Assert.Equal("error: No experiment named 'no-such-experiment'.", result.Stderr.Trim());
    }

    [Theory]
    [InlineData]
    [InlineData("0", "--name", "Default")]
    public async Task Get_without_exactly_one_of_id_and_name_exits_2(params string[] arguments)
    {
        var result = (await server.RunAsync(["experiments", "get", .. arguments])).ShouldExitWith(2);

        Assert.Contains("Pass either an experiment id or --name", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_changes_the_name_shown_by_get()
    {
        var id = await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("old"));
        var newName = MlopsServerFixture.UniqueName("new");

        var result = (await server.RunAsync("experiments", "rename", id, newName)).ShouldSucceed();

        Assert.Contains($"Renamed experiment {id} to '{newName}'", result.Stdout, StringComparison.Ordinal);
        var fields = (await server.RunAsync("experiments", "get", "--name", newName)).ShouldSucceed().Table().AsFields();
        Assert.Equal(id, fields["Id"]);
    }

    [Fact]
    public async Task Rename_to_a_name_in_use_exits_4()
    {
        var taken = MlopsServerFixture.UniqueName("taken");
        await server.CreateExperimentAsync(taken);
        var id = await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("other"));

        var result = (await server.RunAsync("experiments", "rename", id, taken)).ShouldExitWith(4);

        Assert.Contains(taken, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_moves_the_experiment_to_the_deleted_view_and_restore_brings_it_back()
    {
        var name = MlopsServerFixture.UniqueName("doomed");
        var id = await server.CreateExperimentAsync(name);

        Assert.Contains($"Deleted experiment {id}", (await server.RunAsync("experiments", "delete", id)).ShouldSucceed().Stdout, StringComparison.Ordinal);

        Assert.DoesNotContain(id, (await server.RunAsync("experiments", "list")).ShouldSucceed().Table().Column("Id"));
        var deleted = (await server.RunAsync("experiments", "list", "--view", "deleted")).ShouldSucceed().Table();
        Assert.Equal(name, deleted.Cell(id, "Name"));
        Assert.Equal("deleted", deleted.Cell(id, "Stage"));
        Assert.Equal("deleted", (await server.RunAsync("experiments", "list", "--view", "all")).ShouldSucceed().Table().Cell(id, "Stage"));

        Assert.Contains($"Restored experiment {id}", (await server.RunAsync("experiments", "restore", id)).ShouldSucceed().Stdout, StringComparison.Ordinal);

        Assert.Equal("active", (await server.RunAsync("experiments", "list")).ShouldSucceed().Table().Cell(id, "Stage"));
        Assert.DoesNotContain(id, (await server.RunAsync("experiments", "list", "--view", "deleted")).ShouldSucceed().Stdout);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("restore")]
    [InlineData("rename")]
    public async Task Changing_an_unknown_experiment_exits_3_and_names_the_id(string verb)
    {
        string[] arguments = verb == "rename" ? ["experiments", verb, "876543", "whatever"] : ["experiments", verb, "876543"];

        var result = (await server.RunAsync(arguments)).ShouldExitWith(3);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("876543", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_prints_an_ascii_table_with_long_names_on_one_line()
    {
        var name = MlopsServerFixture.UniqueName("a-rather-long-experiment-name-for-the-vision-team-resnet50-imagenet-sweep");
        var id = await server.CreateExperimentAsync(name);

        var result = (await server.RunAsync("experiments", "list")).ShouldSucceed();

        Assert.All(result.Stdout, c => Assert.True(c < 128, $"Non-ASCII character U+{(int)c:X4} in plain output:\n{result.Stdout}"));
        Assert.Equal(name, result.Table().Cell(id, "Name"));
    }

    [Fact]
    public async Task List_prints_a_plain_ascii_table_when_piped_outside_ci()
    {
        var id = await server.CreateExperimentAsync(MlopsServerFixture.UniqueName("piped"));

        var result = (await MlopsCli.RunAsync(server.Home, ["experiments", "list", "--tracking-uri", server.TrackingUri], new Dictionary<string, string?> { ["CI"] = "false" }))
            .ShouldSucceed();

        Assert.All(result.Stdout, c => Assert.True(c < 128 && (c >= ' ' || c is '\n' or '\r'), $"Character U+{(int)c:X4} in piped output:\n{result.Stdout}"));
        Assert.Equal("active", result.Table().Cell(id, "Stage"));
    }
}

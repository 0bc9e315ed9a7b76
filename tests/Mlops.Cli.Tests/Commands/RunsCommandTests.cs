using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary><c>mlops runs ...</c> against a real server, with runs created through the MLflow REST API.</summary>
public sealed class RunsCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    /// <summary>
    /// Three runs in a new experiment: a (acc 0.9, lr 0.01), b (acc 0.8, lr 0.1), c (acc 0.95, lr 0.01),
    /// all with opt=adam, created in that order.
    /// </summary>
    private async Task<(string ExperimentId, string ExperimentName, string A, string B, string C)> SeedAsync()
    {
        var name = MlopsServerFixture.UniqueName("runs");
        var experimentId = await server.CreateExperimentAsync(name);
        var a = await server.CreateRunAsync(experimentId, "a", new Dictionary<string, double> { ["acc"] = 0.9 }, new Dictionary<string, string> { ["lr"] = "0.01", ["opt"] = "adam" });
        var b = await server.CreateRunAsync(experimentId, "b", new Dictionary<string, double> { ["acc"] = 0.8 }, new Dictionary<string, string> { ["lr"] = "0.1", ["opt"] = "adam" });
        var c = await server.CreateRunAsync(experimentId, "c", new Dictionary<string, double> { ["acc"] = 0.95 }, new Dictionary<string, string> { ["lr"] = "0.01", ["opt"] = "adam" });
        return (experimentId, name, a, b, c);
    }

    [Fact]
    public async Task List_shows_every_run_with_its_full_id_in_an_ascii_table()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();

        var result = (await server.RunAsync("runs", "list", "-e", experimentId)).ShouldSucceed();

        Assert.All(result.Stdout, ch => Assert.True(ch < 128, $"Non-ASCII character U+{(int)ch:X4} in plain output:\n{result.Stdout}"));
        var table = result.Table();
        Assert.Equal(["Run id", "Name", "Status", "Started (UTC)", "Duration"], table.Headers);
        Assert.Equal(3, table.Rows.Count);
        Assert.All(new[] { a, b, c }, id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal("a", table.Cell(a, "Name"));
        Assert.Equal("b", table.Cell(b, "Name"));
        Assert.Equal("c", table.Cell(c, "Name"));
        Assert.Equal("RUNNING", table.Cell(a, "Status"));
    }

    [Fact]
    public async Task List_by_experiment_name_finds_the_same_runs_as_by_id()
    {
        var (experimentId, experimentName, a, b, c) = await SeedAsync();

        var byName = (await server.RunAsync("runs", "list", "--experiment-name", experimentName)).ShouldSucceed().Table();
        var byId = (await server.RunAsync("runs", "list", "--experiment-id", experimentId)).ShouldSucceed().Table();

        Assert.Equal(byId.Column("Run id"), byName.Column("Run id"));
        Assert.Equal(new[] { a, b, c }.Order(), byName.Column("Run id").Order());
    }

    [Fact]
    public async Task List_with_json_returns_run_info_and_data()
    {
        var (experimentId, _, a, _, _) = await SeedAsync();

        var runs = (await server.RunAsync("runs", "list", "-e", experimentId, "--json")).ShouldSucceed().Json()["runs"]!.AsArray();

        Assert.Equal(3, runs.Count);
        var run = Assert.Single(runs, r => r!["info"]!["run_id"]!.GetValue<string>() == a)!;
        Assert.Equal("a", run["info"]!["run_name"]!.GetValue<string>());
        Assert.Equal(experimentId, run["info"]!["experiment_id"]!.GetValue<string>());
        Assert.Equal("RUNNING", run["info"]!["status"]!.GetValue<string>());
        Assert.Equal("active", run["info"]!["lifecycle_stage"]!.GetValue<string>());
        var metric = Assert.Single(run["data"]!["metrics"]!.AsArray())!;
        Assert.Equal("acc", metric["key"]!.GetValue<string>());
        Assert.Equal(0.9, metric["value"]!.GetValue<double>());
        Assert.Contains(run["data"]!["params"]!.AsArray(), p => p!["key"]!.GetValue<string>() == "lr" && p["value"]!.GetValue<string>() == "0.01");
    }

    [Fact]
    public async Task List_with_max_results_returns_at_most_that_many_runs()
    {
        var (experimentId, _, _, _, _) = await SeedAsync();

        var runs = (await server.RunAsync("runs", "list", "-e", experimentId, "--max-results", "2", "--json")).ShouldSucceed().Json()["runs"]!.AsArray();

        Assert.Equal(2, runs.Count);
    }

    [Fact]
    public async Task List_without_an_experiment_exits_2_and_says_what_to_pass()
    {
        var result = (await server.RunAsync("runs", "list")).ShouldExitWith(2);

        Assert.Contains("--experiment-id", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--experiment-name", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_of_an_unknown_experiment_name_exits_3()
    {
        var result = (await server.RunAsync("runs", "list", "--experiment-name", "no-such-experiment")).ShouldExitWith(3);

        Assert.Equal("error: No experiment named 'no-such-experiment'.", result.Stderr.Trim());
    }

    [Fact]
    public async Task List_of_an_unknown_experiment_id_exits_3_and_names_the_id()
    {
        var result = (await server.RunAsync("runs", "list", "-e", "876543")).ShouldExitWith(3);

        Assert.Contains("876543", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_with_or_and_parentheses_returns_only_matching_runs_with_the_named_columns()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();

        var table = (await server.RunAsync("runs", "search", "-e", experimentId,
            "--filter", "(metrics.acc > 0.92 OR params.lr = '0.1') AND params.opt = 'adam'")).ShouldSucceed().Table();

        Assert.Equal(["Run id", "Name", "Status", "Started (UTC)", "Duration", "metrics.acc", "params.lr", "params.opt"], table.Headers);
        Assert.Equal(new[] { b, c }.Order(), table.Column("Run id").Order());
        Assert.DoesNotContain(a, table.Column("Run id"));
        Assert.Equal("0.95", table.Cell(c, "metrics.acc"));
        Assert.Equal("0.1", table.Cell(b, "params.lr"));
    }

    [Fact]
    public async Task Search_with_and_matches_runs_that_satisfy_both_conditions()
    {
        var (experimentId, _, a, _, _) = await SeedAsync();

        var runs = (await server.RunAsync("runs", "search", "-e", experimentId, "--filter", "params.lr = '0.01' and metrics.acc < 0.92", "--json"))
            .ShouldSucceed().Json()["runs"]!.AsArray();

        Assert.Equal(a, Assert.Single(runs)!["info"]!["run_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_orders_by_a_metric_descending()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();

        var table = (await server.RunAsync("runs", "search", "-e", experimentId, "--order-by", "metrics.acc DESC")).ShouldSucceed().Table();

        Assert.Equal([c, a, b], table.Column("Run id"));
        Assert.Equal(["0.95", "0.9", "0.8"], table.Column("metrics.acc"));
    }

    [Fact]
    public async Task Search_with_json_orders_by_a_metric_ascending()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();

        var runs = (await server.RunAsync("runs", "search", "-e", experimentId, "--order-by", "metrics.acc ASC", "--json")).ShouldSucceed().Json()["runs"]!.AsArray();

        Assert.Equal([b, a, c], runs.Select(r => r!["info"]!["run_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("metrics.acc > 0.9 AND bogus", "column 23", "'bogus'")]
    [InlineData("metrics.acc >", "column 14", "expected a value")]
    [InlineData("foo.bar = 1", "column 1", "'foo'")]
    public async Task Search_with_an_invalid_filter_exits_4_and_names_the_column(string filter, string column, string detail)
    {
        var result = (await server.RunAsync("runs", "search", "-e", "0", "--filter", filter)).ShouldExitWith(4);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(column, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(detail, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_keeps_run_ids_on_one_line_when_the_table_is_wide()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();
        var orderBy = Enumerable.Range(1, 8).SelectMany(i => new[] { "--order-by", $"metrics.validation_accuracy_fold_number_{i} DESC" });

        var result = (await server.RunAsync(["runs", "search", "-e", experimentId, .. orderBy])).ShouldSucceed();

        Assert.All(result.Stdout, ch => Assert.True(ch < 128, $"Non-ASCII character U+{(int)ch:X4} in plain output:\n{result.Stdout}"));
        Assert.Equal(new[] { a, b, c }.Order(), result.Table().Column("Run id").Order());
    }

    [Fact]
    public async Task Get_shows_status_params_metrics_and_tags()
    {
        var (experimentId, _, a, _, _) = await SeedAsync();

        var table = (await server.RunAsync("runs", "get", a)).ShouldSucceed().Table();

        Assert.Equal(["Field", "Value"], table.Headers);
        var fields = table.AsFields();
        Assert.Equal(a, fields["Run id"]);
        Assert.Equal("a", fields["Name"]);
        Assert.Equal(experimentId, fields["Experiment"]);
        Assert.Equal("RUNNING", fields["Status"]);
        Assert.Equal("active", fields["Stage"]);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{a}/artifacts", fields["Artifacts"]);
        Assert.Equal("0.01", fields["params.lr"]);
        Assert.Equal("adam", fields["params.opt"]);
        Assert.Equal("0.9 (step 0)", fields["metrics.acc"]);
        Assert.Equal("a", fields["tags.mlflow.runName"]);
    }

    [Fact]
    public async Task Get_with_json_returns_the_run()
    {
        var (experimentId, _, _, b, _) = await SeedAsync();

        var run = (await server.RunAsync("runs", "get", b, "--json")).ShouldSucceed().Json()["run"]!;

        Assert.Equal(b, run["info"]!["run_id"]!.GetValue<string>());
        Assert.Equal(experimentId, run["info"]!["experiment_id"]!.GetValue<string>());
        Assert.Equal(0.8, run["data"]!["metrics"]!.AsArray().Single(m => m!["key"]!.GetValue<string>() == "acc")!["value"]!.GetValue<double>());
        Assert.Equal("0.1", run["data"]!["params"]!.AsArray().Single(p => p!["key"]!.GetValue<string>() == "lr")!["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("get")]
    [InlineData("delete")]
    [InlineData("restore")]
    public async Task Using_an_unknown_run_id_exits_3_and_names_the_run(string verb)
    {
        var result = (await server.RunAsync("runs", verb, "0123456789abcdef0123456789abcdef")).ShouldExitWith(3);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("0123456789abcdef0123456789abcdef", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_marks_differing_params_with_a_star_and_shows_metrics_side_by_side()
    {
        var (_, _, a, b, c) = await SeedAsync();

        var table = (await server.RunAsync("runs", "compare", a, b, c)).ShouldSucceed().Table();

        Assert.Equal(["", $"a ({a})", $"b ({b})", $"c ({c})"], table.Headers);
        Assert.Equal(["* params.lr", "0.01", "0.1", "0.01"], table.Row("* params.lr"));
        Assert.Equal(["params.opt", "adam", "adam", "adam"], table.Row("params.opt"));
        Assert.Equal(["metrics.acc", "0.9", "0.8", "0.95"], table.Row("metrics.acc"));
    }

    [Fact]
    public async Task Compare_with_diff_only_hides_params_that_are_equal()
    {
        var (_, _, a, b, _) = await SeedAsync();

        var table = (await server.RunAsync("runs", "compare", a, b, "--diff-only")).ShouldSucceed().Table();

        Assert.Equal(["* params.lr", "metrics.acc"], table.Column(""));
    }

    [Fact]
    public async Task Compare_of_runs_with_equal_params_marks_nothing()
    {
        var (_, _, a, _, c) = await SeedAsync();

        var table = (await server.RunAsync("runs", "compare", a, c)).ShouldSucceed().Table();

        Assert.Equal(["params.lr", "params.opt", "metrics.acc"], table.Column(""));
    }

    [Fact]
    public async Task Compare_with_json_returns_every_run_in_order()
    {
        var (_, _, a, b, c) = await SeedAsync();

        var runs = (await server.RunAsync("runs", "compare", c, a, b, "--json")).ShouldSucceed().Json()["runs"]!.AsArray();

        Assert.Equal([c, a, b], runs.Select(r => r!["info"]!["run_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Compare_with_an_unknown_run_exits_3_and_names_it()
    {
        var (_, _, a, _, _) = await SeedAsync();

        var result = (await server.RunAsync("runs", "compare", a, "fedcba9876543210fedcba9876543210")).ShouldExitWith(3);

        Assert.Contains("fedcba9876543210fedcba9876543210", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_with_a_single_run_is_a_usage_error_that_asks_for_two()
    {
        var (_, _, a, _, _) = await SeedAsync();

        var result = (await server.RunAsync("runs", "compare", a)).ShouldExitWith(2);

        Assert.Contains("needs two or more run ids", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_moves_the_run_to_the_deleted_view_and_restore_brings_it_back()
    {
        var (experimentId, _, a, b, c) = await SeedAsync();

        Assert.Contains($"Deleted run {a}", (await server.RunAsync("runs", "delete", a)).ShouldSucceed().Stdout, StringComparison.Ordinal);

        Assert.Equal(new[] { b, c }.Order(), (await server.RunAsync("runs", "list", "-e", experimentId)).ShouldSucceed().Table().Column("Run id").Order());
        Assert.Equal([a], (await server.RunAsync("runs", "list", "-e", experimentId, "--view", "deleted")).ShouldSucceed().Table().Column("Run id"));
        Assert.Equal("deleted", (await server.RunAsync("runs", "get", a)).ShouldSucceed().Table().AsFields()["Stage"]);

        Assert.Contains($"Restored run {a}", (await server.RunAsync("runs", "restore", a)).ShouldSucceed().Stdout, StringComparison.Ordinal);

        Assert.Equal(new[] { a, b, c }.Order(), (await server.RunAsync("runs", "list", "-e", experimentId)).ShouldSucceed().Table().Column("Run id").Order());
        Assert.Equal("No runs found.", (await server.RunAsync("runs", "list", "-e", experimentId, "--view", "deleted")).ShouldSucceed().Stdout.Trim());
    }

    [Fact]
    public async Task Deleting_an_experiment_hides_its_runs_until_it_is_restored()
    {
        var (experimentId, _, a, _, _) = await SeedAsync();

        (await server.RunAsync("experiments", "delete", experimentId)).ShouldSucceed();
        Assert.Equal("deleted", (await server.RunAsync("runs", "get", a)).ShouldSucceed().Table().AsFields()["Stage"]);

        (await server.RunAsync("experiments", "restore", experimentId)).ShouldSucceed();
        Assert.Equal("active", (await server.RunAsync("runs", "get", a)).ShouldSucceed().Table().AsFields()["Stage"]);
    }
}

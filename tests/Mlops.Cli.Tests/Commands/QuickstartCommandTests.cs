using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary><c>mlops quickstart</c>: trains, tracks, registers and loads a real model through a server it hosts itself.</summary>
public sealed class QuickstartCommandTests
{
    [Fact]
    public async Task Quickstart_with_exit_seeds_a_demo_experiment_that_the_cli_can_read_back()
    {
        using var home = new TempDirectory();

        var result = (await MlopsCli.RunAsync(home.Path, ["quickstart", "--port", "0", "--home", home.Path, "--quiet", "--exit"])).ShouldSucceed();

        var experimentName = Regex.Match(result.Stdout, @"Created experiment '(?<name>quickstart-[^']+)'").Groups["name"].Value;
        Assert.True(experimentName.Length > 0, result.ToString());
        Assert.Contains("Trained 3 ML.NET logistic regressions", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("pointed @champion at it", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"P\(benign\) for the first patient = [01]\.\d{3}", result.Stdout);
        var best = Regex.Match(result.Stdout, @"the best is (?<name>\S+) \((?<id>[0-9a-f]{32})\)");
        Assert.True(best.Success, result.ToString());
        Assert.True(File.Exists(Path.Combine(home.Path, "mlops.db")));
        var tuned = Regex.Match(result.Stdout, @"Tuned LightGBM with study '(?<study>[^']+)': 8 trials as jobs .* best accuracy (?<accuracy>0\.\d{4})");
        Assert.True(tuned.Success, result.ToString());
        Assert.Matches(@"7\. Deployed @champion to endpoint 'quickstart' \(revision \d+, health-checked\) and scored the first patient over HTTP: \{""predictions"":\[\{""PredictedLabel"":false", result.Stdout);

        // Three trainings plus every tuning trial that was not pruned left a model package.
        Assert.InRange(Directory.EnumerateFiles(Path.Combine(home.Path, "artifacts"), "MLmodel", SearchOption.AllDirectories).Count(), 4, 11);

        // The demo server stopped with --exit; a new server on the same home serves the same data.
        await using var server = await MlopsServerProcess.StartAsync(home.Path, ["--port", "0", "--home", home.Path, "--quiet"]);
        var runs = (await MlopsCli.RunAsync(home.Path, ["runs", "search", "--experiment-name", experimentName, "--order-by", "metrics.auc DESC", "--tracking-uri", server.Uri]))
            .ShouldSucceed().Table();
        Assert.Equal(3, runs.Rows.Count);
        Assert.Equal(best.Groups["id"].Value, runs.Column("Run id")[0]);
        Assert.All(runs.Column("Status"), status => Assert.Equal("FINISHED", status));
        var champion = (await MlopsCli.RunAsync(home.Path, ["models", "get", "quickstart-breast-cancer", "--tracking-uri", server.Uri])).ShouldSucceed().Table().AsFields();
        Assert.Equal("version 1", champion["@champion"]);
        var study = (await MlopsCli.RunAsync(home.Path, ["studies", "get", tuned.Groups["study"].Value, "--tracking-uri", server.Uri])).ShouldSucceed().Table().AsFields();
        Assert.Equal("completed", study["Status"]);
    }

    [Fact]
    public async Task Quickstart_without_its_worker_exits_2_and_says_why()
    {
        using var home = new TempDirectory();

        var result = (await MlopsCli.RunAsync(home.Path, ["quickstart", "--port", "0", "--home", home.Path, "--no-worker", "--exit"])).ShouldExitWith(2);

        Assert.Contains("without --no-worker", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quickstart_with_a_port_out_of_range_exits_2()
    {
        using var home = new TempDirectory();

        var result = (await MlopsCli.RunAsync(home.Path, ["quickstart", "--port", "70000", "--exit"])).ShouldExitWith(2);

        Assert.Contains("--port must be between 0 and 65535", result.Stderr, StringComparison.Ordinal);
    }
}

using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests;

/// <summary>The command tree: help, version and parse errors. None of these need a server.</summary>
public sealed class MlopsCommandLineTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("", "server", "experiments", "runs", "quickstart", "--version")]
    [InlineData("server", "--host", "--port", "--backend-store-uri", "--artifacts-destination", "--home", "--quiet")]
    [InlineData("quickstart", "--exit", "--host", "--port", "--home", "--quiet")]
    [InlineData("experiments", "create", "list", "get", "rename", "delete", "restore")]
    [InlineData("experiments create", "<name>", "--artifact-location", "--json")]
    [InlineData("experiments list", "--filter", "--view", "--max-results", "--json", "--tracking-uri")]
    [InlineData("experiments get", "<experiment-id>", "--name", "--json")]
    [InlineData("experiments rename", "<experiment-id>", "<new-name>")]
    [InlineData("experiments delete", "<experiment-id>")]
    [InlineData("experiments restore", "<experiment-id>")]
    [InlineData("runs", "list", "search", "get", "compare", "delete", "restore")]
    [InlineData("runs list", "--experiment-id", "--experiment-name", "--max-results", "--view", "--json")]
    [InlineData("runs search", "--experiment-id", "--experiment-name", "--filter", "--order-by", "--max-results", "--view", "--json")]
    [InlineData("runs get", "<run-id>", "--json")]
    [InlineData("runs compare", "<run-ids>", "--diff-only", "--json")]
    [InlineData("runs delete", "<run-id>")]
    [InlineData("runs restore", "<run-id>")]
    public async Task Help_exits_0_and_lists_the_subcommands_and_options(string command, params string[] expected)
    {
        var result = (await MlopsCli.RunAsync(_home.Path, [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"])).ShouldSucceed();

        Assert.Equal("", result.Stderr);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"mlops {command}".Trim(), result.Stdout, StringComparison.Ordinal);
        Assert.All(expected, text => Assert.Contains(text, result.Stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runs_list_help_does_not_offer_filter_or_order()
    {
        var result = (await MlopsCli.RunAsync(_home.Path, ["runs", "list", "--help"])).ShouldSucceed();

        Assert.DoesNotContain("--filter", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("--order-by", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-?")]
    [InlineData("-h")]
    public async Task Short_help_flags_work_at_the_root(string flag)
    {
        var result = (await MlopsCli.RunAsync(_home.Path, [flag])).ShouldSucceed();

        Assert.Contains("experiments", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("quickstart")]
    public async Task Commands_that_host_the_server_do_not_offer_a_tracking_uri(string command)
    {
        var result = (await MlopsCli.RunAsync(_home.Path, [command, "--help"])).ShouldSucceed();

        Assert.DoesNotContain("--tracking-uri", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_a_semantic_version_with_optional_build_metadata()
    {
        var result = (await MlopsCli.RunAsync(_home.Path, ["--version"])).ShouldSucceed();

        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$", result.Stdout.Trim());
    }

    // Parse errors are usage errors: exit code 2, the problem on stderr and a pointer to --help.
    [Theory]
    [InlineData("Unrecognized command or argument 'bogus'", "experiments", "bogus")]
    [InlineData("Unrecognized command or argument '--bogus'", "experiments", "list", "--bogus")]
    [InlineData("Required argument missing for command: 'get'", "runs", "get")]
    [InlineData("Required command was not provided", "runs")]
    [InlineData("Cannot parse argument 'many'", "experiments", "list", "--max-results", "many")]
    public async Task Parse_errors_exit_2_and_name_the_problem(string message, params string[] arguments)
    {
        var result = (await MlopsCli.RunAsync(_home.Path, arguments)).ShouldExitWith(2);

        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help", result.Stderr, StringComparison.Ordinal);
    }
}

using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary><c>mlops server</c> as a child process on a fresh home folder.</summary>
public sealed class ServerCommandTests
{
    [Fact]
    public async Task Server_on_a_fresh_MLOPS_HOME_serves_health_and_keeps_its_database_there()
    {
        using var temp = new TempDirectory();
        var home = Path.Combine(temp.Path, "fresh-home");
        await using var server = await MlopsServerProcess.StartAsync(home: temp.Path, ["--port", "0", "--quiet"], new Dictionary<string, string?> { ["MLOPS_HOME"] = home });
        using var http = new HttpClient { BaseAddress = new Uri(server.Uri) };

        Assert.Equal("OK", await http.GetStringAsync("/health"));
        Assert.Contains($"Backend store: sqlite:///{Path.Combine(home, "mlops.db")}", server.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Artifacts:     {Path.Combine(home, "artifacts")}", server.Stdout, StringComparison.Ordinal);

        (await MlopsCli.RunAsync(temp.Path, ["experiments", "create", "first", "--tracking-uri", server.Uri])).ShouldSucceed();
        Assert.True(File.Exists(Path.Combine(home, "mlops.db")), $"No mlops.db in {home}");
    }

    [Fact]
    public async Task Server_on_a_fresh_MLOPS_HOME_creates_the_database_and_artifacts_folder_before_it_listens()
    {
        using var temp = new TempDirectory();
        var home = Path.Combine(temp.Path, "fresh-home");
        await using var server = await MlopsServerProcess.StartAsync(home: temp.Path, ["--port", "0", "--quiet"], new Dictionary<string, string?> { ["MLOPS_HOME"] = home });
        using var http = new HttpClient { BaseAddress = new Uri(server.Uri) };

        Assert.Equal("OK", await http.GetStringAsync("/health"));
        Assert.True(File.Exists(Path.Combine(home, "mlops.db")), $"No mlops.db in {home}");
        Assert.True(Directory.Exists(Path.Combine(home, "artifacts")), $"No artifacts/ in {home}");
    }

    [Fact]
    public async Task Server_home_option_wins_over_MLOPS_HOME()
    {
        using var temp = new TempDirectory();
        var home = Path.Combine(temp.Path, "from-option");
        await using var server = await MlopsServerProcess.StartAsync(temp.Path, ["--port", "0", "--home", home, "--quiet"]);

        Assert.Contains($"Backend store: sqlite:///{Path.Combine(home, "mlops.db")}", server.Stdout, StringComparison.Ordinal);
        (await MlopsCli.RunAsync(temp.Path, ["experiments", "list", "--tracking-uri", server.Uri])).ShouldSucceed();
        Assert.True(File.Exists(Path.Combine(home, "mlops.db")), $"No mlops.db in {home}");
        Assert.False(File.Exists(Path.Combine(temp.Path, "mlops.db")), "The server used MLOPS_HOME although --home was given");
    }

    [Fact]
    public async Task Server_banner_and_version_endpoint_report_the_version_option_without_build_metadata()
    {
        using var temp = new TempDirectory();
        await using var server = await MlopsServerProcess.StartAsync(temp.Path, ["--port", "0", "--quiet"]);

        // --version prints the informational version (0.1.0+<commit>); the banner and /version drop the commit.
        var version = (await MlopsCli.RunAsync(temp.Path, ["--version"])).ShouldSucceed().Stdout.Trim().Split('+')[0];

        Assert.Equal(version, server.Version);
        using var http = new HttpClient { BaseAddress = new Uri(server.Uri) };
        Assert.Equal(version, await http.GetStringAsync("/version"));
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("-1")]
    public async Task Server_with_a_port_out_of_range_exits_2(string port)
    {
        using var temp = new TempDirectory();

        var result = (await MlopsCli.RunAsync(temp.Path, ["server", "--port", port])).ShouldExitWith(2);

        Assert.Equal($"error: --port must be between 0 and 65535, got {port}.", result.Stderr.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("--backend-store-uri", "mysql://localhost/mlops")]
    [InlineData("--artifacts-destination", "gs://bucket/path")]
    public async Task Server_with_an_unsupported_store_exits_4_without_listening(string option, string value)
    {
        using var temp = new TempDirectory();

        var result = (await MlopsCli.RunAsync(temp.Path, ["server", "--port", "0", option, value])).ShouldExitWith(4);

        Assert.Contains(value, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_short_help_flag_shows_help_instead_of_being_read_as_host()
    {
        using var temp = new TempDirectory();

        var result = (await MlopsCli.RunAsync(temp.Path, ["server", "-h"])).ShouldSucceed();

        Assert.Contains("--port", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }
}

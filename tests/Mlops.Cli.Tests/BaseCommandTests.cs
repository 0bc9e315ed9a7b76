using System.Net;
using System.Net.Sockets;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests;

/// <summary>What every management command does when the server is not there.</summary>
public sealed class BaseCommandTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Theory]
    [InlineData("experiments", "list")]
    [InlineData("experiments", "create", "x")]
    [InlineData("experiments", "get", "--name", "x")]
    [InlineData("experiments", "delete", "1")]
    [InlineData("runs", "list", "-e", "0")]
    [InlineData("runs", "search", "-e", "0", "--filter", "metrics.acc > 0.5")]
    [InlineData("runs", "get", "0123456789abcdef0123456789abcdef")]
    [InlineData("runs", "compare", "r1", "r2")]
    public async Task Command_against_a_closed_port_exits_5_and_says_to_start_mlops_server(params string[] arguments)
    {
        var uri = $"http://127.0.0.1:{ClosedPort()}";

        var result = (await MlopsCli.RunAsync(_home.Path, [.. arguments, "--tracking-uri", uri])).ShouldExitWith(5);

        Assert.Equal("", result.Stdout);
        Assert.StartsWith("error: Cannot reach the Mlops server at " + uri, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("`mlops server`", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Tracking_uri_is_read_from_MLOPS_TRACKING_URI()
    {
        var uri = $"http://127.0.0.1:{ClosedPort()}";

        var result = (await MlopsCli.RunAsync(_home.Path, ["experiments", "list"], new Dictionary<string, string?> { ["MLOPS_TRACKING_URI"] = uri })).ShouldExitWith(5);

        Assert.Contains(uri, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("`mlops server`", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A port that was free a moment ago and has nothing listening on it now.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Cli.Output;
using Mlops.Infrastructure;
using Mlops.Server;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops server</c>: the tracking server with the MLflow-compatible API and proxied artifacts.</summary>
internal sealed class ServerCommand : BaseCommand
{
    private static readonly Option<string> s_host = new("--host", "-h") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> s_port = new("--port", "-p") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 5000 };
    private static readonly Option<string?> s_backendStoreUri = new("--backend-store-uri") { Description = "sqlite:///<path> (default: sqlite:///$MLOPS_HOME/mlops.db)" };
    private static readonly Option<string?> s_artifactsDestination = new("--artifacts-destination") { Description = "Folder for artifacts (default: $MLOPS_HOME/artifacts)" };
    private static readonly Option<string?> s_home = new("--home") { Description = "Data directory (default: $MLOPS_HOME, else ~/.mlops)" };
    private static readonly Option<bool> s_quiet = new("--quiet", "-q") { Description = "Log warnings and errors only" };

    public ServerCommand()
        : base("server", "Run the Mlops server (tracking API, artifacts, API reference at /docs)")
    {
        Options.Add(s_host);
        Options.Add(s_port);
        Options.Add(s_backendStoreUri);
        Options.Add(s_artifactsDestination);
        Options.Add(s_home);
        Options.Add(s_quiet);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var port = parseResult.GetValue(s_port);
        if (port is < 0 or > 65535)
        {
            output.Error($"--port must be between 0 and 65535, got {port}.");
            return ExitCodes.UsageError;
        }

        var storage = new MlopsStorageOptions
        {
            Home = parseResult.GetValue(s_home),
            BackendStoreUri = parseResult.GetValue(s_backendStoreUri),
            ArtifactsDestination = parseResult.GetValue(s_artifactsDestination),
        };
        var options = new MlopsServerOptions
        {
            Host = parseResult.GetValue(s_host)!,
            Port = port,
            Storage = storage,
            LogLevel = parseResult.GetValue(s_quiet) ? LogLevel.Warning : LogLevel.Information,
        };
        await using var app = MlopsServer.Build(options);
        await app.StartAsync(cancellationToken);
        foreach (var address in MlopsServer.Addresses(app))
        {
            output.Line($"Mlops {MlopsServer.Version} listening on {address}");
        }

        output.Line($"Backend store: {storage.ResolveBackendStoreUri()}");
        output.Line($"Artifacts:     {storage.ResolveArtifactsDestination()}");
        output.Line("API reference at /docs; press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}

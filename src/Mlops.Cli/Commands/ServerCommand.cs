using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Mlops.Cli.Output;
using Mlops.Server;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops server</c>: the tracking server with the MLflow-compatible API and proxied artifacts.</summary>
internal sealed class ServerCommand : BaseCommand
{
    public ServerCommand()
        : base("server", "Run the Mlops server (tracking API, artifacts, API reference at /docs)", usesServer: false)
    {
        ServerOptionSet.AddTo(this);
    }

    /// <summary>Starts the server and prints where it listens and where its data lives.</summary>
    public static async Task<WebApplication> StartAsync(MlopsServerOptions options, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var app = MlopsServer.Build(options);
        await app.StartAsync(cancellationToken);

        // The "listening" line comes last: scripts that wait for it can rely on everything above being printed.
        output.Line($"Backend store: {options.Storage.ResolveBackendStoreUri()}");
        output.Line($"Artifacts:     {options.Storage.ResolveArtifactsDestination()}");
        foreach (var address in MlopsServer.Addresses(app))
        {
            output.Line($"Mlops {MlopsServer.Version} listening on {address}");
        }

        return app;
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        if (ServerOptionSet.Read(parseResult, output) is not { } options)
        {
            return ExitCodes.UsageError;
        }

        await using var app = await StartAsync(options, output, cancellationToken);
        output.Line("API reference at /docs; press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}

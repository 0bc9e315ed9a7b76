using System.CommandLine;
using Microsoft.Extensions.Logging;
using Mlops.Infrastructure;
using Mlops.Server;

namespace Mlops.Cli.Commands;

/// <summary>The options of every command that hosts the server (server, quickstart).</summary>
internal static class ServerOptionSet
{
    private static readonly Option<string> s_host = new("--host") { Description = "Address to listen on (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> s_port = new("--port", "-p") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 5000 };
    private static readonly Option<string?> s_backendStoreUri = new("--backend-store-uri") { Description = "sqlite:///<relative path>, sqlite:////<absolute path> or postgresql://user:pass@host:5432/db (default: $MLOPS_HOME/mlops.db)" };
    private static readonly Option<string?> s_artifactsDestination = new("--artifacts-destination") { Description = "Artifact folder, or s3://bucket/prefix for S3-compatible storage (default: $MLOPS_HOME/artifacts)" };
    private static readonly Option<string?> s_home = new("--home") { Description = "Data directory (default: $MLOPS_HOME, else ~/.mlops)" };
    private static readonly Option<bool> s_quiet = new("--quiet", "-q") { Description = "Log warnings and errors only" };
    private static readonly Option<bool> s_noWorker = new("--no-worker") { Description = "Do not run the embedded job worker (run `mlops worker` processes instead)" };
    private static readonly Option<int> s_workers = new("--worker-concurrency") { Description = "Jobs the embedded worker runs at once", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> s_predictionRetention = new("--prediction-log-retention-days") { Description = "Days the prediction log of endpoints is kept (0 keeps it forever)", DefaultValueFactory = _ => 30 };

    public static void AddTo(Command command)
    {
        command.Options.Add(s_host);
        command.Options.Add(s_port);
        command.Options.Add(s_backendStoreUri);
        command.Options.Add(s_artifactsDestination);
        command.Options.Add(s_home);
        command.Options.Add(s_quiet);
        command.Options.Add(s_noWorker);
        command.Options.Add(s_workers);
        command.Options.Add(s_predictionRetention);
    }

    /// <summary>Reads the options; null (after printing why) when they are unusable.</summary>
    public static MlopsServerOptions? Read(ParseResult parseResult, Output.ConsoleOutput output)
    {
        var port = parseResult.GetValue(s_port);
        if (port is < 0 or > 65535)
        {
            output.Error($"--port must be between 0 and 65535, got {port}.");
            return null;
        }

        var retention = parseResult.GetValue(s_predictionRetention);
        if (retention is < 0 or > 36_500)
        {
            output.Error($"--prediction-log-retention-days must be between 0 and 36500, got {retention}.");
            return null;
        }

        return new MlopsServerOptions
        {
            Host = parseResult.GetValue(s_host)!,
            Port = port,
            Storage = new MlopsStorageOptions
            {
                Home = parseResult.GetValue(s_home),
                BackendStoreUri = parseResult.GetValue(s_backendStoreUri),
                ArtifactsDestination = parseResult.GetValue(s_artifactsDestination),
            },
            LogLevel = parseResult.GetValue(s_quiet) ? LogLevel.Warning : LogLevel.Information,
            PredictionLogRetention = retention == 0 ? null : TimeSpan.FromDays(retention),
            Worker = parseResult.GetValue(s_noWorker) ? null : new Worker.WorkerOptions { Concurrency = Math.Clamp(parseResult.GetValue(s_workers), 1, 64) },
        };
    }
}

using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Application;
using Mlops.Cli.Output;
using Mlops.Infrastructure;
using Mlops.Worker;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops worker</c>: claims and runs jobs from the shared database until stopped. SIGTERM or Ctrl+C hands
/// running jobs back to the queue, so another worker picks them up at once.
/// </summary>
internal sealed class WorkerCommand : BaseCommand
{
    private static readonly Option<string[]> s_queues = new("--queue") { Description = "Queue to take jobs from (repeatable)", DefaultValueFactory = _ => ["default"] };
    private static readonly Option<int> s_concurrency = new("--concurrency", "-c") { Description = "Jobs run at once", DefaultValueFactory = _ => 1 };
    private static readonly Option<string?> s_backendStoreUri = new("--backend-store-uri") { Description = "The server's store: sqlite:///<path> or postgresql://user:pass@host:5432/db (default: $MLOPS_HOME/mlops.db)" };
    private static readonly Option<string?> s_artifactsDestination = new("--artifacts-destination") { Description = "The server's artifact folder or s3://bucket/prefix (default: $MLOPS_HOME/artifacts)" };
    private static readonly Option<string?> s_home = new("--home") { Description = "Data directory (default: $MLOPS_HOME, else ~/.mlops)" };
    private static readonly Option<int> s_leaseSeconds = new("--lease-seconds") { Description = "Seconds a job stays claimed without a heartbeat", DefaultValueFactory = _ => 30 };

    public WorkerCommand()
        : base("worker", "Run a job worker against the shared database", usesServer: false)
    {
        Options.Add(s_queues);
        Options.Add(s_concurrency);
        Options.Add(s_backendStoreUri);
        Options.Add(s_artifactsDestination);
        Options.Add(s_home);
        Options.Add(s_leaseSeconds);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var concurrency = parseResult.GetValue(s_concurrency);
        var lease = parseResult.GetValue(s_leaseSeconds);
        if (concurrency is < 1 or > 64 || lease is < 2 or > 3600)
        {
            output.Error("--concurrency must be between 1 and 64 and --lease-seconds between 2 and 3600.");
            return ExitCodes.UsageError;
        }

        var queues = parseResult.GetValue(s_queues)!;
        foreach (var queue in queues)
        {
            Domain.Jobs.JobRules.ValidateName(queue, "queue");
        }

        var storage = new MlopsStorageOptions
        {
            Home = parseResult.GetValue(s_home),
            BackendStoreUri = parseResult.GetValue(s_backendStoreUri),
            ArtifactsDestination = parseResult.GetValue(s_artifactsDestination),
        };
        var options = new WorkerOptions
        {
            Queues = queues,
            Concurrency = concurrency,
            Lease = TimeSpan.FromSeconds(lease),
            HeartbeatInterval = TimeSpan.FromSeconds(Math.Max(1, lease / 5)),
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddMlopsApplication();
        builder.Services.AddMlopsInfrastructure(storage);
        builder.Services.AddMlopsWorker(options);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<Application.Ports.IJobQueue>();
        output.Line($"Worker {options.WorkerId} on {storage.ResolveBackendStoreUri()}, queues {string.Join(", ", queues)}, {concurrency} slot(s); Ctrl+C to stop.");
        await host.RunAsync(cancellationToken);
        return ExitCodes.Success;
    }
}

using Mlops.Infrastructure;

namespace Mlops.Server;

public sealed class MlopsServerOptions
{
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests); the chosen address is in <see cref="MlopsServer.Addresses"/>.</summary>
    public int Port { get; set; } = 5000;

    public MlopsStorageOptions Storage { get; set; } = new();

    /// <summary>The embedded worker, so one process does everything on a laptop; null runs no worker (`--no-worker`).</summary>
    public Worker.WorkerOptions? Worker { get; set; } = new();

    /// <summary>
    /// How often the server checks for moved aliases of endpoints that follow them, and re-reads the endpoints it serves
    /// (changes made through another server on the same database).
    /// </summary>
    public TimeSpan ServingRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the prediction log keeps records; null keeps them forever. Older ones are deleted hourly.</summary>
    public TimeSpan? PredictionLogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Console log level for the server's own messages (requests are not logged one by one).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Information;
}

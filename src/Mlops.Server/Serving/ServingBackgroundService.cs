using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Application.Serving;
using Mlops.Application.UseCases.Deployments;

namespace Mlops.Server.Serving;

/// <summary>
/// The background side of serving in `mlops server`: writes the prediction log, scores shadow copies, and
/// periodically follows moved aliases and picks up endpoint changes made by other servers.
/// </summary>
public sealed class ServingBackgroundService(
    PredictionLogWriter log,
    ShadowMirror shadows,
    AliasFollower follower,
    EndpointHost host,
    MlopsServerOptions options,
    ILogger<ServingBackgroundService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => log.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => shadows.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => RefreshLoopAsync(stoppingToken), CancellationToken.None));

    private async Task RefreshLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ServingRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await follower.RunOnceAsync(stoppingToken);
                    await host.RefreshAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Serving refresh failed; it runs again in {Interval}.", options.ServingRefreshInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Application.Serving;
using Mlops.Application.UseCases.Deployments;

namespace Mlops.Server.Serving;

/// <summary>
/// The background side of serving in `mlops server`: writes the prediction log, scores shadow copies, and
/// periodically follows moved aliases, picks up endpoint changes made by other servers, and deletes prediction log
/// records older than the retention.
/// </summary>
public sealed class ServingBackgroundService(
    PredictionLogWriter log,
    PredictionLogRetention retention,
    TimeProvider clock,
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
            Task.Run(() => RefreshLoopAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => RetentionLoopAsync(stoppingToken), CancellationToken.None));

    public static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    private async Task RetentionLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            do
            {
                try
                {
                    if (options.PredictionLogRetention is { } keep)
                    {
                        await retention.ApplyAsync(keep, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not apply the prediction log retention; it runs again in {Interval}.", RetentionInterval);
                }
            }
            while (!stoppingToken.IsCancellationRequested && await Delay(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> Delay(CancellationToken stoppingToken)
    {
        await Task.Delay(RetentionInterval, clock, stoppingToken);
        return true;
    }

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

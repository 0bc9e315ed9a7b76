using Mlops.Application.Ports;
using Mlops.Domain.Common;

namespace Mlops.Application.UseCases.Tracking;

/// <summary>A metric of a run downsampled for a chart: a few hundred points whatever the number stored.</summary>
public sealed class GetMetricSeriesUseCase(IMetricSeriesStore store)
{
    public const int DefaultPoints = 500;

    /// <summary>Above this, a browser spends longer drawing than the server spends reading.</summary>
    public const int MaxPoints = 10_000;

    public async Task<MetricSeries> ExecuteAsync(string? runId, string? key, int? points, long? minStep, long? maxStep, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(runId))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'run_id'.");
        }

        if (string.IsNullOrEmpty(key))
        {
            throw MlopsException.Invalid("Missing value for required parameter 'key'.");
        }

        var budget = points ?? DefaultPoints;
        if (budget is < 2 or > MaxPoints)
        {
            throw MlopsException.Invalid($"points must be between 2 and {MaxPoints}, got {budget}.");
        }

        if (minStep is { } low && maxStep is { } high && low > high)
        {
            throw MlopsException.Invalid($"min_step ({low}) must not be greater than max_step ({high}).");
        }

        return await store.GetSeriesAsync(runId, key, minStep, maxStep, budget, cancellationToken)
            ?? throw MlopsException.NotFound($"Run with id={runId} not found");
    }
}

using Mlops.Application.Ports;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>What every <see cref="IMetricSeriesStore"/> adapter must do: the downsampling edge cases, on real data.</summary>
public abstract class MetricSeriesStoreContract
{
    private (ITrackingStore Tracking, IMetricSeriesStore Series)? _stores;

    /// <summary>A tracking store and a series store over the same fresh database.</summary>
    protected abstract (ITrackingStore Tracking, IMetricSeriesStore Series) CreateStores();

    private ITrackingStore Tracking => (_stores ??= CreateStores()).Tracking;

    private IMetricSeriesStore Series => (_stores ??= CreateStores()).Series;

    private async Task<string> RunWithAsync(IEnumerable<Metric> metrics)
    {
        var runId = Guid.NewGuid().ToString("N");
        await Tracking.CreateRunAsync(new RunInfo(runId, "0", "r", "u", RunStatus.Running, 0, null, "mlflow-artifacts:/0/" + runId + "/artifacts", LifecycleStage.Active), [], default);
        foreach (var chunk in metrics.Chunk(1000))
        {
            await Tracking.LogBatchAsync(new LogBatch(runId, chunk, [], []), default);
        }

        return runId;
    }

    [Fact]
    public async Task Unknown_runs_are_null_and_unknown_keys_are_empty()
    {
        var run = await RunWithAsync([new Metric("a", 1, 0, 0)]);

        Assert.Null(await Series.GetSeriesAsync("nope", "a", null, null, 100, default));
        var empty = await Series.GetSeriesAsync(run, "b", null, null, 100, default);
        Assert.Equal(0, empty!.TotalPoints);
        Assert.Empty(empty.Points);
    }

    [Fact]
    public async Task NaN_points_are_left_out_and_a_small_series_comes_back_whole_in_step_order()
    {
        var run = await RunWithAsync([new Metric("m", 3, 30, 2), new Metric("m", double.NaN, 40, 3), new Metric("m", 1, 10, 0), new Metric("m", 2, 20, 1)]);

        var series = (await Series.GetSeriesAsync(run, "m", null, null, 100, default))!;

        Assert.False(series.Downsampled);
        Assert.Equal(3, series.TotalPoints);
        Assert.Equal([0L, 1, 2], series.Points.Select(p => p.Step));
        Assert.Equal([1.0, 2, 3], series.Points.Select(p => p.Value));
        Assert.Equal([10L, 20, 30], series.Points.Select(p => p.Timestamp));
    }

    [Fact]
    public async Task A_flat_series_keeps_one_point_per_bucket_and_never_exceeds_the_budget()
    {
        var run = await RunWithAsync(Enumerable.Range(0, 5000).Select(i => new Metric("flat", 7, i, i)));

        var series = (await Series.GetSeriesAsync(run, "flat", null, null, 100, default))!;

        Assert.True(series.Downsampled);
        Assert.InRange(series.Points.Count, 40, 100);
        Assert.All(series.Points, p => Assert.Equal(7, p.Value));
        Assert.Equal(series.Points.Select(p => p.Step).Distinct().Count(), series.Points.Count);
    }

    [Fact]
    public async Task Sparse_uneven_steps_keep_the_extremes_of_every_bucket()
    {
        // Steps grow quadratically, so buckets hold very different numbers of points.
        var metrics = Enumerable.Range(0, 3000).Select(i => new Metric("q", i % 2 == 0 ? i : -i, 0, (long)i * i)).ToList();
        var run = await RunWithAsync(metrics);

        var series = (await Series.GetSeriesAsync(run, "q", null, null, 64, default))!;

        Assert.InRange(series.Points.Count, 2, 64);
        Assert.Equal(metrics.Max(m => m.Value), series.Points.Max(p => p.Value));
        Assert.Equal(metrics.Min(m => m.Value), series.Points.Min(p => p.Value));
        Assert.Equal(series.Points.OrderBy(p => p.Step).Select(p => p.Step), series.Points.Select(p => p.Step));
        Assert.Equal((long)2999 * 2999, series.LastStep);
    }
}

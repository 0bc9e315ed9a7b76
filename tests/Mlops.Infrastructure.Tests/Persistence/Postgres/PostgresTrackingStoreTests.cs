using Mlops.Application.Ports;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>The tracking store contract on a fresh PostgreSQL database, plus what only this backend can show.</summary>
[RequiresPostgres]
public sealed class PostgresTrackingStoreTests(PostgresTestDatabase database) : TrackingStoreContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private readonly List<PostgresDatabase> _handles = [];

    protected override ITrackingStore CreateStore() => new PostgresTrackingStore(Open());

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
    }

    [Fact]
    public async Task Keeps_data_when_another_handle_reads_it()
    {
        var experimentId = await NewExperimentAsync();
        var info = await NewRunAsync(experimentId, "persisted");
        await Store.LogBatchAsync(new LogBatch(info.RunId, [new("m", double.NaN, T0, 0)], [new("p", "1")], [new("t", "1")]), Ct);

        var other = new PostgresTrackingStore(Open());

        var run = await other.GetRunAsync(info.RunId, Ct);
        Assert.Equal(info, run!.Info);
        Assert.True(double.IsNaN(Assert.Single(run.LatestMetrics).Value));
        Assert.Equal([new Param("p", "1")], run.Params);
    }

    [Fact]
    public async Task Stores_identical_metric_points_as_one_row()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var point = new Metric("m", 1, T0, 0);

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point, point), Ct);
        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point), Ct);

        Assert.Equal(1L, Count($"SELECT COUNT(*) FROM metrics m JOIN runs r USING (run_pk) WHERE r.run_uuid = '{info.RunId}'"));
        Assert.Equal(1L, Count($"SELECT COUNT(*) FROM latest_metrics m JOIN runs r USING (run_pk) WHERE r.run_uuid = '{info.RunId}'"));
    }

    [Fact]
    public async Task Binds_filter_values_as_parameters()
    {
        var experimentId = await NewExperimentAsync();
        await NewRunAsync(experimentId, "r", tags: [new("t", "x' OR '1'='1")]);

        var page = await Store.SearchRunsAsync(Query([experimentId], "tags.t = 'nothing'' OR ''1''=''1'"), Ct);
        var exact = await Store.SearchRunsAsync(Query([experimentId], "tags.t = 'x'' OR ''1''=''1'"), Ct);

        Assert.Empty(page.Items);
        Assert.Single(exact.Items);
    }

    [Fact]
    public async Task Keeps_one_value_when_many_handles_log_the_same_param_at_once()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var stores = Enumerable.Range(0, 8).Select(_ => new PostgresTrackingStore(Open())).ToArray();

        var outcomes = await Task.WhenAll(stores.Select((store, i) => Task.Run(async () =>
        {
            try
            {
                await store.LogBatchAsync(new LogBatch(info.RunId, [new("m", i, T0 + i, i)], [new("lr", i % 2 == 0 ? "0.1" : "0.2")], []), Ct);
                return true;
            }
            catch (Domain.Common.MlopsException)
            {
                return false;
            }
        })));

        var run = (await Store.GetRunAsync(info.RunId, Ct))!;
        var kept = Assert.Single(run.Params).Value;
        Assert.Equal(kept == "0.1" ? [true, false, true, false, true, false, true, false] : [false, true, false, true, false, true, false, true], outcomes);
        Assert.Equal(outcomes.Count(o => o), (int)(await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct)).Items.Count);
    }

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }

    private long Count(string sql) => (long)database.Scalar(sql)!;
}

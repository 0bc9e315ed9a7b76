using Mlops.Application.Ports;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Postgres;
using Mlops.Infrastructure.Persistence.Sqlite;

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

    [Theory]
    [InlineData("metrics.acc DESC")]
    [InlineData("metrics.acc ASC")]
    [InlineData("metrics.acc DESC", "params.lr ASC")]
    [InlineData("metrics.acc ASC", "attributes.start_time ASC")]
    public async Task Orders_and_pages_by_a_metric_by_the_rules_on_both_backends(params string[] orderBy)
    {
        using var folder = new TempFolder();
        using var sqliteDatabase = new SqliteDatabase(folder.Combine("mlops.db"));
        var sqlite = new SqliteTrackingStore(sqliteDatabase);
        var pgExperiment = await NewExperimentAsync();
        var liteExperiment = await sqlite.CreateExperimentAsync("e", null, [], T0, Ct);

        // Ties, a NaN, runs without the metric and runs the filter drops, so every branch of the ordering is used.
        double?[] values = [0.5, 0.9, null, 0.5, double.NaN, 0.1, null, 0.9, 0.7, null, 0.3];
        for (var i = 0; i < values.Length; i++)
        {
            var runId = Guid.NewGuid().ToString("N");
            foreach (var (store, experimentId) in new[] { (Store, pgExperiment), ((ITrackingStore)sqlite, liteExperiment) })
            {
                await store.CreateRunAsync(new RunInfo(runId, experimentId, "run" + i, "u", RunStatus.Running, T0 + (i % 4), null, "mlflow-artifacts:/x", LifecycleStage.Active), [], Ct);
                var metrics = values[i] is { } v ? new List<Metric> { new("acc", v, T0, 0) } : [];
                await store.LogBatchAsync(new LogBatch(runId, metrics, [new("lr", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))], [new("keep", i == 5 ? "no" : "yes")]), Ct);
            }
        }

        // The expected order, computed here from the rules rather than by either store.
        var all = (await Store.SearchRunsAsync(Query([pgExperiment], "tags.keep = 'yes'"), Ct)).Items;
        var expected = all.Order(Comparer<Run>.Create((a, b) => CompareByRules(a, b, orderBy))).Select(r => r.Info.RunName).ToList();
        Assert.Equal(10, expected.Count);
        foreach (var (size, offset) in new[] { (100, 0L), (3, 0L), (3, 3L), (3, 6L), (3, 9L), (2, 8L), (4, 20L), (1, 7L), (1, 10L) })
        {
            var pg = await Store.SearchRunsAsync(Query([pgExperiment], "tags.keep = 'yes'", orderBy, maxResults: size, offset: offset), Ct);
            var lite = await sqlite.SearchRunsAsync(Query([liteExperiment], "tags.keep = 'yes'", orderBy, maxResults: size, offset: offset), Ct);

            var window = expected.Skip((int)offset).Take(size).ToList();
            Assert.Equal(window, pg.Items.Select(r => r.Info.RunName));
            Assert.Equal(window, lite.Items.Select(r => r.Info.RunName));
            Assert.Equal(offset + size < expected.Count, pg.HasMore);
            Assert.Equal(offset + size < expected.Count, lite.HasMore);
        }
    }

    /// <summary>The documented run order: each term with missing values last, then start time (newest first) unless ordered by it, then id.</summary>
    private static int CompareByRules(Run a, Run b, string[] orderBy)
    {
        foreach (var term in orderBy)
        {
            var descending = term.EndsWith(" DESC", StringComparison.Ordinal);
            var result = term.Split(' ')[0] switch
            {
                "metrics.acc" => MissingLast(Acc(a), Acc(b), descending, (x, y) => ((double)x).CompareTo((double)y)),
                "params.lr" => MissingLast(Lr(a), Lr(b), descending, string.CompareOrdinal),
                _ => MissingLast((object)a.Info.StartTime, b.Info.StartTime, descending, (x, y) => ((long)x).CompareTo((long)y)),
            };
            if (result != 0)
            {
                return result;
            }
        }

        var byStart = orderBy.Any(t => t.StartsWith("attributes.start_time", StringComparison.Ordinal)) ? 0 : b.Info.StartTime.CompareTo(a.Info.StartTime);
        return byStart != 0 ? byStart : string.CompareOrdinal(a.Info.RunId, b.Info.RunId);

        static string? Lr(Run run) => run.Params.Where(p => p.Key == "lr").Select(p => p.Value).FirstOrDefault();

        static object? Acc(Run run) => run.LatestMetrics.Where(m => m.Key == "acc" && !double.IsNaN(m.Value)).Select(m => (object)m.Value).FirstOrDefault();
    }

    private static int MissingLast<T>(T? x, T? y, bool descending, Func<T, T, int> compare)
        where T : class => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => 1,
        (_, null) => -1,
        _ => descending ? compare(y!, x!) : compare(x!, y!),
    };

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }

    private long Count(string sql) => (long)database.Scalar(sql)!;
}

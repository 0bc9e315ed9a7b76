using Mlops.Application.Ports;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

/// <summary>
/// A search ordered by a metric may be answered from a window at the top of the metric's index; with a window much
/// smaller than the data, every page must still equal the plain query's (window 0 turns the shortcut off): ties,
/// NaN and missing values, selective and broad filters, both directions, and offsets.
/// </summary>
public sealed class SqliteMetricWindowSearchTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteDatabase _database;

    public SqliteMetricWindowSearchTests() => _database = new SqliteDatabase(_folder.Combine("mlops.db"));

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Every_page_from_the_window_equals_the_plain_query()
    {
        var plain = new SqliteTrackingStore(_database, metricWindow: 0);
        var windowed = new SqliteTrackingStore(_database, metricWindow: 40);
        var experiment = await plain.CreateExperimentAsync("window", null, [], 1, default);
        var random = new Random(7);
        for (var i = 0; i < 120; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            await plain.CreateRunAsync(new RunInfo(id, experiment, "r" + i, "u", RunStatus.Finished, 1_000 + (i % 17), null, "mlflow-artifacts:/x/" + id, LifecycleStage.Active), [], default);
            // Coarse values make ties; some runs have NaN, some no acc at all.
            var metrics = i % 11 == 0 ? [] : new List<Metric> { new("acc", i % 13 == 0 ? double.NaN : Math.Round(random.NextDouble(), 1), 1, 0) };
            await plain.LogBatchAsync(new LogBatch(id, metrics, [new Param("lr", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))], []), default);
        }

        string?[] filters = [null, "params.lr = '1'", "metrics.acc > 0.5", "metrics.acc > 0.95 and params.lr = '2'", "params.lr = 'none'"];
        string[][] orders = [["metrics.acc DESC"], ["metrics.acc ASC"], ["metrics.acc DESC", "attributes.start_time ASC"], ["metrics.acc"]];
        var compared = 0;
        foreach (var filter in filters)
        {
            foreach (var order in orders)
            {
                for (var max = 1; max <= 5; max++)
                {
                    for (var offset = 0; offset <= 4; offset++)
                    {
                        var query = new RunQuery([experiment], SearchFilterParser.Parse(filter, SearchTarget.Runs), OrderByParser.Parse(order, SearchTarget.Runs), ViewType.ActiveOnly, max, offset);
                        var expected = await plain.SearchRunsAsync(query, default);
                        var actual = await windowed.SearchRunsAsync(query, default);
                        Assert.True(expected.Items.Select(r => r.Info.RunId).SequenceEqual(actual.Items.Select(r => r.Info.RunId)) && expected.HasMore == actual.HasMore,
                            $"filter {filter}, order {string.Join(", ", order)}, max {max}, offset {offset}");
                        compared++;
                    }
                }
            }
        }

        Assert.Equal(filters.Length * orders.Length * 25, compared);
    }
}

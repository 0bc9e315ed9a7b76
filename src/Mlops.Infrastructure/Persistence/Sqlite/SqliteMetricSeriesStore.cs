using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Chart reads of metrics on SQLite: one index range scan in step order, bucketed while reading.
/// </summary>
/// <remarks>
/// Bucketing is <see cref="MetricSeriesBuilder"/>'s. A GROUP BY over the bucket expression made SQLite sort every row of the range in a temporary B-tree (twice, for
/// the min and the max: about 1 s for 1,000,000 points). The metrics primary key (run_pk, key, step, ...) already
/// yields rows in step order, so the buckets arrive one after the other and a single pass keeps each bucket's
/// lowest and highest point with no sort and constant memory.
/// </remarks>
public sealed class SqliteMetricSeriesStore(SqliteDatabase database) : IMetricSeriesStore
{
    private const string Range = "FROM metrics WHERE run_pk = ?1 AND key = ?2 AND step BETWEEN ?3 AND ?4 AND is_nan = 0";

    public Task<MetricSeries?> GetSeriesAsync(string runId, string key, long? minStep, long? maxStep, int maxPoints, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => Read(connection, runId, key, minStep ?? long.MinValue, maxStep ?? long.MaxValue, maxPoints)));

    private static MetricSeries? Read(SqliteConnection connection, string runId, string key, long low, long high, int maxPoints)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT run_pk FROM runs WHERE run_uuid = $run";
        command.Parameters.AddWithValue("$run", runId);
        if (command.ExecuteScalar() is not long runPk)
        {
            return null;
        }

        // MIN and MAX of an index column under equality on the columns before it are index seeks, not scans.
        command.Parameters.Clear();
        command.Parameters.AddWithValue("$pk", runPk);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$lo", low);
        command.Parameters.AddWithValue("$hi", high);
        command.CommandText = "SELECT MIN(step) FROM metrics WHERE run_pk = $pk AND key = $key AND step BETWEEN $lo AND $hi AND is_nan = 0";
        if (command.ExecuteScalar() is not long first)
        {
            return new MetricSeries(0, null, null, false, []);
        }

        command.CommandText = "SELECT MAX(step) FROM metrics WHERE run_pk = $pk AND key = $key AND step BETWEEN $lo AND $hi AND is_nan = 0";
        var last = (long)command.ExecuteScalar()!;
        using var scan = new RawStatement(connection, $"SELECT step, timestamp, value {Range} ORDER BY step, timestamp, value");
        Bind(scan, runPk, key, low, high);
        var series = new MetricSeriesBuilder(first, last, maxPoints);
        while (scan.Step())
        {
            series.Add(new SeriesPoint(scan.Int64(0), scan.Int64(1), scan.Double(2)));
        }

        return series.Build();
    }

    private static void Bind(RawStatement statement, long runPk, string key, long low, long high)
    {
        statement.Bind(1, runPk);
        statement.Bind(2, key);
        statement.Bind(3, low);
        statement.Bind(4, high);
    }
}

using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>Chart reads of metrics on SQLite: min and max per step bucket, computed by SQLite's GROUP BY.</summary>
public sealed class SqliteMetricSeriesStore(SqliteDatabase database) : IMetricSeriesStore
{
    private const string Range = "FROM metrics WHERE run_pk = $pk AND key = $key AND step BETWEEN $lo AND $hi AND is_nan = 0";

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

        command.Parameters.Clear();
        command.Parameters.AddWithValue("$pk", runPk);
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$lo", low);
        command.Parameters.AddWithValue("$hi", high);
        command.CommandText = $"SELECT COUNT(*), MIN(step), MAX(step) {Range}";
        long total;
        long first, last;
        using (var stats = command.ExecuteReader())
        {
            stats.Read();
            total = stats.GetInt64(0);
            if (total == 0)
            {
                return new MetricSeries(0, null, null, false, []);
            }

            first = stats.GetInt64(1);
            last = stats.GetInt64(2);
        }

        if (total <= maxPoints)
        {
            command.CommandText = $"SELECT step, timestamp, value {Range} ORDER BY step, timestamp, value";
            return new MetricSeries(total, first, last, false, ReadPoints(command, 0));
        }

        // Two points per bucket (the lowest and the highest value): the width is rounded up so the
        // buckets never outnumber the budget. SQLite returns the step and timestamp of the row that
        // holds the MIN or MAX ("bare columns" of a single min()/max() aggregate).
        var buckets = Math.Max(1, maxPoints / 2);
        var width = (long)Math.Ceiling(((double)last - first + 1) / buckets);
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$width", Math.Max(1, width));
        command.CommandText =
            $"SELECT step, timestamp, MIN(value) {Range} GROUP BY (step - $first) / $width " +
            $"UNION ALL SELECT step, timestamp, MAX(value) {Range} GROUP BY (step - $first) / $width";
        var points = ReadPoints(command, 0);
        points.Sort((a, b) => a.Step != b.Step ? a.Step.CompareTo(b.Step) : a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Value.CompareTo(b.Value));

        // A flat bucket gives the same row as its min and its max: keep it once.
        var distinct = new List<SeriesPoint>(points.Count);
        foreach (var point in points)
        {
            if (distinct.Count == 0 || distinct[^1] != point)
            {
                distinct.Add(point);
            }
        }

        return new MetricSeries(total, first, last, true, distinct);
    }

    private static List<SeriesPoint> ReadPoints(SqliteCommand command, int capacity)
    {
        var points = new List<SeriesPoint>(capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            points.Add(new SeriesPoint(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2)));
        }

        return points;
    }
}

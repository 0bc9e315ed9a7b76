using Mlops.Application.Ports;
using Npgsql;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Chart reads of metrics on PostgreSQL: the range is streamed in step order from the metrics primary key and
/// bucketed while reading by <see cref="MetricSeriesBuilder"/>, as on SQLite, so both backends draw the same series.
/// </summary>
public sealed class PostgresMetricSeriesStore(PostgresDatabase database) : IMetricSeriesStore
{
    private const string Range = "FROM metrics WHERE run_pk = @pk AND key = @key AND step BETWEEN @lo AND @hi AND is_nan = 0";

    public Task<MetricSeries?> GetSeriesAsync(string runId, string key, long? minStep, long? maxStep, int maxPoints, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, transaction) =>
        {
            await using var find = new NpgsqlCommand("SELECT run_pk FROM runs WHERE run_uuid = @run", connection, transaction);
            find.Parameters.AddWithValue("@run", runId);
            if (await find.ExecuteScalarAsync(cancellationToken) is not long runPk)
            {
                return (MetricSeries?)null;
            }

            await using var bounds = Command(connection, transaction, $"SELECT MIN(step), MAX(step) {Range}", runPk, key, minStep, maxStep);
            long first, last;
            await using (var reader = await bounds.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                if (reader.IsDBNull(0))
                {
                    return new MetricSeries(0, null, null, false, []);
                }

                (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            var series = new MetricSeriesBuilder(first, last, maxPoints);
            await using var scan = Command(connection, transaction, $"SELECT step, timestamp, value {Range} ORDER BY step, timestamp, value", runPk, key, minStep, maxStep);
            await using (var reader = await scan.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    series.Add(new SeriesPoint(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2)));
                }
            }

            return series.Build();
        }, cancellationToken);

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long runPk, string key, long? minStep, long? maxStep)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("@pk", runPk);
        command.Parameters.AddWithValue("@key", key);
        command.Parameters.AddWithValue("@lo", minStep ?? long.MinValue);
        command.Parameters.AddWithValue("@hi", maxStep ?? long.MaxValue);
        return command;
    }
}

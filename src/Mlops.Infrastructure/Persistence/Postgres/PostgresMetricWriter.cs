using Mlops.Domain.Tracking;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Appends a batch of metric points in two statements whatever its size: one multi-row insert of every point
/// (arrays unnested server-side) and one upsert of the latest point per key.
/// </summary>
/// <remarks>
/// Binary COPY is faster still for millions of rows, but it cannot skip duplicates, and a point logged twice must
/// be stored once (ON CONFLICT DO NOTHING). A batch is at most a few thousand points, where one round trip of
/// arrays is within a few percent of COPY.
/// </remarks>
internal static class PostgresMetricWriter
{
    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runPk, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        var count = metrics.Count;
        var keys = new string[count];
        var steps = new long[count];
        var timestamps = new long[count];
        var values = new double[count];
        var nans = new int[count];

        // The latest point per key is computed here so latest_metrics gets one row per key, not per point.
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var metric = metrics[i];
            var isNan = double.IsNaN(metric.Value);
            keys[i] = metric.Key;
            steps[i] = metric.Step;
            timestamps[i] = metric.Timestamp;
            values[i] = isNan ? 0.0 : metric.Value;
            nans[i] = isNan ? 1 : 0;
            if (!latest.TryGetValue(metric.Key, out var best) || IsLater(metric, best))
            {
                latest[metric.Key] = metric;
            }
        }

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO metrics (run_pk, key, step, timestamp, value, is_nan) SELECT @pk, k, s, t, v, n FROM unnest(@keys, @steps, @timestamps, @values, @nans) AS m (k, s, t, v, n) " +
            "ON CONFLICT DO NOTHING", connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<long>("pk", runPk));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
            insert.Parameters.Add(new NpgsqlParameter<long[]>("steps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = steps });
            insert.Parameters.Add(new NpgsqlParameter<long[]>("timestamps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = timestamps });
            insert.Parameters.Add(new NpgsqlParameter<double[]>("values", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = values });
            insert.Parameters.Add(new NpgsqlParameter<int[]>("nans", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = nans });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var points = latest.Values.ToArray();
        await using var upsert = new NpgsqlCommand(
            "INSERT INTO latest_metrics (run_pk, key, step, timestamp, value, is_nan) SELECT @pk, k, s, t, v, n FROM unnest(@keys, @steps, @timestamps, @values, @nans) AS m (k, s, t, v, n) " +
            "ON CONFLICT (run_pk, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan " +
            "WHERE (excluded.step, excluded.timestamp, excluded.value) >= (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)",
            connection, transaction);
        upsert.Parameters.Add(new NpgsqlParameter<long>("pk", runPk));
        upsert.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = points.Select(p => p.Key).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<long[]>("steps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = points.Select(p => p.Step).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<long[]>("timestamps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = points.Select(p => p.Timestamp).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter<double[]>("values", NpgsqlDbType.Array | NpgsqlDbType.Double)
        {
            TypedValue = points.Select(p => double.IsNaN(p.Value) ? 0.0 : p.Value).ToArray(),
        });
        upsert.Parameters.Add(new NpgsqlParameter<int[]>("nans", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = points.Select(p => double.IsNaN(p.Value) ? 1 : 0).ToArray() });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static bool IsLater(Metric candidate, Metric current) =>
        candidate.Step != current.Step ? candidate.Step > current.Step
        : candidate.Timestamp != current.Timestamp ? candidate.Timestamp > current.Timestamp
        : Comparable(candidate.Value) >= Comparable(current.Value);

    private static double Comparable(double value) => double.IsNaN(value) ? 0.0 : value;
}

using System.Globalization;
using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Persistence.Sqlite;

public sealed partial class SqliteTrackingStore
{
    public Task<StorePage<Run>> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(SqliteDialect.Instance, SqlEntityMap.Runs);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForRuns(query.OrderBy, compiler);
        var parameters = compiler.Parameters.Select(p => (p.Key, p.Value)).ToList();
        parameters.Add(("$experiments", "[" + string.Join(",", query.ExperimentIds.Select(id => long.Parse(id, CultureInfo.InvariantCulture))) + "]"));
        parameters.Add(("$limit", query.MaxResults + 1L));
        parameters.Add(("$offset", query.Offset));
        // The window's variant writes a unary + so SQLite does not use the experiment index: its plan then starts from
        // the window's run ids.
        string Scope(string experiment) => $"{experiment} IN (SELECT value FROM json_each($experiments)) AND {ViewTypePredicate("r", query.ViewType)} AND ({where})";
        var runs = database.Read(connection =>
            TopByMetricWindow(connection, query, Scope("+r.experiment_id"), orderBy, parameters)
            ?? ReadRuns(connection, $"WHERE {Scope("r.experiment_id")} ORDER BY {orderBy} LIMIT $limit OFFSET $offset", parameters));
        return Task.FromResult(runs.Count > query.MaxResults
            ? new StorePage<Run>(runs.GetRange(0, query.MaxResults), true)
            : new StorePage<Run>(runs, false));
    }

    public Task<StorePage<Metric>> GetMetricHistoryAsync(string runId, string key, long offset, int maxResults, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var query = new RawStatement(connection,
            "SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m WHERE m.run_pk = (SELECT run_pk FROM runs WHERE run_uuid = ?1) AND m.key = ?2 " +
            "ORDER BY m.step, m.timestamp, m.value LIMIT ?3 OFFSET ?4");
        query.Bind(1, runId);
        query.Bind(2, key);
        query.Bind(3, maxResults + 1L);
        query.Bind(4, offset);
        var points = new List<Metric>(Math.Min(maxResults + 1, 4096));
        while (query.Step())
        {
            points.Add(new Metric(key, query.Int64(3) == 1 ? double.NaN : query.Double(2), query.Int64(1), query.Int64(0)));
        }

        return Task.FromResult(points.Count > maxResults
            ? new StorePage<Metric>(points.GetRange(0, maxResults), true)
            : new StorePage<Metric>(points, false));
    }

    /// <summary>Runs with the metric a search is ordered by, taken from the top of the metric's index, that are looked at first.</summary>
    public const int DefaultMetricWindow = 4_000;

    /// <summary>
    /// A search ordered first by a metric, answered from the first metricWindow runs at the top of that
    /// metric's (key, value) index instead of sorting every match: SQLite's planner cannot walk that index for a
    /// filtered search by itself. The answer is exact, or null (and the caller runs the plain query): the window's
    /// page is used only when it is full and its last run's value is strictly better than the window's boundary,
    /// because every run outside the window then sorts after the page (a lower value, or no value: NULLS LAST).
    /// A selective filter that finds too few runs in the window costs one extra index range read.
    /// </summary>
    private List<Run>? TopByMetricWindow(SqliteConnection connection, RunQuery query, string scope, string orderBy, List<(string, object)> parameters)
    {
        if (query.OrderBy.Count == 0 || query.OrderBy[0] is not { Entity: Domain.Search.EntityKind.Metric } first || query.Offset + query.MaxResults + 1 > metricWindow / 4)
        {
            return null;
        }

        var direction = first.Ascending ? "ASC" : "DESC";
        List<(string, object)> windowed = [.. parameters, ("$window_key", first.Key), ("$window", (long)metricWindow)];
        double? boundary;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT value FROM latest_metrics WHERE key = $window_key AND is_nan = 0 ORDER BY value {direction} LIMIT 1 OFFSET $window - 1";
            command.Parameters.AddWithValue("$window_key", first.Key);
            command.Parameters.AddWithValue("$window", (long)metricWindow);
            boundary = command.ExecuteScalar() is double value ? value : null;
        }

        var page = ReadRuns(connection,
            $"WHERE r.run_pk IN (SELECT run_pk FROM latest_metrics WHERE key = $window_key AND is_nan = 0 ORDER BY value {direction} LIMIT $window) " +
            $"AND {scope} ORDER BY {orderBy} LIMIT $limit OFFSET $offset", windowed);
        // Too few in the window: runs further down the index, or without the metric (they sort last), may belong on the page.
        if (page.Count < query.MaxResults + 1)
        {
            return null;
        }

        if (boundary is null)
        {
            return page;
        }

        var last = page[^1].LatestMetrics.First(m => m.Key == first.Key).Value;
        return (first.Ascending ? last < boundary : last > boundary) ? page : null;
    }

    /// <summary>Reads runs with their data in five queries whatever the page size (no query per run).</summary>
    private static List<Run> ReadRuns(SqliteConnection connection, string tail, IReadOnlyList<(string, object)> parameters)
    {
        var infos = new List<(long Pk, RunInfo Info)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {RunColumns} FROM runs r {tail}";
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                infos.Add(ReadRunInfo(reader));
            }
        }

        if (infos.Count == 0)
        {
            return [];
        }

        var ids = "[" + string.Join(",", infos.Select(i => i.Pk)) + "]";
        var metrics = Group(connection, "SELECT run_pk, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_pk IN (SELECT value FROM json_each(?1)) ORDER BY run_pk, key", ids,
            r => new Metric(r.Text(1), r.Int64(5) == 1 ? double.NaN : r.Double(2), r.Int64(3), r.Int64(4)));
        var parameters2 = Group(connection, "SELECT run_pk, key, value FROM params WHERE run_pk IN (SELECT value FROM json_each(?1)) ORDER BY run_pk, key", ids,
            r => new Param(r.Text(1), r.Text(2)));
        var tags = Group(connection, "SELECT run_pk, key, value FROM tags WHERE run_pk IN (SELECT value FROM json_each(?1)) ORDER BY run_pk, key", ids,
            r => new Tag(r.Text(1), r.Text(2)));
        var inputs = ReadInputs(connection, ids);
        return infos.Select(i => new Run(
            i.Info,
            metrics.GetValueOrDefault(i.Pk) ?? [],
            parameters2.GetValueOrDefault(i.Pk) ?? [],
            tags.GetValueOrDefault(i.Pk) ?? [],
            inputs.GetValueOrDefault(i.Pk) ?? [])).ToList();
    }

    /// <summary>Reads (run_pk, ...) rows ordered by run_pk into one list per run; runs a row per param and metric, so it uses the C API.</summary>
    private static Dictionary<long, List<T>> Group<T>(SqliteConnection connection, string sql, string ids, Func<RawStatement, T> read)
    {
        var result = new Dictionary<long, List<T>>();
        using var reader = new RawStatement(connection, sql);
        reader.Bind(1, ids);
        List<T>? current = null;
        var currentPk = long.MinValue;
        while (reader.Step())
        {
            var pk = reader.Int64(0);
            if (pk != currentPk)
            {
                currentPk = pk;
                result[pk] = current = [];
            }

            current!.Add(read(reader));
        }

        return result;
    }

    private static Dictionary<long, List<DatasetInput>> ReadInputs(SqliteConnection connection, string ids)
    {
        var tags = new Dictionary<(long, long), List<Tag>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT run_pk, dataset_pk, key, value FROM input_tags WHERE run_pk IN (SELECT value FROM json_each($ids)) ORDER BY key";
            command.Parameters.AddWithValue("$ids", ids);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var k = (reader.GetInt64(0), reader.GetInt64(1));
                if (!tags.TryGetValue(k, out var list))
                {
                    tags[k] = list = [];
                }

                list.Add(new Tag(reader.GetString(2), reader.GetString(3)));
            }
        }

        var result = new Dictionary<long, List<DatasetInput>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "SELECT i.run_pk, d.dataset_pk, d.name, d.digest, d.source_type, d.source, d.schema, d.profile FROM inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk " +
                "WHERE i.run_pk IN (SELECT value FROM json_each($ids)) ORDER BY i.run_pk, d.name";
            command.Parameters.AddWithValue("$ids", ids);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var runPk = reader.GetInt64(0);
                var dataset = new Dataset(reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
                if (!result.TryGetValue(runPk, out var list))
                {
                    result[runPk] = list = [];
                }

                list.Add(new DatasetInput(dataset, tags.GetValueOrDefault((runPk, reader.GetInt64(1))) ?? []));
            }
        }

        return result;
    }

    private static (long Pk, RunInfo Info) ReadRunInfo(SqliteDataReader reader) =>
        (reader.GetInt64(0), new RunInfo(
            reader.GetString(1),
            reader.GetInt64(2).ToString(CultureInfo.InvariantCulture),
            reader.GetString(3),
            reader.GetString(4),
            RunStatuses.Parse(reader.GetString(5)),
            reader.GetInt64(6),
            reader.IsDBNull(7) ? null : reader.GetInt64(7),
            reader.GetString(8),
            LifecycleStages.Parse(reader.GetString(9))));
}

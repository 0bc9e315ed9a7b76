using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

public sealed partial class PostgresTrackingStore
{
    public async Task<StorePage<Run>> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(PostgresDialect.Instance, SqlEntityMap.Runs);
        var where = compiler.Compile(query.Filter);
        var scope = $"r.experiment_id = ANY(@experiments) AND {ViewTypePredicate("r", query.ViewType)} AND ({where})";
        var experiments = query.ExperimentIds.Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToArray();
        var limit = query.MaxResults + 1;
        List<Run> runs;
        if (query.OrderBy is [{ Entity: EntityKind.Metric } first, ..])
        {
            var key = compiler.Bind(first.Key);
            var rest = SqlOrderBy.ForRuns([.. query.OrderBy.Skip(1)], compiler);
            var ordered = new MetricOrderedSearch(scope, key, first.Ascending ? "ASC" : "DESC", rest, Parameters(compiler, experiments));
            runs = await database.ReadAsync((c, t) => ordered.ReadAsync(c, t, limit, query.Offset, cancellationToken), cancellationToken);
        }
        else
        {
            var orderBy = SqlOrderBy.ForRuns(query.OrderBy, compiler);
            var parameters = Parameters(compiler, experiments);
            parameters.Add(("@limit", (long)limit));
            parameters.Add(("@offset", query.Offset));
            runs = await database.ReadAsync((c, t) => ReadRunsAsync(c, t, $"WHERE {scope} ORDER BY {orderBy} LIMIT @limit OFFSET @offset", parameters, cancellationToken),
                cancellationToken);
        }

        return runs.Count > query.MaxResults
            ? new StorePage<Run>(runs.GetRange(0, query.MaxResults), true)
            : new StorePage<Run>(runs, false);
    }

    private static List<(string, object?)> Parameters(SqlFilterCompiler compiler, long[] experiments)
    {
        var parameters = compiler.Parameters.Select(p => (p.Key, (object?)p.Value)).ToList();
        parameters.Add(("@experiments", experiments));
        return parameters;
    }

    /// <summary>
    /// A search ordered first by a metric, as two index-friendly queries instead of one sort over every match.
    /// The order is the shared one (metric, runs without it last, then the other terms and the tie-break), but the
    /// runs that have the metric are read by walking the (key, value) index in metric order, joined to their run
    /// and filtered on the way, so a top-100 stops after about 100 matches instead of sorting all of them. Runs
    /// without the metric sort after every run with it, so they are only read when the page reaches past those.
    /// </summary>
    private sealed record MetricOrderedSearch(string Scope, string KeyParameter, string Direction, string Rest, List<(string, object?)> Parameters)
    {
        private string WithMetric => $"JOIN latest_metrics o ON o.run_pk = r.run_pk AND o.key = {KeyParameter} AND o.is_nan = 0 WHERE {Scope}";

        public async Task<List<Run>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int limit, long offset, CancellationToken cancellationToken)
        {
            var page = await ReadRunsAsync(connection, transaction, $"{WithMetric} ORDER BY o.value {Direction}, {Rest} LIMIT @limit OFFSET @offset",
                [.. Parameters, ("@limit", (long)limit), ("@offset", offset)], cancellationToken);
            if (page.Count == limit)
            {
                return page;
            }

            // The page ends among the runs without the metric. How many of them to skip depends on how many runs
            // have it, which is known without counting unless the offset went past all of them.
            var skip = 0L;
            if (page.Count == 0 && offset > 0)
            {
                var withMetric = (long)(await ScalarAsync(connection, transaction, $"SELECT COUNT(*) FROM runs r {WithMetric}", cancellationToken, [.. Parameters]))!;
                skip = offset - withMetric;
            }

            var without = await ReadRunsAsync(connection, transaction,
                $"WHERE {Scope} AND NOT EXISTS (SELECT 1 FROM latest_metrics o WHERE o.run_pk = r.run_pk AND o.key = {KeyParameter} AND o.is_nan = 0) " +
                $"ORDER BY {Rest} LIMIT @limit OFFSET @offset",
                [.. Parameters, ("@limit", (long)(limit - page.Count)), ("@offset", skip)], cancellationToken);
            page.AddRange(without);
            return page;
        }
    }

    public async Task<StorePage<Metric>> GetMetricHistoryAsync(string runId, string key, long offset, int maxResults, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var points = await QueryAsync(connection, null,
            "SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m WHERE m.run_pk = (SELECT run_pk FROM runs WHERE run_uuid = @id) AND m.key = @key " +
            "ORDER BY m.step, m.timestamp, m.value LIMIT @limit OFFSET @offset",
            [("@id", runId), ("@key", key), ("@limit", maxResults + 1L), ("@offset", offset)],
            r => new Metric(key, r.GetInt32(3) == 1 ? double.NaN : r.GetDouble(2), r.GetInt64(1), r.GetInt64(0)), cancellationToken);
        return points.Count > maxResults
            ? new StorePage<Metric>(points.GetRange(0, maxResults), true)
            : new StorePage<Metric>(points, false);
    }

    /// <summary>Reads runs with their data in six queries whatever the page size (no query per run).</summary>
    private static async Task<List<Run>> ReadRunsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail, IReadOnlyList<(string, object?)> parameters,
        CancellationToken cancellationToken)
    {
        var infos = await QueryAsync(connection, transaction, $"SELECT {RunColumns} FROM runs r {tail}", parameters, ReadRunInfo, cancellationToken);
        if (infos.Count == 0)
        {
            return [];
        }

        (string, object?)[] ids = [("@ids", infos.Select(i => i.Pk).ToArray())];
        var metrics = await GroupAsync(connection, transaction, "SELECT run_pk, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_pk = ANY(@ids) ORDER BY run_pk, key", ids,
            r => new Metric(r.GetString(1), r.GetInt32(5) == 1 ? double.NaN : r.GetDouble(2), r.GetInt64(3), r.GetInt64(4)), cancellationToken);
        var runParams = await GroupAsync(connection, transaction, "SELECT run_pk, key, value FROM params WHERE run_pk = ANY(@ids) ORDER BY run_pk, key", ids,
            r => new Param(r.GetString(1), r.GetString(2)), cancellationToken);
        var tags = await GroupAsync(connection, transaction, "SELECT run_pk, key, value FROM tags WHERE run_pk = ANY(@ids) ORDER BY run_pk, key", ids,
            r => new Tag(r.GetString(1), r.GetString(2)), cancellationToken);
        var inputs = await ReadInputsAsync(connection, transaction, ids, cancellationToken);
        return infos.Select(i => new Run(
            i.Info,
            metrics.GetValueOrDefault(i.Pk) ?? [],
            runParams.GetValueOrDefault(i.Pk) ?? [],
            tags.GetValueOrDefault(i.Pk) ?? [],
            inputs.GetValueOrDefault(i.Pk) ?? [])).ToList();
    }

    private static async Task<Dictionary<long, List<DatasetInput>>> ReadInputsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, (string, object?)[] ids,
        CancellationToken cancellationToken)
    {
        var tagRows = await QueryAsync(connection, transaction, "SELECT run_pk, dataset_pk, key, value FROM input_tags WHERE run_pk = ANY(@ids) ORDER BY key", ids,
            r => (Owner: (r.GetInt64(0), r.GetInt64(1)), Tag: new Tag(r.GetString(2), r.GetString(3))), cancellationToken);
        var tags = tagRows.GroupBy(t => t.Owner).ToDictionary(g => g.Key, g => g.Select(t => t.Tag).ToList());
        return await GroupAsync(connection, transaction,
            "SELECT i.run_pk, d.dataset_pk, d.name, d.digest, d.source_type, d.source, d.schema, d.profile FROM inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk " +
            "WHERE i.run_pk = ANY(@ids) ORDER BY i.run_pk, d.name", ids,
            r => new DatasetInput(
                new Dataset(r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.NullableString(6), r.NullableString(7)),
                tags.GetValueOrDefault((r.GetInt64(0), r.GetInt64(1))) ?? []), cancellationToken);
    }

    private static (long Pk, RunInfo Info) ReadRunInfo(NpgsqlDataReader reader) =>
        (reader.GetInt64(0), new RunInfo(
            reader.GetString(1),
            reader.GetInt64(2).ToString(CultureInfo.InvariantCulture),
            reader.GetString(3),
            reader.GetString(4),
            RunStatuses.Parse(reader.GetString(5)),
            reader.GetInt64(6),
            reader.NullableInt64(7),
            reader.GetString(8),
            LifecycleStages.Parse(reader.GetString(9))));
}

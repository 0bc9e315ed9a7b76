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
            var search = new MetricOrderedRunSearch(scope, key, first.Ascending ? "ASC" : "DESC", rest);
            var parameters = Parameters(compiler, experiments);
            runs = await database.ReadAsync((c, t) => search.ReadAsync(limit, query.Offset, "@limit", "@offset",
                (tail, pageLimit, pageOffset) => ReadRunsAsync(c, t, tail, [.. parameters, ("@limit", pageLimit), ("@offset", pageOffset)], cancellationToken),
                async sql => (long)(await ScalarAsync(c, t, sql, cancellationToken, [.. parameters]))!), cancellationToken);
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

    private static List<(string, object?)> Parameters(SqlFilterCompiler compiler, long[] experiments)
    {
        var parameters = compiler.Parameters.Select(p => (p.Key, (object?)p.Value)).ToList();
        parameters.Add(("@experiments", experiments));
        return parameters;
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

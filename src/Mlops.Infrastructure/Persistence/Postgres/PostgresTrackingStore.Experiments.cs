using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>The scale-out tracking store: the same schema and search SQL as SQLite, on a shared PostgreSQL database.</summary>
public sealed partial class PostgresTrackingStore(PostgresDatabase database) : ITrackingStore
{
    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            long id;
            try
            {
                id = (long)(await ScalarAsync(connection, transaction,
                    "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (@name, @location, 'active', @now, @now) RETURNING experiment_id",
                    cancellationToken, ("@name", name), ("@location", artifactLocation ?? ""), ("@now", now)))!;
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"Experiment(name={name}) already exists.");
            }

            var experimentId = id.ToString(CultureInfo.InvariantCulture);
            if (artifactLocation is null)
            {
                await ExecuteAsync(connection, transaction, "UPDATE experiments SET artifact_location = @location WHERE experiment_id = @id", cancellationToken,
                    ("@location", Domain.Artifacts.ArtifactUri.ForExperiment(experimentId)), ("@id", id));
            }

            await UpsertExperimentTagsAsync(connection, transaction, id, tags, cancellationToken);
            return experimentId;
        }, cancellationToken);

    public async Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        if (!TryParseId(experimentId, out var id))
        {
            return null;
        }

        return (await database.ReadAsync((c, t) => ReadExperimentsAsync(c, t, "WHERE e.experiment_id = @id", [("@id", id)], cancellationToken), cancellationToken)).FirstOrDefault();
    }

    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadExperimentsAsync(c, t, "WHERE e.name = @name", [("@name", name)], cancellationToken), cancellationToken)).FirstOrDefault();

    public Task RenameExperimentAsync(string experimentId, string newName, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var id = ParseId(experimentId);
            try
            {
                RequireChanged(await ExecuteAsync(connection, transaction, "UPDATE experiments SET name = @name, last_update_time = @now WHERE experiment_id = @id",
                    cancellationToken, ("@name", newName), ("@now", now), ("@id", id)), experimentId);
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"Experiment(name={newName}) already exists.");
            }
        }, cancellationToken);

    public Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var id = ParseId(experimentId);
            var wire = stage.ToWire();
            RequireChanged(await ExecuteAsync(connection, transaction, "UPDATE experiments SET lifecycle_stage = @stage, last_update_time = @now WHERE experiment_id = @id",
                cancellationToken, ("@stage", wire), ("@now", now), ("@id", id)), experimentId);
            await ExecuteAsync(connection, transaction, "UPDATE runs SET lifecycle_stage = @stage, deleted_time = @deleted WHERE experiment_id = @id",
                cancellationToken, ("@stage", wire), ("@deleted", stage == LifecycleStage.Deleted ? now : null), ("@id", id));
        }, cancellationToken);

    public Task SetExperimentTagAsync(string experimentId, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var id = ParseId(experimentId);
            RequireChanged(await ExecuteAsync(connection, transaction, "UPDATE experiments SET last_update_time = @now WHERE experiment_id = @id",
                cancellationToken, ("@now", now), ("@id", id)), experimentId);
            await UpsertExperimentTagsAsync(connection, transaction, id, [tag], cancellationToken);
        }, cancellationToken);

    public async Task<StorePage<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(PostgresDialect.Instance, SqlEntityMap.Experiments);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForExperiments(query.OrderBy, compiler);
        var parameters = compiler.Parameters.Select(p => (p.Key, (object?)p.Value)).ToList();
        parameters.Add(("@limit", query.MaxResults + 1L));
        parameters.Add(("@offset", query.Offset));
        var rows = await database.ReadAsync((c, t) => ReadExperimentsAsync(c, t,
            $"WHERE {ViewTypePredicate("e", query.ViewType)} AND ({where}) ORDER BY {orderBy} LIMIT @limit OFFSET @offset", parameters, cancellationToken), cancellationToken);
        return rows.Count > query.MaxResults
            ? new StorePage<Experiment>(rows.GetRange(0, query.MaxResults), true)
            : new StorePage<Experiment>(rows, false);
    }

    private static async Task<List<Experiment>> ReadExperimentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail,
        IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction,
            $"SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time FROM experiments e {tail}", parameters,
            r => new Experiment(
                r.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                r.GetString(1),
                r.GetString(2),
                LifecycleStages.Parse(r.GetString(3)),
                r.GetInt64(4),
                r.GetInt64(5),
                []), cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => long.Parse(r.ExperimentId, CultureInfo.InvariantCulture)).ToArray();
        var tags = await GroupAsync(connection, transaction, "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY(@ids) ORDER BY experiment_id, key",
            [("@ids", ids)], r => new Tag(r.GetString(1), r.GetString(2)), cancellationToken);
        return rows.Select((r, i) => tags.TryGetValue(ids[i], out var list) ? r with { Tags = list } : r).ToList();
    }

    private static async Task UpsertExperimentTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long experimentId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var last = LastPerKey(tags);
        if (last.Count == 0)
        {
            return;
        }

        await ExecuteAsync(connection, transaction,
            "INSERT INTO experiment_tags (experiment_id, key, value) SELECT @id, k, v FROM unnest(@keys, @values) AS t (k, v) " +
            "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("@id", experimentId), ("@keys", last.Keys.ToArray()), ("@values", last.Values.ToArray()));
    }

    /// <summary>
    /// The last value of each key, in first-seen key order. One upsert statement may not touch a row twice, and
    /// a batch that sets a key twice means its last value, as the row-by-row SQLite store ends up with.
    /// </summary>
    private static Dictionary<string, string> LastPerKey(IReadOnlyList<Tag> tags)
    {
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            last[tag.Key] = tag.Value;
        }

        return last;
    }

    private static string ViewTypePredicate(string alias, ViewType viewType) => viewType switch
    {
        ViewType.ActiveOnly => $"{alias}.lifecycle_stage = 'active'",
        ViewType.DeletedOnly => $"{alias}.lifecycle_stage = 'deleted'",
        _ => "1 = 1",
    };

    private static bool TryParseId(string experimentId, out long id) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static long ParseId(string experimentId) =>
        TryParseId(experimentId, out var id) ? id : throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");

    private static void RequireChanged(int rows, string experimentId)
    {
        if (rows == 0)
        {
            throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");
        }
    }
}

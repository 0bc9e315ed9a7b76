using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>The embedded tracking store: one SQLite file in WAL mode.</summary>
/// <param name="metricWindow">How many runs a search ordered by a metric looks at first (see TopByMetricWindow); tests make it small.</param>
public sealed partial class SqliteTrackingStore(SqliteDatabase database, int metricWindow = SqliteTrackingStore.DefaultMetricWindow) : ITrackingStore
{
    private const int SqliteConstraint = 19;

    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            long id;
            try
            {
                id = (long)Scalar(connection, transaction,
                    "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ($name, $location, 'active', $now, $now) RETURNING experiment_id",
                    ("$name", name), ("$location", artifactLocation ?? ""), ("$now", now))!;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                throw MlopsException.AlreadyExists($"Experiment(name={name}) already exists.");
            }

            var experimentId = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (artifactLocation is null)
            {
                Execute(connection, transaction, "UPDATE experiments SET artifact_location = $location WHERE experiment_id = $id",
                    ("$location", Domain.Artifacts.ArtifactUri.ForExperiment(experimentId)), ("$id", id));
            }

            foreach (var tag in tags)
            {
                UpsertExperimentTag(connection, transaction, id, tag);
            }

            return experimentId;
        }, cancellationToken);

    public Task<Experiment?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken)
    {
        if (!TryParseId(experimentId, out var id))
        {
            return Task.FromResult<Experiment?>(null);
        }

        return Task.FromResult(database.Read(connection => ReadExperiments(connection, "WHERE e.experiment_id = $id", [("$id", id)]).FirstOrDefault()));
    }

    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken)
    {
        return Task.FromResult(database.Read(connection => ReadExperiments(connection, "WHERE e.name = $name", [("$name", name)]).FirstOrDefault()));
    }

    public Task RenameExperimentAsync(string experimentId, string newName, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            try
            {
                RequireChanged(Execute(connection, transaction, "UPDATE experiments SET name = $name, last_update_time = $now WHERE experiment_id = $id",
                    ("$name", newName), ("$now", now), ("$id", ParseId(experimentId))), experimentId);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                throw MlopsException.AlreadyExists($"Experiment(name={newName}) already exists.");
            }
        }, cancellationToken);

    public Task SetExperimentLifecycleAsync(string experimentId, LifecycleStage stage, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var id = ParseId(experimentId);
            var wire = stage.ToWire();
            RequireChanged(Execute(connection, transaction, "UPDATE experiments SET lifecycle_stage = $stage, last_update_time = $now WHERE experiment_id = $id",
                ("$stage", wire), ("$now", now), ("$id", id)), experimentId);
            Execute(connection, transaction, "UPDATE runs SET lifecycle_stage = $stage, deleted_time = $deleted WHERE experiment_id = $id",
                ("$stage", wire), ("$deleted", stage == LifecycleStage.Deleted ? now : DBNull.Value), ("$id", id));
        }, cancellationToken);

    public Task SetExperimentTagAsync(string experimentId, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var id = ParseId(experimentId);
            RequireChanged(Execute(connection, transaction, "UPDATE experiments SET last_update_time = $now WHERE experiment_id = $id", ("$now", now), ("$id", id)), experimentId);
            UpsertExperimentTag(connection, transaction, id, tag);
        }, cancellationToken);

    public Task<StorePage<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(SqliteDialect.Instance, SqlEntityMap.Experiments);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForExperiments(query.OrderBy, compiler);
        var parameters = compiler.Parameters.Select(p => (p.Key, p.Value)).ToList();
        parameters.Add(("$limit", query.MaxResults + 1L));
        parameters.Add(("$offset", query.Offset));
        var rows = database.Read(connection => ReadExperiments(connection, $"WHERE {ViewTypePredicate("e", query.ViewType)} AND ({where}) ORDER BY {orderBy} LIMIT $limit OFFSET $offset", parameters));
        return Task.FromResult(rows.Count > query.MaxResults
            ? new StorePage<Experiment>(rows.GetRange(0, query.MaxResults), true)
            : new StorePage<Experiment>(rows, false));
    }

    private static List<Experiment> ReadExperiments(SqliteConnection connection, string tail, IReadOnlyList<(string, object)> parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time FROM experiments e {tail}";
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<(long Id, Experiment Experiment)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                rows.Add((id, new Experiment(
                    id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    reader.GetString(1),
                    reader.GetString(2),
                    LifecycleStages.Parse(reader.GetString(3)),
                    reader.GetInt64(4),
                    reader.GetInt64(5),
                    [])));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        var tags = new Dictionary<long, List<Tag>>();
        using (var tagCommand = connection.CreateCommand())
        {
            tagCommand.CommandText = "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (SELECT value FROM json_each($ids)) ORDER BY experiment_id, key";
            tagCommand.Parameters.AddWithValue("$ids", "[" + string.Join(",", rows.Select(r => r.Id)) + "]");
            using var reader = tagCommand.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!tags.TryGetValue(id, out var list))
                {
                    tags[id] = list = [];
                }

                list.Add(new Tag(reader.GetString(1), reader.GetString(2)));
            }
        }

        return rows.Select(r => tags.TryGetValue(r.Id, out var list) ? r.Experiment with { Tags = list } : r.Experiment).ToList();
    }

    private static void UpsertExperimentTag(SqliteConnection connection, SqliteTransaction transaction, long experimentId, Tag tag) =>
        Execute(connection, transaction,
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($id, $key, $value) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            ("$id", experimentId), ("$key", tag.Key), ("$value", tag.Value));

    private static string ViewTypePredicate(string alias, ViewType viewType) => viewType switch
    {
        ViewType.ActiveOnly => $"{alias}.lifecycle_stage = 'active'",
        ViewType.DeletedOnly => $"{alias}.lifecycle_stage = 'deleted'",
        _ => "1 = 1",
    };

    private static bool TryParseId(string experimentId, out long id) =>
        long.TryParse(experimentId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);

    private static long ParseId(string experimentId) =>
        TryParseId(experimentId, out var id) ? id : throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");

    private static void RequireChanged(int rows, string experimentId)
    {
        if (rows == 0)
        {
            throw MlopsException.NotFound($"No Experiment with id={experimentId} exists");
        }
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters) =>
        SqliteCommands.Execute(connection, transaction, sql, parameters);

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters) =>
        SqliteCommands.Scalar(connection, transaction, sql, parameters);
}

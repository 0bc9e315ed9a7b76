using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Persistence.Sqlite;

public sealed partial class SqliteModelRegistryStore
{
    public Task<StorePage<RegisteredModel>> SearchModelsAsync(RegistryQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(SqliteDialect.Instance, SqlEntityMap.RegisteredModels);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForTagged(SqlEntityMap.RegisteredModels, query.OrderBy, compiler, "m.name ASC");
        var parameters = compiler.Parameters.Select(p => (p.Key, p.Value)).ToList();
        parameters.Add(("$limit", query.MaxResults + 1L));
        parameters.Add(("$offset", query.Offset));
        var models = database.Read(connection => ReadModels(connection, $"WHERE ({where}) ORDER BY {orderBy} LIMIT $limit OFFSET $offset", parameters));
        return Task.FromResult(models.Count > query.MaxResults
            ? new StorePage<RegisteredModel>(models.GetRange(0, query.MaxResults), true)
            : new StorePage<RegisteredModel>(models, false));
    }

    public Task<StorePage<ModelVersion>> SearchVersionsAsync(RegistryQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(SqliteDialect.Instance, SqlEntityMap.ModelVersions);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForTagged(SqlEntityMap.ModelVersions, query.OrderBy, compiler, "m.name ASC, v.version DESC");
        var parameters = compiler.Parameters.Select(p => (p.Key, p.Value)).ToList();
        parameters.Add(("$limit", query.MaxResults + 1L));
        parameters.Add(("$offset", query.Offset));
        var versions = database.Read(connection => ReadVersions(connection, $"WHERE ({where}) ORDER BY {orderBy} LIMIT $limit OFFSET $offset", parameters));
        return Task.FromResult(versions.Count > query.MaxResults
            ? new StorePage<ModelVersion>(versions.GetRange(0, query.MaxResults), true)
            : new StorePage<ModelVersion>(versions, false));
    }

    private static List<RegisteredModel> ReadModels(SqliteConnection connection, string tail, IReadOnlyList<(string, object)> parameters)
    {
        var rows = new List<(long Pk, string Name, long Created, long Updated, string Description)>();
        using (var command = Create(connection, null, $"SELECT m.model_pk, m.name, m.creation_time, m.last_updated_time, m.description FROM registered_models m {tail}", parameters))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        var ids = "[" + string.Join(",", rows.Select(r => r.Pk)) + "]";
        var tags = ReadPairs(connection, "SELECT model_pk, key, value FROM registered_model_tags WHERE model_pk IN (SELECT value FROM json_each($ids)) ORDER BY model_pk, key", ids);
        var aliases = new Dictionary<long, List<ModelAlias>>();
        using (var command = Create(connection, null,
            "SELECT a.model_pk, a.alias, v.version FROM registered_model_aliases a JOIN model_versions v ON v.mv_pk = a.mv_pk WHERE a.model_pk IN (SELECT value FROM json_each($ids)) ORDER BY a.model_pk, a.alias",
            [("$ids", ids)]))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                Add(aliases, reader.GetInt64(0), new ModelAlias(reader.GetString(1), reader.GetInt64(2)));
            }
        }

        return rows.Select(r => new RegisteredModel(
            r.Name, r.Created, r.Updated, r.Description,
            tags.GetValueOrDefault(r.Pk) ?? [],
            aliases.GetValueOrDefault(r.Pk) ?? [],
            LatestVersions(connection, r.Name, []))).ToList();
    }

    private static List<ModelVersion> ReadVersions(SqliteConnection connection, string tail, IReadOnlyList<(string, object)> parameters)
    {
        var rows = new List<(long Pk, ModelVersion Version)>();
        using (var command = Create(connection, null, $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_pk = v.model_pk {tail}", parameters))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), new ModelVersion(
                    reader.GetString(1),
                    reader.GetInt64(2),
                    reader.GetInt64(3),
                    reader.GetInt64(4),
                    reader.GetString(5),
                    reader.GetString(6),
                    ModelStages.Parse(reader.GetString(7)),
                    reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    reader.GetString(11),
                    [],
                    [])));
            }
        }

        if (rows.Count == 0)
        {
            return [];
        }

        var ids = "[" + string.Join(",", rows.Select(r => r.Pk)) + "]";
        var tags = ReadPairs(connection, "SELECT mv_pk, key, value FROM model_version_tags WHERE mv_pk IN (SELECT value FROM json_each($ids)) ORDER BY mv_pk, key", ids);
        var aliases = new Dictionary<long, List<string>>();
        using (var command = Create(connection, null, "SELECT mv_pk, alias FROM registered_model_aliases WHERE mv_pk IN (SELECT value FROM json_each($ids)) ORDER BY alias", [("$ids", ids)]))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                Add(aliases, reader.GetInt64(0), reader.GetString(1));
            }
        }

        return rows.Select(r => r.Version with
        {
            Tags = tags.GetValueOrDefault(r.Pk) ?? [],
            Aliases = aliases.GetValueOrDefault(r.Pk) ?? [],
        }).ToList();
    }

    private static List<ModelVersion> LatestVersions(SqliteConnection connection, string name, IReadOnlyList<ModelStage> stages)
    {
        var wanted = stages.Count == 0 ? Enum.GetValues<ModelStage>() : stages.Distinct().ToArray();
        var stageList = System.Text.Json.JsonSerializer.Serialize(wanted.Select(s => s.ToWire()).ToArray(), SqliteJson.Default.StringArray);
        return ReadVersions(connection,
            "WHERE m.name = $n AND v.current_stage IN (SELECT value FROM json_each($stages)) " +
            "AND v.version = (SELECT MAX(v2.version) FROM model_versions v2 WHERE v2.model_pk = v.model_pk AND v2.current_stage = v.current_stage) ORDER BY v.version",
            [("$n", name), ("$stages", stageList)]);
    }

    private static Dictionary<long, List<Tag>> ReadPairs(SqliteConnection connection, string sql, string ids)
    {
        var result = new Dictionary<long, List<Tag>>();
        using var command = Create(connection, null, sql, [("$ids", ids)]);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Add(result, reader.GetInt64(0), new Tag(reader.GetString(1), reader.GetString(2)));
        }

        return result;
    }

    private static void Add<T>(Dictionary<long, List<T>> groups, long key, T item)
    {
        if (!groups.TryGetValue(key, out var list))
        {
            groups[key] = list = [];
        }

        list.Add(item);
    }
}

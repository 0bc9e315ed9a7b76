using Mlops.Application.Ports;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

public sealed partial class PostgresModelRegistryStore
{
    public async Task<StorePage<RegisteredModel>> SearchModelsAsync(RegistryQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(PostgresDialect.Instance, SqlEntityMap.RegisteredModels);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForTagged(SqlEntityMap.RegisteredModels, query.OrderBy, compiler, "m.name ASC");
        var parameters = Page(compiler, query);
        var models = await database.ReadAsync((c, t) => ReadModelsAsync(c, t, $"WHERE ({where}) ORDER BY {orderBy} LIMIT @limit OFFSET @offset", parameters, cancellationToken),
            cancellationToken);
        return models.Count > query.MaxResults
            ? new StorePage<RegisteredModel>(models.GetRange(0, query.MaxResults), true)
            : new StorePage<RegisteredModel>(models, false);
    }

    public async Task<StorePage<ModelVersion>> SearchVersionsAsync(RegistryQuery query, CancellationToken cancellationToken)
    {
        var compiler = new SqlFilterCompiler(PostgresDialect.Instance, SqlEntityMap.ModelVersions);
        var where = compiler.Compile(query.Filter);
        var orderBy = SqlOrderBy.ForTagged(SqlEntityMap.ModelVersions, query.OrderBy, compiler, "m.name ASC, v.version DESC");
        var parameters = Page(compiler, query);
        var versions = await database.ReadAsync((c, t) => ReadVersionsAsync(c, t, $"WHERE ({where}) ORDER BY {orderBy} LIMIT @limit OFFSET @offset", parameters, cancellationToken),
            cancellationToken);
        return versions.Count > query.MaxResults
            ? new StorePage<ModelVersion>(versions.GetRange(0, query.MaxResults), true)
            : new StorePage<ModelVersion>(versions, false);
    }

    private static List<(string, object?)> Page(SqlFilterCompiler compiler, RegistryQuery query)
    {
        var parameters = compiler.Parameters.Select(p => (p.Key, (object?)p.Value)).ToList();
        parameters.Add(("@limit", query.MaxResults + 1L));
        parameters.Add(("@offset", query.Offset));
        return parameters;
    }

    private static async Task<List<RegisteredModel>> ReadModelsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail, IReadOnlyList<(string, object?)> parameters,
        CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction, $"SELECT m.model_pk, m.name, m.creation_time, m.last_updated_time, m.description FROM registered_models m {tail}", parameters,
            r => (Pk: r.GetInt64(0), Name: r.GetString(1), Created: r.GetInt64(2), Updated: r.GetInt64(3), Description: r.GetString(4)), cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        (string, object?)[] ids = [("@ids", rows.Select(r => r.Pk).ToArray())];
        var tags = await GroupAsync(connection, transaction, "SELECT model_pk, key, value FROM registered_model_tags WHERE model_pk = ANY(@ids) ORDER BY model_pk, key", ids,
            r => new Tag(r.GetString(1), r.GetString(2)), cancellationToken);
        var aliases = await GroupAsync(connection, transaction,
            "SELECT a.model_pk, a.alias, v.version FROM registered_model_aliases a JOIN model_versions v ON v.mv_pk = a.mv_pk WHERE a.model_pk = ANY(@ids) ORDER BY a.model_pk, a.alias", ids,
            r => new ModelAlias(r.GetString(1), r.GetInt64(2)), cancellationToken);
        var models = new List<RegisteredModel>(rows.Count);
        foreach (var r in rows)
        {
            models.Add(new RegisteredModel(r.Name, r.Created, r.Updated, r.Description,
                tags.GetValueOrDefault(r.Pk) ?? [],
                aliases.GetValueOrDefault(r.Pk) ?? [],
                await LatestVersionsAsync(connection, transaction, r.Name, [], cancellationToken)));
        }

        return models;
    }

    private static async Task<List<ModelVersion>> ReadVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail, IReadOnlyList<(string, object?)> parameters,
        CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction, $"SELECT {VersionColumns} FROM model_versions v JOIN registered_models m ON m.model_pk = v.model_pk {tail}", parameters,
            r => (Pk: r.GetInt64(0), Version: new ModelVersion(
                r.GetString(1),
                r.GetInt64(2),
                r.GetInt64(3),
                r.GetInt64(4),
                r.GetString(5),
                r.GetString(6),
                ModelStages.Parse(r.GetString(7)),
                r.GetString(8),
                r.NullableString(9),
                r.NullableString(10),
                r.GetString(11),
                [],
                [])), cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        (string, object?)[] ids = [("@ids", rows.Select(r => r.Pk).ToArray())];
        var tags = await GroupAsync(connection, transaction, "SELECT mv_pk, key, value FROM model_version_tags WHERE mv_pk = ANY(@ids) ORDER BY mv_pk, key", ids,
            r => new Tag(r.GetString(1), r.GetString(2)), cancellationToken);
        var aliases = await GroupAsync(connection, transaction, "SELECT mv_pk, alias FROM registered_model_aliases WHERE mv_pk = ANY(@ids) ORDER BY mv_pk, alias", ids,
            r => r.GetString(1), cancellationToken);
        return rows.Select(r => r.Version with
        {
            Tags = tags.GetValueOrDefault(r.Pk) ?? [],
            Aliases = aliases.GetValueOrDefault(r.Pk) ?? [],
        }).ToList();
    }

    private static Task<List<ModelVersion>> LatestVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, IReadOnlyList<ModelStage> stages,
        CancellationToken cancellationToken)
    {
        var wanted = stages.Count == 0 ? Enum.GetValues<ModelStage>() : stages.Distinct().ToArray();
        return ReadVersionsAsync(connection, transaction,
            "WHERE m.name = @n AND v.current_stage = ANY(@stages) " +
            "AND v.version = (SELECT MAX(v2.version) FROM model_versions v2 WHERE v2.model_pk = v.model_pk AND v2.current_stage = v.current_stage) ORDER BY v.version",
            [("@n", name), ("@stages", wanted.Select(s => s.ToWire()).ToArray())], cancellationToken);
    }
}

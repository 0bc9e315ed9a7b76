using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>The model registry on the shared PostgreSQL database, in the same schema as the SQLite one.</summary>
public sealed partial class PostgresModelRegistryStore(PostgresDatabase database) : IModelRegistryStore
{
    private const string VersionColumns =
        "v.mv_pk, m.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source, v.run_id, v.run_link, v.status";

    public async Task<RegisteredModel> CreateModelAsync(string name, string description, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            long modelPk;
            try
            {
                modelPk = (long)(await ScalarAsync(connection, transaction,
                    "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (@n, @t, @t, @d) RETURNING model_pk",
                    cancellationToken, ("@n", name), ("@t", now), ("@d", description)))!;
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"Registered Model (name={name}) already exists.");
            }

            foreach (var tag in tags)
            {
                await UpsertTagAsync(connection, transaction, "registered_model_tags", "model_pk", modelPk, tag, cancellationToken);
            }
        }, cancellationToken);
        return (await GetModelAsync(name, cancellationToken))!;
    }

    public async Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadModelsAsync(c, t, "WHERE m.name = @n", [("@n", name)], cancellationToken), cancellationToken)).FirstOrDefault();

    public async Task<RegisteredModel> RenameModelAsync(string name, string newName, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            await RequireModelAsync(connection, transaction, name, cancellationToken);
            try
            {
                await ExecuteAsync(connection, transaction, "UPDATE registered_models SET name = @new, last_updated_time = @t WHERE name = @n",
                    cancellationToken, ("@new", newName), ("@t", now), ("@n", name));
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"Registered Model (name={newName}) already exists.");
            }
        }, cancellationToken);
        return (await GetModelAsync(newName, cancellationToken))!;
    }

    public async Task<RegisteredModel> UpdateModelAsync(string name, string description, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET description = @d, last_updated_time = @t WHERE model_pk = @m",
                cancellationToken, ("@d", description), ("@t", now), ("@m", modelPk));
        }, cancellationToken);
        return (await GetModelAsync(name, cancellationToken))!;
    }

    public Task DeleteModelAsync(string name, long now, string detail, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);
            var versions = (long)(await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM model_versions WHERE model_pk = @m", cancellationToken, ("@m", modelPk)))!;
            await ExecuteAsync(connection, transaction, "DELETE FROM registered_models WHERE model_pk = @m", cancellationToken, ("@m", modelPk));
            await AuditAsync(connection, transaction, now, "delete_model", name, null, $"{detail} ({versions} version(s) deleted with it)".Trim(), cancellationToken);
        }, cancellationToken);

    public Task SetModelTagAsync(string name, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);
            await UpsertTagAsync(connection, transaction, "registered_model_tags", "model_pk", modelPk, tag, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @t WHERE model_pk = @m", cancellationToken, ("@t", now), ("@m", modelPk));
        }, cancellationToken);

    public Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);
            if (await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_tags WHERE model_pk = @m AND key = @k", cancellationToken, ("@m", modelPk), ("@k", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with key '{key}' on registered model {name}.");
            }
        }, cancellationToken);

    public async Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId, string? runLink, string description, string userId, IReadOnlyList<Tag> tags, long now,
        CancellationToken cancellationToken)
    {
        var version = await database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);

            // The UPDATE locks the model row until commit: concurrent registrations take numbers one after another.
            var next = (long)(await ScalarAsync(connection, transaction,
                "UPDATE registered_models SET next_version = next_version + 1, last_updated_time = @t WHERE model_pk = @m RETURNING next_version - 1",
                cancellationToken, ("@t", now), ("@m", modelPk)))!;
            var mvPk = (long)(await ScalarAsync(connection, transaction,
                "INSERT INTO model_versions (model_pk, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, run_link, status) " +
                "VALUES (@m, @v, @t, @t, @d, @u, 'None', @s, @r, @l, 'READY') RETURNING mv_pk",
                cancellationToken, ("@m", modelPk), ("@v", next), ("@t", now), ("@d", description), ("@u", userId), ("@s", source), ("@r", runId), ("@l", runLink)))!;
            foreach (var tag in tags)
            {
                await UpsertTagAsync(connection, transaction, "model_version_tags", "mv_pk", mvPk, tag, cancellationToken);
            }

            return next;
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public async Task<ModelVersion?> GetVersionAsync(string name, long version, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadVersionsAsync(c, t, "WHERE m.name = @n AND v.version = @v", [("@n", name), ("@v", version)], cancellationToken), cancellationToken))
        .FirstOrDefault();

    public async Task<ModelVersion> UpdateVersionAsync(string name, long version, string description, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET description = @d, last_updated_time = @t WHERE mv_pk = @p",
                cancellationToken, ("@d", description), ("@t", now), ("@p", mvPk));
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public Task DeleteVersionAsync(string name, long version, long now, string detail, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            var aliases = await QueryAsync(connection, transaction, "SELECT alias FROM registered_model_aliases WHERE mv_pk = @p ORDER BY alias", [("@p", mvPk)],
                r => r.GetString(0), cancellationToken);
            await ExecuteAsync(connection, transaction, "DELETE FROM model_versions WHERE mv_pk = @p", cancellationToken, ("@p", mvPk));
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @t WHERE name = @n", cancellationToken, ("@t", now), ("@n", name));
            var removed = aliases.Count == 0 ? "" : $" (aliases removed: {string.Join(", ", aliases)})";
            await AuditAsync(connection, transaction, now, "delete_version", name, version, (detail + removed).Trim(), cancellationToken);
        }, cancellationToken);

    public async Task<ModelVersion> TransitionStageAsync(string name, long version, ModelStage stage, bool archiveExisting, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            if (archiveExisting && stage is ModelStage.Staging or ModelStage.Production)
            {
                await ExecuteAsync(connection, transaction,
                    "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = @t " +
                    "WHERE model_pk = (SELECT model_pk FROM model_versions WHERE mv_pk = @p) AND current_stage = @s AND mv_pk <> @p",
                    cancellationToken, ("@t", now), ("@p", mvPk), ("@s", stage.ToWire()));
            }

            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET current_stage = @s, last_updated_time = @t WHERE mv_pk = @p",
                cancellationToken, ("@s", stage.ToWire()), ("@t", now), ("@p", mvPk));
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @t WHERE name = @n", cancellationToken, ("@t", now), ("@n", name));
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public Task SetVersionTagAsync(string name, long version, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            await UpsertTagAsync(connection, transaction, "model_version_tags", "mv_pk", mvPk, tag, cancellationToken);
            await ExecuteAsync(connection, transaction, "UPDATE model_versions SET last_updated_time = @t WHERE mv_pk = @p", cancellationToken, ("@t", now), ("@p", mvPk));
        }, cancellationToken);

    public Task DeleteVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);
            if (await ExecuteAsync(connection, transaction, "DELETE FROM model_version_tags WHERE mv_pk = @p AND key = @k", cancellationToken, ("@p", mvPk), ("@k", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with key '{key}' on model version {name} {version}.");
            }
        }, cancellationToken);

    public Task SetAliasAsync(string name, string alias, long version, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var mvPk = await RequireVersionAsync(connection, transaction, name, version, cancellationToken);

            // One upsert: the alias moves in a single statement, so readers see the old or the new target.
            await ExecuteAsync(connection, transaction,
                "INSERT INTO registered_model_aliases (model_pk, alias, mv_pk) SELECT model_pk, @a, @p FROM model_versions WHERE mv_pk = @p " +
                "ON CONFLICT (model_pk, alias) DO UPDATE SET mv_pk = excluded.mv_pk",
                cancellationToken, ("@a", alias), ("@p", mvPk));
            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @t WHERE name = @n", cancellationToken, ("@t", now), ("@n", name));
        }, cancellationToken);

    public Task DeleteAliasAsync(string name, string alias, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var modelPk = await RequireModelAsync(connection, transaction, name, cancellationToken);
            if (await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_aliases WHERE model_pk = @m AND alias = @a", cancellationToken, ("@m", modelPk), ("@a", alias)) == 0)
            {
                throw ModelManagementService.AliasNotFound(name, alias);
            }

            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @t WHERE model_pk = @m", cancellationToken, ("@t", now), ("@m", modelPk));
        }, cancellationToken);

    public async Task<ModelVersion?> GetVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadVersionsAsync(c, t,
            "JOIN registered_model_aliases a ON a.mv_pk = v.mv_pk WHERE m.name = @n AND a.alias = @a", [("@n", name), ("@a", alias)], cancellationToken), cancellationToken))
        .FirstOrDefault();

    public async Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<ModelStage> stages, CancellationToken cancellationToken) =>
        await database.ReadAsync((c, t) => LatestVersionsAsync(c, t, name, stages, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<RegistryAuditEntry>> GetAuditAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, null, "SELECT time, action, name, version, detail FROM registry_audit WHERE name = @n ORDER BY audit_pk", [("@n", name)],
            r => new RegistryAuditEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableInt64(3), r.GetString(4)), cancellationToken);
    }

    private static async Task<long> RequireModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT model_pk FROM registered_models WHERE name = @n", cancellationToken, ("@n", name)) as long?
        ?? throw ModelManagementService.ModelNotFound(name);

    private static async Task<long> RequireVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, long version, CancellationToken cancellationToken)
    {
        await RequireModelAsync(connection, transaction, name, cancellationToken);
        return await ScalarAsync(connection, transaction,
            "SELECT v.mv_pk FROM model_versions v JOIN registered_models m ON m.model_pk = v.model_pk WHERE m.name = @n AND v.version = @v",
            cancellationToken, ("@n", name), ("@v", version)) as long?
            ?? throw ModelManagementService.VersionNotFound(name, version);
    }

    private static Task<int> UpsertTagAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string ownerColumn, long owner, Tag tag, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            $"INSERT INTO {table} ({ownerColumn}, key, value) VALUES (@o, @k, @v) ON CONFLICT ({ownerColumn}, key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("@o", owner), ("@k", tag.Key), ("@v", tag.Value));

    private static Task<int> AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long now, string action, string name, long? version, string detail,
        CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "INSERT INTO registry_audit (time, action, name, version, detail) VALUES (@t, @a, @n, @v, @d)",
            cancellationToken, ("@t", now), ("@a", action), ("@n", name), ("@v", version), ("@d", detail));
}

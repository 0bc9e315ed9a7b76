using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Tracking;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>The embedded model registry, in the same SQLite file as tracking.</summary>
public sealed partial class SqliteModelRegistryStore(SqliteDatabase database) : IModelRegistryStore
{
    private const int SqliteConstraint = 19;
    private const string VersionColumns =
        "v.mv_pk, m.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source, v.run_id, v.run_link, v.status";

    public async Task<RegisteredModel> CreateModelAsync(string name, string description, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync((connection, transaction) =>
        {
            long modelPk;
            try
            {
                modelPk = (long)Scalar(connection, transaction,
                    "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES ($n, $t, $t, $d) RETURNING model_pk",
                    ("$n", name), ("$t", now), ("$d", description))!;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                throw MlopsException.AlreadyExists($"Registered Model (name={name}) already exists.");
            }

            foreach (var tag in tags)
            {
                UpsertTag(connection, transaction, "registered_model_tags", "model_pk", modelPk, tag);
            }
        }, cancellationToken);
        return (await GetModelAsync(name, cancellationToken))!;
    }

    public Task<RegisteredModel?> GetModelAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadModels(connection, "WHERE m.name = $n", [("$n", name)]).FirstOrDefault()));

    public async Task<RegisteredModel> RenameModelAsync(string name, string newName, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync((connection, transaction) =>
        {
            RequireModel(connection, transaction, name);
            try
            {
                Execute(connection, transaction, "UPDATE registered_models SET name = $new, last_updated_time = $t WHERE name = $n", ("$new", newName), ("$t", now), ("$n", name));
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                throw MlopsException.AlreadyExists($"Registered Model (name={newName}) already exists.");
            }
        }, cancellationToken);
        return (await GetModelAsync(newName, cancellationToken))!;
    }

    public async Task<RegisteredModel> UpdateModelAsync(string name, string description, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);
            Execute(connection, transaction, "UPDATE registered_models SET description = $d, last_updated_time = $t WHERE model_pk = $m", ("$d", description), ("$t", now), ("$m", modelPk));
        }, cancellationToken);
        return (await GetModelAsync(name, cancellationToken))!;
    }

    public Task DeleteModelAsync(string name, long now, string detail, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);
            var versions = Convert.ToInt64(Scalar(connection, transaction, "SELECT COUNT(*) FROM model_versions WHERE model_pk = $m", ("$m", modelPk)), System.Globalization.CultureInfo.InvariantCulture);
            Execute(connection, transaction, "DELETE FROM registered_models WHERE model_pk = $m", ("$m", modelPk));
            Audit(connection, transaction, now, "delete_model", name, null, $"{detail} ({versions} version(s) deleted with it)".Trim());
        }, cancellationToken);

    public Task SetModelTagAsync(string name, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);
            UpsertTag(connection, transaction, "registered_model_tags", "model_pk", modelPk, tag);
            Execute(connection, transaction, "UPDATE registered_models SET last_updated_time = $t WHERE model_pk = $m", ("$t", now), ("$m", modelPk));
        }, cancellationToken);

    public Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);
            if (Execute(connection, transaction, "DELETE FROM registered_model_tags WHERE model_pk = $m AND key = $k", ("$m", modelPk), ("$k", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with key '{key}' on registered model {name}.");
            }
        }, cancellationToken);

    public async Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId, string? runLink, string description, string userId, IReadOnlyList<Tag> tags, long now, CancellationToken cancellationToken)
    {
        var version = await database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);

            // The counter is read and advanced inside the write transaction: two registrations never share a number.
            var next = (long)Scalar(connection, transaction,
                "UPDATE registered_models SET next_version = next_version + 1, last_updated_time = $t WHERE model_pk = $m RETURNING next_version - 1",
                ("$t", now), ("$m", modelPk))!;
            var mvPk = (long)Scalar(connection, transaction,
                "INSERT INTO model_versions (model_pk, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, run_link, status) " +
                "VALUES ($m, $v, $t, $t, $d, $u, 'None', $s, $r, $l, 'READY') RETURNING mv_pk",
                ("$m", modelPk), ("$v", next), ("$t", now), ("$d", description), ("$u", userId), ("$s", source),
                ("$r", (object?)runId ?? DBNull.Value), ("$l", (object?)runLink ?? DBNull.Value))!;
            foreach (var tag in tags)
            {
                UpsertTag(connection, transaction, "model_version_tags", "mv_pk", mvPk, tag);
            }

            return next;
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public Task<ModelVersion?> GetVersionAsync(string name, long version, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadVersions(connection, "WHERE m.name = $n AND v.version = $v", [("$n", name), ("$v", version)]).FirstOrDefault()));

    public async Task<ModelVersion> UpdateVersionAsync(string name, long version, string description, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);
            Execute(connection, transaction, "UPDATE model_versions SET description = $d, last_updated_time = $t WHERE mv_pk = $p", ("$d", description), ("$t", now), ("$p", mvPk));
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public Task DeleteVersionAsync(string name, long version, long now, string detail, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);
            var aliases = new List<string>();
            using (var command = Create(connection, transaction, "SELECT alias FROM registered_model_aliases WHERE mv_pk = $p", [("$p", mvPk)]))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    aliases.Add(reader.GetString(0));
                }
            }

            Execute(connection, transaction, "DELETE FROM model_versions WHERE mv_pk = $p", ("$p", mvPk));
            Execute(connection, transaction, "UPDATE registered_models SET last_updated_time = $t WHERE name = $n", ("$t", now), ("$n", name));
            var removed = aliases.Count == 0 ? "" : $" (aliases removed: {string.Join(", ", aliases)})";
            Audit(connection, transaction, now, "delete_version", name, version, (detail + removed).Trim());
        }, cancellationToken);

    public async Task<ModelVersion> TransitionStageAsync(string name, long version, ModelStage stage, bool archiveExisting, long now, CancellationToken cancellationToken)
    {
        await database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);
            if (archiveExisting && stage is ModelStage.Staging or ModelStage.Production)
            {
                Execute(connection, transaction,
                    "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = $t WHERE model_pk = (SELECT model_pk FROM model_versions WHERE mv_pk = $p) AND current_stage = $s AND mv_pk <> $p",
                    ("$t", now), ("$p", mvPk), ("$s", stage.ToWire()));
            }

            Execute(connection, transaction, "UPDATE model_versions SET current_stage = $s, last_updated_time = $t WHERE mv_pk = $p", ("$s", stage.ToWire()), ("$t", now), ("$p", mvPk));
            Execute(connection, transaction, "UPDATE registered_models SET last_updated_time = $t WHERE name = $n", ("$t", now), ("$n", name));
        }, cancellationToken);
        return (await GetVersionAsync(name, version, cancellationToken))!;
    }

    public Task SetVersionTagAsync(string name, long version, Tag tag, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);
            UpsertTag(connection, transaction, "model_version_tags", "mv_pk", mvPk, tag);
            Execute(connection, transaction, "UPDATE model_versions SET last_updated_time = $t WHERE mv_pk = $p", ("$t", now), ("$p", mvPk));
        }, cancellationToken);

    public Task DeleteVersionTagAsync(string name, long version, string key, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);
            if (Execute(connection, transaction, "DELETE FROM model_version_tags WHERE mv_pk = $p AND key = $k", ("$p", mvPk), ("$k", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with key '{key}' on model version {name} {version}.");
            }
        }, cancellationToken);

    public Task SetAliasAsync(string name, string alias, long version, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var mvPk = RequireVersion(connection, transaction, name, version);

            // One upsert: the alias moves in a single statement, so readers see the old or the new target.
            Execute(connection, transaction,
                "INSERT INTO registered_model_aliases (model_pk, alias, mv_pk) SELECT model_pk, $a, $p FROM model_versions WHERE mv_pk = $p " +
                "ON CONFLICT (model_pk, alias) DO UPDATE SET mv_pk = excluded.mv_pk",
                ("$a", alias), ("$p", mvPk));
            Execute(connection, transaction, "UPDATE registered_models SET last_updated_time = $t WHERE name = $n", ("$t", now), ("$n", name));
        }, cancellationToken);

    public Task DeleteAliasAsync(string name, string alias, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var modelPk = RequireModel(connection, transaction, name);
            if (Execute(connection, transaction, "DELETE FROM registered_model_aliases WHERE model_pk = $m AND alias = $a", ("$m", modelPk), ("$a", alias)) == 0)
            {
                throw ModelManagementService.AliasNotFound(name, alias);
            }

            Execute(connection, transaction, "UPDATE registered_models SET last_updated_time = $t WHERE model_pk = $m", ("$t", now), ("$m", modelPk));
        }, cancellationToken);

    public Task<ModelVersion?> GetVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadVersions(connection,
            "JOIN registered_model_aliases a ON a.mv_pk = v.mv_pk WHERE m.name = $n AND a.alias = $a", [("$n", name), ("$a", alias)]).FirstOrDefault()));

    public Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<ModelStage> stages, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ModelVersion>>(database.Read(connection => LatestVersions(connection, name, stages)));

    public Task<IReadOnlyList<RegistryAuditEntry>> GetAuditAsync(string name, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        using var command = Create(connection, null, "SELECT time, action, name, version, detail FROM registry_audit WHERE name = $n ORDER BY audit_pk", [("$n", name)]);
        using var reader = command.ExecuteReader();
        var entries = new List<RegistryAuditEntry>();
        while (reader.Read())
        {
            entries.Add(new RegistryAuditEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.GetString(4)));
        }

        return Task.FromResult<IReadOnlyList<RegistryAuditEntry>>(entries);
    }

    private static long RequireModel(SqliteConnection connection, SqliteTransaction transaction, string name) =>
        Scalar(connection, transaction, "SELECT model_pk FROM registered_models WHERE name = $n", ("$n", name)) as long?
        ?? throw ModelManagementService.ModelNotFound(name);

    private static long RequireVersion(SqliteConnection connection, SqliteTransaction transaction, string name, long version)
    {
        RequireModel(connection, transaction, name);
        return Scalar(connection, transaction,
            "SELECT v.mv_pk FROM model_versions v JOIN registered_models m ON m.model_pk = v.model_pk WHERE m.name = $n AND v.version = $v",
            ("$n", name), ("$v", version)) as long?
            ?? throw ModelManagementService.VersionNotFound(name, version);
    }

    private static void UpsertTag(SqliteConnection connection, SqliteTransaction transaction, string table, string ownerColumn, long owner, Tag tag) =>
        Execute(connection, transaction,
            $"INSERT INTO {table} ({ownerColumn}, key, value) VALUES ($o, $k, $v) ON CONFLICT ({ownerColumn}, key) DO UPDATE SET value = excluded.value",
            ("$o", owner), ("$k", tag.Key), ("$v", tag.Value));

    private static void Audit(SqliteConnection connection, SqliteTransaction transaction, long now, string action, string name, long? version, string detail) =>
        Execute(connection, transaction, "INSERT INTO registry_audit (time, action, name, version, detail) VALUES ($t, $a, $n, $v, $d)",
            ("$t", now), ("$a", action), ("$n", name), ("$v", (object?)version ?? DBNull.Value), ("$d", detail));
}

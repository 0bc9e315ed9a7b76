using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Endpoints, revisions and history on the shared PostgreSQL database. An update locks the endpoint row, then
/// reads, changes and saves it in one transaction, so concurrent updates of one endpoint from any server
/// serialise and none is lost.
/// </summary>
public sealed class PostgresDeploymentStore(PostgresDatabase database) : IDeploymentStore
{
    private const string RevisionColumns =
        "r.endpoint_id, r.number, r.model_uri, r.resolved_name, r.resolved_version, r.role, r.weight, r.requested_weight, r.replicas, r.state, " +
        "r.created_at, r.created_by, r.reason, r.restored_from, r.error";

    private const string HistoryColumns = "h.endpoint_id, h.sequence, h.kind, h.revision, h.at, h.changed_by, h.reason, h.detail";

    private static readonly Dictionary<string, ChangeKind> ChangeKinds = Enum.GetValues<ChangeKind>().ToDictionary(k => k.ToWire(), StringComparer.Ordinal);

    public Task<Endpoint> CreateEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            long id;
            try
            {
                id = (long)(await ScalarAsync(connection, transaction, "INSERT INTO endpoints (name, state, created_at, log_sample_rate, follow_alias) VALUES (@n, @s, @t, @rate, @follow) RETURNING endpoint_id",
                    cancellationToken, ("@n", endpoint.Name), ("@s", endpoint.State.ToWire()), ("@t", endpoint.CreatedAt),
                    ("@rate", endpoint.Settings.LogSampleRate), ("@follow", endpoint.Settings.FollowAlias ? 1 : 0)))!;
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"An endpoint named '{endpoint.Name}' already exists.");
            }

            await SaveRevisionsAsync(connection, transaction, id, [], endpoint.Revisions, cancellationToken);
            await AppendHistoryAsync(connection, transaction, id, endpoint.History, cancellationToken);
            return (await ReadEndpointsAsync(connection, transaction, "WHERE e.endpoint_id = @id", [("@id", id)], cancellationToken)).Single().Endpoint;
        }, cancellationToken);

    public async Task<Endpoint?> GetEndpointAsync(string name, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadEndpointsAsync(c, t, "WHERE e.name = @n", [("@n", name)], cancellationToken), cancellationToken))
        .Select(e => e.Endpoint).FirstOrDefault();

    public async Task<StorePage<Endpoint>> ListEndpointsAsync(int maxResults, long offset, bool includeDeleted, CancellationToken cancellationToken)
    {
        var endpoints = (await database.ReadAsync((c, t) => ReadEndpointsAsync(c, t,
            "WHERE (@all OR e.state <> 'deleted') ORDER BY e.name LIMIT @limit OFFSET @offset",
            [("@all", includeDeleted), ("@limit", maxResults + 1L), ("@offset", offset)], cancellationToken), cancellationToken)).Select(e => e.Endpoint).ToList();
        return endpoints.Count > maxResults
            ? new StorePage<Endpoint>(endpoints.GetRange(0, maxResults), true)
            : new StorePage<Endpoint>(endpoints, false);
    }

    public Task<Endpoint> UpdateEndpointAsync(string name, Func<Endpoint, Endpoint> change, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // The row lock is taken before the read, so the change is applied to the latest committed endpoint.
            if (await ScalarAsync(connection, transaction, "SELECT endpoint_id FROM endpoints WHERE name = @n FOR UPDATE", cancellationToken, ("@n", name)) is not long id)
            {
                throw MlopsException.NotFound($"No endpoint named '{name}'.");
            }

            var current = (await ReadEndpointsAsync(connection, transaction, "WHERE e.endpoint_id = @id", [("@id", id)], cancellationToken)).Single().Endpoint;
            var changed = change(current);
            EndpointChangeCheck.RequireOnlyAdditions(current, changed);
            if (changed.State != current.State || changed.Settings != current.Settings)
            {
                await ExecuteAsync(connection, transaction, "UPDATE endpoints SET state = @s, log_sample_rate = @rate, follow_alias = @follow WHERE endpoint_id = @id", cancellationToken,
                    ("@s", changed.State.ToWire()), ("@rate", changed.Settings.LogSampleRate), ("@follow", changed.Settings.FollowAlias ? 1 : 0), ("@id", id));
            }

            await SaveRevisionsAsync(connection, transaction, id, current.Revisions, changed.Revisions, cancellationToken);
            await AppendHistoryAsync(connection, transaction, id, changed.History.Skip(current.History.Count), cancellationToken);
            return (await ReadEndpointsAsync(connection, transaction, "WHERE e.endpoint_id = @id", [("@id", id)], cancellationToken)).Single().Endpoint;
        }, cancellationToken);

    private static async Task SaveRevisionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long endpointId, IReadOnlyList<Revision> stored,
        IReadOnlyList<Revision> revisions, CancellationToken cancellationToken)
    {
        for (var i = 0; i < revisions.Count; i++)
        {
            var r = revisions[i];
            if (i < stored.Count && stored[i] == r)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction,
                "INSERT INTO endpoint_revisions (endpoint_id, number, model_uri, resolved_name, resolved_version, role, weight, requested_weight, replicas, state, " +
                "created_at, created_by, reason, restored_from, error) VALUES (@e, @n, @u, @rn, @rv, @role, @w, @rw, @rep, @s, @t, @by, @why, @from, @err) " +
                "ON CONFLICT (endpoint_id, number) DO UPDATE SET role = excluded.role, weight = excluded.weight, requested_weight = excluded.requested_weight, " +
                "replicas = excluded.replicas, state = excluded.state, error = excluded.error",
                cancellationToken,
                ("@e", endpointId), ("@n", r.Number), ("@u", r.ModelUri), ("@rn", r.ResolvedModel?.Name), ("@rv", r.ResolvedModel?.Version),
                ("@role", r.Role.ToWire()), ("@w", r.Weight), ("@rw", r.RequestedWeight), ("@rep", r.Replicas), ("@s", r.State.ToWire()),
                ("@t", r.CreatedAt), ("@by", r.CreatedBy), ("@why", r.Reason ?? ""), ("@from", r.RestoredFrom), ("@err", r.Error));
        }
    }

    private static async Task AppendHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long endpointId, IEnumerable<EndpointChange> changes,
        CancellationToken cancellationToken)
    {
        foreach (var c in changes)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO endpoint_history (endpoint_id, sequence, kind, revision, at, changed_by, reason, detail) VALUES (@e, @s, @k, @r, @at, @by, @why, @d)",
                cancellationToken, ("@e", endpointId), ("@s", c.Sequence), ("@k", c.Kind.ToWire()), ("@r", c.Revision), ("@at", c.At), ("@by", c.By), ("@why", c.Reason ?? ""),
                ("@d", c.Detail));
        }
    }

    /// <summary>The endpoints <paramref name="tail"/> selects (alias e), each with its revisions and history, read with three queries.</summary>
    private static async Task<List<(long Id, Endpoint Endpoint)>> ReadEndpointsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail,
        (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var selected = $"SELECT e.endpoint_id FROM endpoints e {tail}";
        var revisions = await GroupAsync(connection, transaction,
            $"SELECT {RevisionColumns} FROM endpoint_revisions r WHERE r.endpoint_id IN ({selected}) ORDER BY r.endpoint_id, r.number", parameters,
            reader => new Revision(
                reader.GetInt32(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : new ResolvedModel(reader.GetString(3), reader.GetInt64(4)),
                Enum.Parse<RevisionRole>(reader.GetString(5), ignoreCase: true),
                reader.GetInt32(6),
                reader.GetInt32(7),
                reader.GetInt32(8),
                Enum.Parse<RevisionState>(reader.GetString(9), ignoreCase: true),
                reader.GetInt64(10),
                reader.GetString(11),
                reader.GetString(12),
                reader.NullableInt32(13),
                reader.NullableString(14)), cancellationToken);
        var history = await GroupAsync(connection, transaction,
            $"SELECT {HistoryColumns} FROM endpoint_history h WHERE h.endpoint_id IN ({selected}) ORDER BY h.endpoint_id, h.sequence", parameters,
            reader => new EndpointChange(
                reader.GetInt32(1),
                ChangeKinds[reader.GetString(2)],
                reader.NullableInt32(3),
                reader.GetInt64(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7)), cancellationToken);
        return await QueryAsync(connection, transaction, $"SELECT e.endpoint_id, e.name, e.state, e.created_at, e.log_sample_rate, e.follow_alias FROM endpoints e {tail}", parameters,
            rows =>
            {
                var id = rows.GetInt64(0);
                return (id, new Endpoint(
                    rows.GetString(1),
                    Enum.Parse<EndpointState>(rows.GetString(2), ignoreCase: true),
                    revisions.TryGetValue(id, out var r) ? r : [],
                    rows.GetInt64(3),
                    history.TryGetValue(id, out var h) ? h : []) { Settings = new EndpointSettings(rows.GetDouble(4), rows.GetInt32(5) != 0) });
            }, cancellationToken);
    }
}

using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>
/// Endpoints, revisions and history in the SQLite file; an update reads, changes and saves the endpoint in one
/// immediate transaction, so concurrent updates of one endpoint serialise (across processes too).
/// </summary>
public sealed class SqliteDeploymentStore(SqliteDatabase database) : IDeploymentStore
{
    private const string RevisionColumns =
        "r.endpoint_id, r.number, r.model_uri, r.resolved_name, r.resolved_version, r.role, r.weight, r.requested_weight, r.replicas, r.state, " +
        "r.created_at, r.created_by, r.reason, r.restored_from, r.error";

    private const string HistoryColumns = "h.endpoint_id, h.sequence, h.kind, h.revision, h.at, h.changed_by, h.reason, h.detail";

    private static readonly Dictionary<string, ChangeKind> ChangeKinds = Enum.GetValues<ChangeKind>().ToDictionary(k => k.ToWire(), StringComparer.Ordinal);

    public Task<Endpoint> CreateEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            if (Scalar(connection, transaction, "SELECT 1 FROM endpoints WHERE name = $n", ("$n", endpoint.Name)) is not null)
            {
                throw MlopsException.AlreadyExists($"An endpoint named '{endpoint.Name}' already exists.");
            }

            var id = (long)Scalar(connection, transaction,
                "INSERT INTO endpoints (name, state, created_at, log_sample_rate, follow_alias) VALUES ($n, $s, $t, $rate, $follow) RETURNING endpoint_id",
                ("$n", endpoint.Name), ("$s", endpoint.State.ToWire()), ("$t", endpoint.CreatedAt),
                ("$rate", endpoint.Settings.LogSampleRate), ("$follow", endpoint.Settings.FollowAlias ? 1L : 0L))!;
            SaveRevisions(connection, transaction, id, [], endpoint.Revisions);
            AppendHistory(connection, transaction, id, endpoint.History);
            return ReadEndpoints(connection, transaction, "WHERE e.endpoint_id = $id", [("$id", id)]).Single().Endpoint;
        }, cancellationToken);

    public Task<Endpoint?> GetEndpointAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection =>
            ReadEndpoints(connection, null, "WHERE e.name = $n", [("$n", name)]).Select(e => e.Endpoint).FirstOrDefault()));

    public Task<StorePage<Endpoint>> ListEndpointsAsync(int maxResults, long offset, bool includeDeleted, CancellationToken cancellationToken)
    {
        var endpoints = database.Read(connection => ReadEndpoints(connection, null,
            "WHERE ($all = 1 OR e.state <> 'deleted') ORDER BY e.name LIMIT $limit OFFSET $offset",
            [("$all", includeDeleted ? 1L : 0L), ("$limit", maxResults + 1L), ("$offset", offset)]).Select(e => e.Endpoint).ToList());
        return Task.FromResult(endpoints.Count > maxResults
            ? new StorePage<Endpoint>(endpoints.GetRange(0, maxResults), true)
            : new StorePage<Endpoint>(endpoints, false));
    }

    public Task<Endpoint> UpdateEndpointAsync(string name, Func<Endpoint, Endpoint> change, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var (id, current) = ReadEndpoints(connection, transaction, "WHERE e.name = $n", [("$n", name)]).FirstOrDefault();
            if (current is null)
            {
                throw MlopsException.NotFound($"No endpoint named '{name}'.");
            }

            var changed = change(current);
            EndpointChangeCheck.RequireOnlyAdditions(current, changed);
            if (changed.State != current.State || changed.Settings != current.Settings)
            {
                Execute(connection, transaction, "UPDATE endpoints SET state = $s, log_sample_rate = $rate, follow_alias = $follow WHERE endpoint_id = $id",
                    ("$s", changed.State.ToWire()), ("$rate", changed.Settings.LogSampleRate), ("$follow", changed.Settings.FollowAlias ? 1L : 0L), ("$id", id));
            }

            SaveRevisions(connection, transaction, id, current.Revisions, changed.Revisions);
            AppendHistory(connection, transaction, id, changed.History.Skip(current.History.Count));
            return ReadEndpoints(connection, transaction, "WHERE e.endpoint_id = $id", [("$id", id)]).Single().Endpoint;
        }, cancellationToken);

    private static void SaveRevisions(SqliteConnection connection, SqliteTransaction transaction, long endpointId, IReadOnlyList<Revision> stored, IReadOnlyList<Revision> revisions)
    {
        for (var i = 0; i < revisions.Count; i++)
        {
            var r = revisions[i];
            if (i < stored.Count && stored[i] == r)
            {
                continue;
            }

            Execute(connection, transaction,
                "INSERT INTO endpoint_revisions (endpoint_id, number, model_uri, resolved_name, resolved_version, role, weight, requested_weight, replicas, state, " +
                "created_at, created_by, reason, restored_from, error) VALUES ($e, $n, $u, $rn, $rv, $role, $w, $rw, $rep, $s, $t, $by, $why, $from, $err) " +
                "ON CONFLICT (endpoint_id, number) DO UPDATE SET role = excluded.role, weight = excluded.weight, requested_weight = excluded.requested_weight, replicas = excluded.replicas, " +
                "state = excluded.state, error = excluded.error",
                ("$e", endpointId), ("$n", r.Number), ("$u", r.ModelUri),
                ("$rn", (object?)r.ResolvedModel?.Name ?? DBNull.Value), ("$rv", (object?)r.ResolvedModel?.Version ?? DBNull.Value),
                ("$role", r.Role.ToWire()), ("$w", r.Weight), ("$rw", r.RequestedWeight), ("$rep", r.Replicas), ("$s", r.State.ToWire()),
                ("$t", r.CreatedAt), ("$by", r.CreatedBy), ("$why", r.Reason ?? ""),
                ("$from", (object?)r.RestoredFrom ?? DBNull.Value), ("$err", (object?)r.Error ?? DBNull.Value));
        }
    }

    private static void AppendHistory(SqliteConnection connection, SqliteTransaction transaction, long endpointId, IEnumerable<EndpointChange> changes)
    {
        foreach (var c in changes)
        {
            Execute(connection, transaction,
                "INSERT INTO endpoint_history (endpoint_id, sequence, kind, revision, at, changed_by, reason, detail) VALUES ($e, $s, $k, $r, $at, $by, $why, $d)",
                ("$e", endpointId), ("$s", c.Sequence), ("$k", c.Kind.ToWire()), ("$r", (object?)c.Revision ?? DBNull.Value),
                ("$at", c.At), ("$by", c.By), ("$why", c.Reason ?? ""), ("$d", c.Detail));
        }
    }

    /// <summary>The endpoints <paramref name="tail"/> selects (alias e), each with its revisions and history, read with three queries.</summary>
    private static List<(long Id, Endpoint Endpoint)> ReadEndpoints(SqliteConnection connection, SqliteTransaction? transaction, string tail, (string, object)[] parameters)
    {
        var selected = $"SELECT e.endpoint_id FROM endpoints e {tail}";
        var revisions = new Dictionary<long, List<Revision>>();
        using (var command = Create(connection, transaction,
            $"SELECT {RevisionColumns} FROM endpoint_revisions r WHERE r.endpoint_id IN ({selected}) ORDER BY r.endpoint_id, r.number", parameters))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                GetList(revisions, reader.GetInt64(0)).Add(new Revision(
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
                    reader.IsDBNull(13) ? null : reader.GetInt32(13),
                    reader.IsDBNull(14) ? null : reader.GetString(14)));
            }
        }

        var history = new Dictionary<long, List<EndpointChange>>();
        using (var command = Create(connection, transaction,
            $"SELECT {HistoryColumns} FROM endpoint_history h WHERE h.endpoint_id IN ({selected}) ORDER BY h.endpoint_id, h.sequence", parameters))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                GetList(history, reader.GetInt64(0)).Add(new EndpointChange(
                    reader.GetInt32(1),
                    ChangeKinds[reader.GetString(2)],
                    reader.IsDBNull(3) ? null : reader.GetInt32(3),
                    reader.GetInt64(4),
                    reader.GetString(5),
                    reader.GetString(6),
                    reader.GetString(7)));
            }
        }

        using var endpoints = Create(connection, transaction, $"SELECT e.endpoint_id, e.name, e.state, e.created_at, e.log_sample_rate, e.follow_alias FROM endpoints e {tail}", parameters);
        using var rows = endpoints.ExecuteReader();
        var list = new List<(long, Endpoint)>();
        while (rows.Read())
        {
            var id = rows.GetInt64(0);
            list.Add((id, new Endpoint(
                rows.GetString(1),
                Enum.Parse<EndpointState>(rows.GetString(2), ignoreCase: true),
                revisions.TryGetValue(id, out var r) ? r : [],
                rows.GetInt64(3),
                history.TryGetValue(id, out var h) ? h : []) { Settings = new EndpointSettings(rows.GetDouble(4), rows.GetInt64(5) != 0) }));
        }

        return list;
    }

    private static List<T> GetList<T>(Dictionary<long, List<T>> lists, long id)
    {
        if (!lists.TryGetValue(id, out var list))
        {
            lists[id] = list = [];
        }

        return list;
    }
}

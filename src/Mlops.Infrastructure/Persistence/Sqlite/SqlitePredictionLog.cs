using Mlops.Application.Ports;
using Mlops.Domain.Deployments;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>The prediction log in the SQLite file: appended in batches, read newest first per endpoint.</summary>
public sealed class SqlitePredictionLog(SqliteDatabase database) : IPredictionLog
{
    private const string Insert =
        "INSERT INTO predictions (endpoint, revision, role, request_id, at, model_microseconds, rows, inputs, outputs, error) " +
        "VALUES ($e, $r, $role, $id, $at, $us, $rows, $in, $out, $err)";

    public Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            // One prepared command for the whole batch: only the values change between rows.
            using var command = Create(connection, transaction, Insert,
                [("$e", ""), ("$r", 0), ("$role", ""), ("$id", ""), ("$at", 0L), ("$us", 0L), ("$rows", 0), ("$in", ""), ("$out", ""), ("$err", DBNull.Value)]);
            foreach (var record in records)
            {
                command.Parameters["$e"].Value = record.Endpoint;
                command.Parameters["$r"].Value = record.Revision;
                command.Parameters["$role"].Value = record.Role.ToWire();
                command.Parameters["$id"].Value = record.RequestId;
                command.Parameters["$at"].Value = record.At;
                command.Parameters["$us"].Value = record.ModelMicroseconds;
                command.Parameters["$rows"].Value = record.Rows;
                command.Parameters["$in"].Value = record.InputsJson;
                command.Parameters["$out"].Value = record.OutputsJson;
                command.Parameters["$err"].Value = (object?)record.Error ?? DBNull.Value;
                command.ExecuteNonQuery();
            }
        }, cancellationToken);

    public Task<StorePage<PredictionRecord>> ListAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        var records = database.Read(connection =>
        {
            using var command = Create(connection, null,
                "SELECT endpoint, revision, role, request_id, at, model_microseconds, rows, inputs, outputs, error FROM predictions " +
                "WHERE endpoint = $e AND ($r IS NULL OR revision = $r) AND ($since IS NULL OR at >= $since) AND ($until IS NULL OR at < $until) " +
                "ORDER BY at DESC, prediction_id DESC LIMIT $limit OFFSET $offset",
                [("$e", query.Endpoint), ("$r", (object?)query.Revision ?? DBNull.Value), ("$since", (object?)query.Since ?? DBNull.Value),
                 ("$until", (object?)query.Until ?? DBNull.Value), ("$limit", query.MaxResults + 1L), ("$offset", query.Offset)]);
            using var reader = command.ExecuteReader();
            var list = new List<PredictionRecord>();
            while (reader.Read())
            {
                list.Add(new PredictionRecord(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    Enum.Parse<RevisionRole>(reader.GetString(2), ignoreCase: true),
                    reader.GetString(3),
                    reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.GetInt32(6),
                    reader.GetString(7),
                    reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            return list;
        });
        return Task.FromResult(records.Count > query.MaxResults
            ? new StorePage<PredictionRecord>(records.GetRange(0, query.MaxResults), true)
            : new StorePage<PredictionRecord>(records, false));
    }

    public Task<long> DeleteBeforeAsync(string endpoint, long before, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            (long)Execute(connection, transaction, "DELETE FROM predictions WHERE endpoint = $e AND at < $before", ("$e", endpoint), ("$before", before)),
            cancellationToken);
}

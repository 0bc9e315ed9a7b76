using Mlops.Application.Ports;
using Mlops.Domain.Deployments;
using NpgsqlTypes;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>The prediction log in PostgreSQL: a batch goes in with one binary COPY, reads are newest first per endpoint.</summary>
public sealed class PostgresPredictionLog(PostgresDatabase database) : IPredictionLog
{
    private const string Columns = "endpoint, revision, role, request_id, at, model_microseconds, rows, inputs, outputs, error";

    public Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, _) =>
        {
            await using var copy = await connection.BeginBinaryImportAsync($"COPY predictions ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var r in records)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.Endpoint, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Revision, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(r.Role.ToWire(), NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.RequestId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.At, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.ModelMicroseconds, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.Rows, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(r.InputsJson, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.OutputsJson, NpgsqlDbType.Text, cancellationToken);
                if (r.Error is null)
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await copy.WriteAsync(r.Error, NpgsqlDbType.Text, cancellationToken);
                }
            }

            await copy.CompleteAsync(cancellationToken);
        }, cancellationToken);

    public async Task<StorePage<PredictionRecord>> ListAsync(PredictionQuery query, CancellationToken cancellationToken)
    {
        var records = await database.ReadAsync((connection, transaction) => QueryAsync(connection, transaction,
            $"SELECT {Columns} FROM predictions " +
            "WHERE endpoint = @e AND (@r::integer IS NULL OR revision = @r) AND (@since::bigint IS NULL OR at >= @since) AND (@until::bigint IS NULL OR at < @until) " +
            "ORDER BY at DESC, prediction_id DESC LIMIT @limit OFFSET @offset",
            [("@e", query.Endpoint), ("@r", query.Revision), ("@since", query.Since), ("@until", query.Until), ("@limit", query.MaxResults + 1L), ("@offset", query.Offset)],
            reader => new PredictionRecord(
                reader.GetString(0),
                reader.GetInt32(1),
                Enum.Parse<RevisionRole>(reader.GetString(2), ignoreCase: true),
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt32(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.NullableString(9)),
            cancellationToken), cancellationToken);
        return records.Count > query.MaxResults
            ? new StorePage<PredictionRecord>(records.GetRange(0, query.MaxResults), true)
            : new StorePage<PredictionRecord>(records, false);
    }

    public Task<long> DeleteBeforeAsync(string endpoint, long before, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            (long)await ExecuteAsync(connection, transaction, "DELETE FROM predictions WHERE endpoint = @e AND at < @before", cancellationToken, ("@e", endpoint), ("@before", before)),
            cancellationToken);
}

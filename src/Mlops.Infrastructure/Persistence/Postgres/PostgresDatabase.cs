using System.Data;
using Npgsql;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// One PostgreSQL database shared by any number of servers and workers: a pooled data source, the embedded
/// migrations applied once at start-up, and transactions that are run again when the server aborts them
/// (serialization failure, deadlock) or the connection drops before commit.
/// </summary>
/// <remarks>
/// Unlike SQLite there is no in-process write gate: PostgreSQL takes row locks, so writers of different rows
/// proceed in parallel and each store locks the rows whose read-then-write must not interleave.
/// </remarks>
public sealed class PostgresDatabase : IDisposable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        PostgresMigrator.Migrate(_dataSource);
    }

    public void Dispose() => _dataSource.Dispose();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Runs a multi-statement read in one repeatable-read transaction, so every statement sees the same snapshot:
    /// a run and its params, or a version and its aliases, never come from two different moments. (Not declared
    /// READ ONLY: that is one more round trip per read and protects nothing the stores' code does not.)
    /// </summary>
    public Task<T> ReadAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(IsolationLevel.RepeatableRead, work, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in a read-committed transaction, committed when it returns. The work may run
    /// more than once (each time in a fresh transaction), so it must not have effects outside the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(IsolationLevel.ReadCommitted, work, cancellationToken);

    public Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);

    private async Task<T> RunAsync<T>(IsolationLevel isolation, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
                var result = await work(connection, transaction);
                committing = true;
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception e) when (attempt < PostgresRetry.MaxAttempts && !cancellationToken.IsCancellationRequested
                && (PostgresErrors.IsRolledBackByServer(e) || (!committing && PostgresErrors.IsTransient(e))))
            {
                await Task.Delay(PostgresRetry.Delay(attempt), cancellationToken);
            }
        }
    }
}

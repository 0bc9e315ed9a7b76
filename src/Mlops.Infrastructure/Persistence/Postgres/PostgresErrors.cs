using Npgsql;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>The SQLSTATE codes the stores act on, and which failures are worth running a transaction again for.</summary>
internal static class PostgresErrors
{
    public const string UniqueViolation = "23505";
    public const string ForeignKeyViolation = "23503";
    public const string SerializationFailure = "40001";
    public const string DeadlockDetected = "40P01";

    public static bool IsUniqueViolation(Exception e) => e is PostgresException { SqlState: UniqueViolation };

    /// <summary>
    /// The server rolled the transaction back on its own (serialization failure, deadlock), so running it again
    /// is always safe, even when the failure came at commit.
    /// </summary>
    public static bool IsRolledBackByServer(Exception e) => e is PostgresException { SqlState: SerializationFailure or DeadlockDetected };

    /// <summary>
    /// A failure Npgsql classes as transient: the network, a server restart or a terminated backend, the pool or
    /// the server out of connections. Safe to retry only before COMMIT was sent: after it, the transaction may
    /// have been applied and a retry could apply it twice.
    /// </summary>
    public static bool IsTransient(Exception e) => e is NpgsqlException { IsTransient: true };
}

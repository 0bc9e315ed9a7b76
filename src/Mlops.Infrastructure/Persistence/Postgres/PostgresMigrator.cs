using System.Globalization;
using Npgsql;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Applies the embedded migrations (Migrations/NNNN_name.sql) in version order, each in its own transaction
/// with its row in schema_migrations. A session-level advisory lock is held throughout, so servers and workers
/// starting together against a fresh database take turns: the first applies everything, the rest find it done.
/// </summary>
public static class PostgresMigrator
{
    /// <summary>The advisory lock key: "mlops" in ASCII, so it is recognisable in pg_locks.</summary>
    public const long LockKey = 0x6D6C6F7073;

    public static void Migrate(NpgsqlDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})");
        try
        {
            Execute(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_time BIGINT NOT NULL)");
            var applied = new HashSet<int>();
            using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            foreach (var (version, name, sql) in LoadMigrations().Where(m => !applied.Contains(m.Version)))
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, sql);
                using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, applied_time) VALUES (@v, @n, @t)", connection, transaction);
                record.Parameters.AddWithValue("v", version);
                record.Parameters.AddWithValue("n", name);
                record.Parameters.AddWithValue("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                record.ExecuteNonQuery();
                transaction.Commit();
            }
        }
        finally
        {
            Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})");
        }
    }

    /// <summary>The embedded migrations in version order.</summary>
    public static IEnumerable<(int Version, string Name, string Sql)> LoadMigrations()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        const string prefix = "Mlops.Infrastructure.Persistence.Postgres.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_')), CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, name, reader.ReadToEnd());
        }
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}

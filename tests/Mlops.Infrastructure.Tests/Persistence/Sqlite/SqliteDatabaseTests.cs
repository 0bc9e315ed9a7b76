using Microsoft.Data.Sqlite;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.Combine("mlops.db");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Applies_each_migration_once_when_the_same_file_is_opened_twice()
    {
        using (new SqliteDatabase(DatabasePath))
        {
        }

        using var database = new SqliteDatabase(DatabasePath);

        var versions = Rows(database, "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version ORDER BY version");
        Assert.NotEmpty(versions);
        Assert.Equal(1L, versions[0].Version);
        Assert.All(versions, v => Assert.Equal(1L, v.Count));
        Assert.Equal(1L, Scalar(database, "SELECT COUNT(*) FROM experiments WHERE name = 'Default'"));
    }

    [Fact]
    public async Task Applies_each_migration_once_when_two_instances_open_a_new_file_at_once()
    {
        var databases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new SqliteDatabase(DatabasePath))));
        try
        {
            var versions = Rows(databases[0], "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version");
            Assert.All(versions, v => Assert.Equal(1L, v.Count));
            Assert.Equal(1L, Scalar(databases[0], "SELECT COUNT(*) FROM experiments"));
        }
        finally
        {
            foreach (var database in databases)
            {
                database.Dispose();
            }
        }
    }

    [Fact]
    public void Records_a_name_and_time_for_each_migration()
    {
        using var database = new SqliteDatabase(DatabasePath);

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, applied_time FROM schema_migrations WHERE version = 1";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.StartsWith("0001_", reader.GetString(0), StringComparison.Ordinal);
        Assert.True(reader.GetInt64(1) > 0);
    }

    [Fact]
    public void Uses_write_ahead_logging()
    {
        using var database = new SqliteDatabase(DatabasePath);

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void Keeps_write_ahead_logging_for_a_plain_connection_to_the_file()
    {
        using (new SqliteDatabase(DatabasePath))
        {
        }

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void Opens_connections_with_foreign_keys_enforced()
    {
        using var database = new SqliteDatabase(DatabasePath);

        Assert.Equal(1L, Scalar(database, "PRAGMA foreign_keys"));
    }

    [Fact]
    public void Creates_the_folder_of_the_database_file()
    {
        var path = _folder.Combine("nested", "deeper", "mlops.db");

        using var database = new SqliteDatabase(path);

        Assert.True(File.Exists(path));
        Assert.Equal(path, database.Path);
    }

    [Fact]
    public async Task Rolls_back_a_write_that_throws()
    {
        using var database = new SqliteDatabase(DatabasePath);

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ('rolled-back', '', 0, 0)";
            insert.ExecuteNonQuery();
            throw new InvalidOperationException("boom");
        }, CancellationToken.None));

        Assert.Equal(0L, Scalar(database, "SELECT COUNT(*) FROM experiments WHERE name = 'rolled-back'"));
    }

    [Fact]
    public async Task Commits_a_write_that_returns()
    {
        using var database = new SqliteDatabase(DatabasePath);

        var id = await database.WriteAsync((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES ('kept', '', 0, 0) RETURNING experiment_id";
            return (long)insert.ExecuteScalar()!;
        }, CancellationToken.None);

        Assert.Equal(id, Scalar(database, "SELECT experiment_id FROM experiments WHERE name = 'kept'"));
    }

    [Fact]
    public async Task Lets_the_gate_go_after_a_failed_write()
    {
        using var database = new SqliteDatabase(DatabasePath);
        await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync((_, _) => throw new InvalidOperationException(), CancellationToken.None));

        var result = await database.WriteAsync((_, _) => 42, CancellationToken.None);

        Assert.Equal(42, result);
    }

    private static long Scalar(SqliteDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static List<(long Version, long Count)> Rows(SqliteDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(long, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }
}

using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>Migrations on a fresh database, including many servers starting against it at once.</summary>
[RequiresPostgres]
public sealed class PostgresMigratorTests : IDisposable
{
    private readonly List<PostgresTestDatabase> _databases = [];

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }
    }

    [Fact]
    public async Task Applies_every_migration_once_when_eight_servers_start_at_once_on_a_fresh_database()
    {
        var database = Fresh();
        var connectionString = database.ConnectionString;
        using var start = new Barrier(8);

        var handles = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new PostgresDatabase(connectionString);
        })));
        foreach (var handle in handles)
        {
            handle.Dispose();
        }

        var expected = PostgresMigrator.LoadMigrations().Select(m => m.Version).ToList();
        Assert.Equal(6, expected.Count);
        Assert.Equal((long)expected.Count, database.Scalar("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(string.Join(',', expected), database.Scalar("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"));
        Assert.Equal(1L, database.Scalar("SELECT COUNT(*) FROM experiments WHERE name = 'Default'"));
    }

    [Fact]
    public void Leaves_an_up_to_date_database_as_it_is()
    {
        var database = Fresh();
        new PostgresDatabase(database.ConnectionString).Dispose();
        var applied = database.Scalar("SELECT string_agg(version || ':' || applied_time, ',' ORDER BY version) FROM schema_migrations");

        new PostgresDatabase(database.ConnectionString).Dispose();

        Assert.Equal(applied, database.Scalar("SELECT string_agg(version || ':' || applied_time, ',' ORDER BY version) FROM schema_migrations"));
    }

    [Fact]
    public void Numbers_the_migrations_like_the_sqlite_ones()
    {
        var postgres = PostgresMigrator.LoadMigrations().Select(m => m.Name).ToList();
        var sqlite = typeof(PostgresMigrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Mlops.Infrastructure.Persistence.Sqlite.Migrations.", StringComparison.Ordinal))
            .Select(n => n["Mlops.Infrastructure.Persistence.Sqlite.Migrations.".Length..^".sql".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(sqlite, postgres);
    }

    private PostgresTestDatabase Fresh()
    {
        var database = new PostgresTestDatabase();
        _databases.Add(database);
        return database;
    }
}

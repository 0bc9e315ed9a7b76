using Mlops.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>
/// A fresh, empty database on the test server for one test class (an xunit class fixture), created on first use
/// and dropped afterwards, so test classes running in parallel never see each other's rows.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    private readonly Lazy<string> _connectionString;

    public PostgresTestDatabase()
    {
        Name = "mlops_test_" + Guid.NewGuid().ToString("N")[..16];
        _connectionString = new Lazy<string>(Create);
    }

    public string Name { get; }

    public string ConnectionString => _connectionString.Value;

    /// <summary>A new handle (its own pool), as another server or worker process would have.</summary>
    public PostgresDatabase Open() => new(ConnectionString);

    public object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        if (!_connectionString.IsValueCreated)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        AdminExecute($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private string Create()
    {
        AdminExecute($"CREATE DATABASE \"{Name}\"");
        return new NpgsqlConnectionStringBuilder(PostgresTestServer.RequireConnectionString()) { Database = Name }.ConnectionString;
    }

    private static void AdminExecute(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgresTestServer.RequireConnectionString()) { Pooling = false };
        using var connection = new NpgsqlConnection(admin.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

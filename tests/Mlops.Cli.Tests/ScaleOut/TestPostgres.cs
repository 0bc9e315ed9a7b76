using Npgsql;

namespace Mlops.Cli.Tests.ScaleOut;

/// <summary>
/// The PostgreSQL server of the tests, from MLOPS_TEST_POSTGRES (a connection string; `.ci/postgres.sh` starts one).
/// Without it the tests skip on a laptop; under CI=true they fail, so a CI that forgot PostgreSQL cannot pass.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "MLOPS_TEST_POSTGRES";

    private static string Missing => $"{Variable} is not set; start a test cluster with `.ci/postgres.sh start` and export what it prints.";

    /// <summary>Why to skip: only on a laptop without PostgreSQL; under CI=true a missing server is never a skip.</summary>
    public static string? SkipReason =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : Missing;

    public static async Task<TestDatabase> CreateDatabaseAsync(string prefix)
    {
        var admin = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : throw new InvalidOperationException("CI=true but " + Missing);
        var name = $"mlops_{prefix}_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"");
        var settings = new NpgsqlConnectionStringBuilder(admin);
        var password = string.IsNullOrEmpty(settings.Password) ? "" : ":" + Uri.EscapeDataString(settings.Password);
        var uri = $"postgresql://{Uri.EscapeDataString(settings.Username ?? "postgres")}{password}@{settings.Host}:{settings.Port}/{name}";
        return new TestDatabase(admin, name, uri);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A fresh database, dropped (connections forced off) on dispose.</summary>
internal sealed record TestDatabase(string AdminConnectionString, string Name, string Uri) : IAsyncDisposable
{
    public string ConnectionString => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Name }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestPostgres.ExecuteAsync(AdminConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }
}

/// <summary>A fact that needs the tests' PostgreSQL server (see <see cref="TestPostgres"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = TestPostgres.SkipReason;
}

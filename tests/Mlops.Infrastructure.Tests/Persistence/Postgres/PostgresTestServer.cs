namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>
/// The PostgreSQL server the tests use, named by <c>MLOPS_TEST_POSTGRES</c> (an Npgsql connection string, e.g.
/// <c>Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres</c>; <c>.ci/postgres.sh start</c> prints one).
/// Without it the PostgreSQL tests are skipped on a developer machine, and fail in CI (<c>CI=true</c>), where
/// skipping would hide that the backend went untested.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "MLOPS_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the PostgreSQL tests are skipped, or null when they run (a server is configured, or this is CI).</summary>
    public static string? SkipReason => ConnectionString is null && !IsCi
        ? $"{Variable} is not set; start a server with .ci/postgres.sh start (README: Running the PostgreSQL tests locally)"
        : null;

    public static string RequireConnectionString() => ConnectionString
        ?? throw new InvalidOperationException(
            $"{Variable} is not set but CI=true: the PostgreSQL tests must run in CI. .ci/run starts a server with .ci/postgres.sh and exports {Variable}.");
}

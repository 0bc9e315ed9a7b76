namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// PostgreSQL's LIKE is already case-sensitive and ILIKE is native. The empty ESCAPE makes a backslash an
/// ordinary character, as it is in SQLite, so one pattern matches the same runs on both backends.
/// </summary>
public sealed class PostgresDialect : ISqlDialect
{
    public static PostgresDialect Instance { get; } = new();

    public string ParameterPrefix => "@";

    public string Like(string column, string patternParameter, bool caseSensitive, SqlFilterCompiler compiler) =>
        $"{column} {(caseSensitive ? "LIKE" : "ILIKE")} {patternParameter} ESCAPE ''";
}

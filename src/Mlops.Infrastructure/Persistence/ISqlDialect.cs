namespace Mlops.Infrastructure.Persistence;

/// <summary>The few places where SQLite and PostgreSQL SQL differ for search.</summary>
public interface ISqlDialect
{
    /// <summary>How a named parameter is written: <c>$</c> for SQLite, <c>@</c> for Npgsql (which reads <c>$1</c> as positional).</summary>
    string ParameterPrefix { get; }


    /// <summary>A LIKE predicate; case-sensitive LIKE as in MLflow, ILIKE case-insensitive.</summary>
    string Like(string column, string patternParameter, bool caseSensitive, SqlFilterCompiler compiler);
}

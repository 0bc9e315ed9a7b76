namespace Mlops.Infrastructure.Persistence;

/// <summary>The few places where SQLite and PostgreSQL SQL differ for search.</summary>
public interface ISqlDialect
{
    /// <summary>A LIKE predicate; case-sensitive LIKE as in MLflow, ILIKE case-insensitive.</summary>
    string Like(string column, string patternParameter, bool caseSensitive, SqlFilterCompiler compiler);
}

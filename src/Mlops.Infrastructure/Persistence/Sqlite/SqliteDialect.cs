using System.Text;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>
/// SQLite's LIKE ignores ASCII case, so a case-sensitive LIKE (MLflow's semantics) is rewritten to GLOB,
/// and ILIKE is a plain LIKE.
/// </summary>
public sealed class SqliteDialect : ISqlDialect
{
    public static SqliteDialect Instance { get; } = new();

    public string ParameterPrefix => "$";

    public string Like(string column, string patternParameter, bool caseSensitive, SqlFilterCompiler compiler)
    {
        if (!caseSensitive)
        {
            return $"{column} LIKE {patternParameter}";
        }

        var index = compiler.Parameters.FindIndex(p => p.Key == patternParameter);
        var glob = ToGlob((string)compiler.Parameters[index].Value);
        compiler.Parameters[index] = new(patternParameter, glob);
        return $"{column} GLOB {patternParameter}";
    }

    internal static string ToGlob(string likePattern)
    {
        var builder = new StringBuilder(likePattern.Length + 8);
        foreach (var c in likePattern)
        {
            builder.Append(c switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}

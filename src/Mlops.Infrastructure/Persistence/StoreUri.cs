using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Persistence;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A backend store URI as MLflow users write it: <c>sqlite:///relative.db</c>, <c>sqlite:////absolute/path.db</c>
/// (SQLAlchemy's convention) or <c>postgresql://user:pass@host:5432/db</c>.
/// </summary>
public sealed record StoreUri(StoreKind Kind, string Target)
{
    public static StoreUri Parse(string uri)
    {
        if (uri.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            var path = uri["sqlite:///".Length..];
            if (path.Length == 0)
            {
                throw MlopsException.Invalid($"Invalid backend store URI '{uri}': a database file path is required, e.g. sqlite:///mlops.db.");
            }

            return new StoreUri(StoreKind.Sqlite, Path.GetFullPath(path));
        }

        // postgresql+psycopg2:// and other SQLAlchemy driver suffixes are accepted as MLflow users write them.
        if (uri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || uri.StartsWith("postgresql+", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreUri(StoreKind.Postgres, uri);
        }

        throw MlopsException.Invalid($"Unsupported backend store URI '{uri}': use sqlite:///<path> or postgresql://user:pass@host:port/db.");
    }
}

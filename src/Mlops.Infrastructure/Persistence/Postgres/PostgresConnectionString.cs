using Mlops.Domain.Common;
using Npgsql;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Turns a backend store URI as MLflow and libpq users write it (<c>postgresql://user:pass@host:5432/db?sslmode=require</c>)
/// into an Npgsql connection string. Query parameters use libpq's names where they differ from Npgsql's
/// (sslmode, connect_timeout, application_name, sslrootcert, ...); any other key Npgsql knows is passed through.
/// </summary>
public static class PostgresConnectionString
{
    private static readonly Dictionary<string, string> LibpqNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["connect_timeout"] = "Timeout",
        ["application_name"] = "Application Name",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["target_session_attrs"] = "Target Session Attributes",
        ["options"] = "Options",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
    };

    public static string FromUri(string uri)
    {
        // SQLAlchemy URIs name a driver (postgresql+psycopg2://); the driver is irrelevant here.
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var normalised = schemeEnd < 0 ? uri : "postgresql" + uri[schemeEnd..];
        if (!Uri.TryCreate(normalised, UriKind.Absolute, out var parsed) || parsed.Scheme != "postgresql")
        {
            throw Invalid(uri, "it is not a postgresql://user:pass@host:port/db URI");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.IsNullOrEmpty(parsed.Host) ? "localhost" : parsed.Host.Trim('[', ']'),
            Port = parsed.IsDefaultPort || parsed.Port < 0 ? 5432 : parsed.Port,
        };
        if (parsed.UserInfo.Length > 0)
        {
            var colon = parsed.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? parsed.UserInfo : parsed.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));

        // libpq's default database is the user's name.
        builder.Database = database.Length > 0 ? database : builder.Username ?? "postgres";
        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            try
            {
                builder[LibpqNames.GetValueOrDefault(key, key)] = key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? SslModeName(value) : value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw Invalid(uri, $"the query parameter '{key}={value}' is not understood ({e.Message})");
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>libpq writes verify-full and verify-ca; Npgsql's enum says VerifyFull and VerifyCA.</summary>
    private static string SslModeName(string libpq) => libpq.ToLowerInvariant() switch
    {
        "verify-full" => "VerifyFull",
        "verify-ca" => "VerifyCA",
        _ => libpq,
    };

    private static MlopsException Invalid(string uri, string reason) =>
        MlopsException.Invalid($"Invalid backend store URI '{Redacted(uri)}': {reason}.");

    /// <summary>The URI without its password, for messages and logs.</summary>
    public static string Redacted(string uri)
    {
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var start = uri.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || start < 0 || at < start)
        {
            return uri;
        }

        var colon = uri.IndexOf(':', start + 3);
        return colon < 0 || colon > at ? uri : uri[..(colon + 1)] + "***" + uri[at..];
    }
}

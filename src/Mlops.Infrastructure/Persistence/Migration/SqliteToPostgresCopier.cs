using Microsoft.Data.Sqlite;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Persistence.Postgres;
using Mlops.Infrastructure.Persistence.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Infrastructure.Persistence.Migration;

/// <summary>
/// `mlops db migrate`: copies everything in a SQLite store (experiments, runs, metrics, artifact references, registry,
/// jobs with their history, studies, endpoints, the prediction log) into an empty PostgreSQL database, table by table
/// with binary COPY in one transaction, keeping every id, then verifies each table by row count and checksum.
/// </summary>
/// <remarks>
/// Both databases are first brought to the latest schema by their own migrations, and the two schemas must match
/// column for column, so the copy is generic over tables and cannot drift from the stores. Identity sequences are
/// moved past the copied ids. Artifacts themselves stay where they are: rows keep their artifact URIs.
/// </remarks>
public static class SqliteToPostgresCopier
{
    public static async Task<IReadOnlyList<TableCopy>> CopyAsync(string sqlitePath, string postgresConnectionString, Action<string> progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(sqlitePath))
        {
            throw MlopsException.NotFound($"No SQLite store at {sqlitePath}.");
        }

        using var sqlite = new SqliteDatabase(sqlitePath);
        await using var postgres = new PostgresDatabase(postgresConnectionString);
        await using var target = await postgres.OpenAsync(cancellationToken);
        using var source = sqlite.Open();
        var tables = await PostgresSchema.ReadAsync(target, cancellationToken);
        foreach (var table in tables)
        {
            RequireSameColumns(source, table);
        }

        await RequireFreshAsync(target, cancellationToken);
        await using (var transaction = await target.BeginTransactionAsync(cancellationToken))
        {
            // The target's migrations seed rows (the Default experiment) that the source has too, with the same ids.
            await ExecuteAsync(target, $"TRUNCATE {string.Join(", ", tables.Select(t => Quote(t.Name)))}", cancellationToken);
            foreach (var table in tables)
            {
                var rows = await CopyTableAsync(source, target, table, cancellationToken);
                await ResetIdentityAsync(target, table, cancellationToken);
                progress($"copied {table.Name}: {rows:N0} rows");
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var report = new List<TableCopy>(tables.Count);
        foreach (var table in tables)
        {
            var (sourceRows, sourceChecksum) = ChecksumSqlite(source, table);
            var (targetRows, targetChecksum) = await ChecksumPostgresAsync(target, table, cancellationToken);
            report.Add(new TableCopy(table.Name, sourceRows, targetRows, sourceChecksum, targetChecksum));
        }

        return report;
    }

    private static void RequireSameColumns(SqliteConnection source, TableShape table)
    {
        using var command = source.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table.Name.Replace("'", "''", StringComparison.Ordinal)}')";
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        var expected = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (!names.SetEquals(expected))
        {
            throw new InvalidOperationException(names.Count == 0
                ? $"The SQLite store has no table {table.Name}; is it from another version of mlops?"
                : $"Table {table.Name} differs: SQLite has ({string.Join(", ", names.Order())}), PostgreSQL has ({string.Join(", ", expected.Order())}).");
        }
    }

    private static async Task RequireFreshAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var counts = new List<string>();
        foreach (var (table, allowed) in new[] { ("runs", 0L), ("registered_models", 0L), ("jobs", 0L), ("studies", 0L), ("endpoints", 0L), ("experiments", 1L) })
        {
            await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {Quote(table)}", target);
            var count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (count > allowed)
            {
                counts.Add($"{count:N0} {table}");
            }
        }

        if (counts.Count > 0)
        {
            throw MlopsException.Invalid($"The target database already holds data ({string.Join(", ", counts)}); migrate into an empty database.");
        }
    }

    private static async Task<long> CopyTableAsync(SqliteConnection source, NpgsqlConnection target, TableShape table, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        using var select = source.CreateCommand();
        select.CommandText = $"SELECT {columns} FROM {Quote(table.Name)}";
        using var reader = select.ExecuteReader();
        await using var copy = await target.BeginBinaryImportAsync($"COPY {Quote(table.Name)} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        long rows = 0;
        while (reader.Read())
        {
            await copy.StartRowAsync(cancellationToken);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                await WriteValueAsync(copy, reader, i, table.Columns[i], cancellationToken);
            }

            rows++;
        }

        await copy.CompleteAsync(cancellationToken);
        return rows;
    }

    private static async Task WriteValueAsync(NpgsqlBinaryImporter copy, SqliteDataReader reader, int i, ColumnShape column, CancellationToken cancellationToken)
    {
        if (reader.IsDBNull(i))
        {
            await copy.WriteNullAsync(cancellationToken);
            return;
        }

        switch (column.Type)
        {
            case "bigint":
                await copy.WriteAsync(reader.GetInt64(i), NpgsqlDbType.Bigint, cancellationToken);
                break;
            case "integer":
                await copy.WriteAsync(checked((int)reader.GetInt64(i)), NpgsqlDbType.Integer, cancellationToken);
                break;
            case "smallint":
                await copy.WriteAsync(checked((short)reader.GetInt64(i)), NpgsqlDbType.Smallint, cancellationToken);
                break;
            case "boolean":
                await copy.WriteAsync(reader.GetInt64(i) != 0, NpgsqlDbType.Boolean, cancellationToken);
                break;
            case "double precision":
                await copy.WriteAsync(reader.GetDouble(i), NpgsqlDbType.Double, cancellationToken);
                break;
            case "real":
                await copy.WriteAsync(reader.GetFloat(i), NpgsqlDbType.Real, cancellationToken);
                break;
            default:
                _ = ValueKinds.Of(column);
                await copy.WriteAsync(reader.GetString(i), NpgsqlDbType.Text, cancellationToken);
                break;
        }
    }

    private static async Task ResetIdentityAsync(NpgsqlConnection target, TableShape table, CancellationToken cancellationToken)
    {
        foreach (var column in table.Columns.Where(c => c.IsIdentity))
        {
            // The next generated id follows the largest copied one (ids start at 1; the Default experiment is 0).
            await ExecuteAsync(target,
                $"SELECT setval(pg_get_serial_sequence('{table.Name}', '{column.Name}'), GREATEST(COALESCE(MAX({Quote(column.Name)}), 0), 1), MAX({Quote(column.Name)}) >= 1) FROM {Quote(table.Name)}",
                cancellationToken);
        }
    }

    private static (long Rows, string Checksum) ChecksumSqlite(SqliteConnection source, TableShape table)
    {
        using var checksum = new RowChecksum();
        using var command = source.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => Quote(c.Name)))} FROM {Quote(table.Name)} ORDER BY {OrderBy(table, collate: " COLLATE BINARY")}";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            checksum.AddRow(table.Columns, reader.IsDBNull, reader.GetInt64, reader.GetDouble, reader.GetString);
        }

        return (checksum.Rows, checksum.Finish());
    }

    private static async Task<(long Rows, string Checksum)> ChecksumPostgresAsync(NpgsqlConnection target, TableShape table, CancellationToken cancellationToken)
    {
        using var checksum = new RowChecksum();
        await using var command = new NpgsqlCommand(
            $"SELECT {string.Join(", ", table.Columns.Select(c => Quote(c.Name)))} FROM {Quote(table.Name)} ORDER BY {OrderBy(table, collate: " COLLATE \"C\"")}", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checksum.AddRow(table.Columns, reader.IsDBNull, i => Convert.ToInt64(reader.GetValue(i) is bool b ? (b ? 1 : 0) : reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture),
                i => Convert.ToDouble(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture), reader.GetString);
        }

        return (checksum.Rows, checksum.Finish());
    }

    // Both sides sort text by bytes (SQLite's BINARY, PostgreSQL's "C"), so rows come in the same order.
    private static string OrderBy(TableShape table, string collate) =>
        string.Join(", ", table.PrimaryKey.Select(k => Quote(k) + (ValueKinds.Of(table.Columns.First(c => c.Name == k)) == ValueKind.Text ? collate : "")));

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

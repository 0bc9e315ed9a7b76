using Npgsql;

namespace Mlops.Infrastructure.Persistence.Migration;

/// <summary>A table of the target database: its columns in order, primary key, and identity columns.</summary>
internal sealed record TableShape(string Name, IReadOnlyList<ColumnShape> Columns, IReadOnlyList<string> PrimaryKey);

/// <summary>A column and its PostgreSQL type name (information_schema's data_type).</summary>
internal sealed record ColumnShape(string Name, string Type, bool IsIdentity);

/// <summary>Reads the tables of the current schema from PostgreSQL's catalog, parents before children.</summary>
internal static class PostgresSchema
{
    public static async Task<IReadOnlyList<TableShape>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, List<ColumnShape>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns " +
            "WHERE table_schema = current_schema() AND table_name IN (SELECT table_name FROM information_schema.tables " +
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations') " +
            "ORDER BY table_name, ordinal_position", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!columns.TryGetValue(table, out var list))
                {
                    columns[table] = list = [];
                }

                list.Add(new ColumnShape(reader.GetString(1), reader.GetString(2), reader.GetString(3) == "YES"));
            }
        }

        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) ON true JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum " +
            "WHERE i.indisprimary AND n.nspname = current_schema() ORDER BY c.relname, k.position", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!keys.TryGetValue(table, out var list))
                {
                    keys[table] = list = [];
                }

                list.Add(reader.GetString(1));
            }
        }

        var parents = columns.Keys.ToDictionary(t => t, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT child.relname, parent.relname FROM pg_constraint f JOIN pg_class child ON child.oid = f.conrelid JOIN pg_class parent ON parent.oid = f.confrelid " +
            "JOIN pg_namespace n ON n.oid = child.relnamespace WHERE f.contype = 'f' AND n.nspname = current_schema()", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (parents.TryGetValue(reader.GetString(0), out var set) && reader.GetString(0) != reader.GetString(1))
                {
                    set.Add(reader.GetString(1));
                }
            }
        }

        return [.. ParentsFirst(parents).Select(t => new TableShape(t, columns[t], keys.TryGetValue(t, out var key) ? key : [.. columns[t].Select(c => c.Name)]))];
    }

    private static List<string> ParentsFirst(Dictionary<string, HashSet<string>> parents)
    {
        var ordered = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < parents.Count)
        {
            var ready = parents.Keys.Where(t => !done.Contains(t) && parents[t].All(done.Contains)).Order(StringComparer.Ordinal).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException("The target schema has a cycle of foreign keys; tables cannot be copied parents first.");
            }

            ordered.AddRange(ready);
            done.UnionWith(ready);
        }

        return ordered;
    }
}

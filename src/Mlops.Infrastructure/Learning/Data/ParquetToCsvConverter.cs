using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mlops.Domain.Common;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Mlops.Infrastructure.Learning.Data;

/// <summary>
/// Turns a Parquet file into a CSV, one row group at a time, so a Parquet dataset goes through the same checks,
/// profile and ML.NET text loader as a CSV one and memory stays bounded by the largest row group. Row numbers
/// carry over unchanged, so an error that names row N of the CSV names row N of the Parquet file.
/// </summary>
public static class ParquetToCsvConverter
{
    public const char Separator = ',';

    /// <summary>Writes <paramref name="csvPath"/> and returns the SHA-256 of the Parquet file itself, the dataset's identity.</summary>
    public static string Convert(string parquetPath, string csvPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(parquetPath))
        {
            throw MlopsException.Invalid($"dataset.path: the file '{parquetPath}' does not exist.");
        }

        using var source = new FileStream(parquetPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        var (columns, rowGroups) = ReadLayout(parquetPath, source, cancellationToken);
        using (var writer = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 16))
        {
            writer.WriteLine(string.Join(Separator, columns.Select(Quote)));
            var line = new StringBuilder();
            for (var group = 0; group < rowGroups; group++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                source.Position = 0;
                var rows = Run(() => ParquetSerializer.DeserializeUntypedAsync(source, null, group, cancellationToken), parquetPath);
                foreach (var row in rows.Data)
                {
                    line.Clear();
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (i > 0)
                        {
                            line.Append(Separator);
                        }

                        // A null is an absent key; it becomes an empty field, which the inspector counts as missing.
                        if (row.TryGetValue(columns[i], out var value) && value is not null)
                        {
                            line.Append(Quote(Format(value)));
                        }
                    }

                    writer.WriteLine(line);
                }
            }
        }

        source.Position = 0;
        return System.Convert.ToHexStringLower(SHA256.HashData(source));
    }

    private static (List<string> Columns, int RowGroups) ReadLayout(string path, Stream source, CancellationToken cancellationToken)
    {
        var reader = Run(() => ParquetReader.CreateAsync(source, null, leaveStreamOpen: true, cancellationToken), path);
        try
        {
            var nested = reader.Schema.Fields.FirstOrDefault(f => f.SchemaType != SchemaType.Data || ((DataField)f).IsArray);
            if (nested is not null)
            {
                throw MlopsException.Invalid($"dataset: the Parquet column '{nested.Name}' is a {nested.SchemaType.ToString().ToLowerInvariant()} or array; only flat columns of numbers, text, booleans and dates can be trained on.");
            }

            return ([.. reader.Schema.Fields.Select(f => f.Name)], reader.RowGroupCount);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The trainer runs synchronously on a worker thread; the library is async-only.</summary>
    private static T Run<T>(Func<Task<T>> read, string path)
    {
        try
        {
            return read().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw MlopsException.Invalid($"dataset.path: '{path}' is not a readable Parquet file: {e.Message}");
        }
    }

    private static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        byte[] bytes => System.Convert.ToBase64String(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Quotes fields holding the separator or a quote. ML.NET's loader reads one line per row, so line breaks inside
    /// text become spaces rather than splitting a row in two.
    /// </summary>
    private static string Quote(string field)
    {
        if (field.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            field = field.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ');
        }

        return field.AsSpan().IndexOfAny(Separator, '"') >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '))
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
    }
}

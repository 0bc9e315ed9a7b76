using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Infrastructure.Persistence.Migration;

/// <summary>
/// A SHA-256 over a table's rows in primary-key order, each value written in one canonical text form whatever the
/// database (whole numbers in decimal, doubles round-trippable, NULL distinct from empty text), so equal data in
/// SQLite and PostgreSQL gives equal checksums.
/// </summary>
internal sealed class RowChecksum : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _row = new();

    public long Rows { get; private set; }

    public void AddRow(IReadOnlyList<ColumnShape> columns, Func<int, bool> isNull, Func<int, long> integer, Func<int, double> real, Func<int, string> text)
    {
        _row.Clear();
        for (var i = 0; i < columns.Count; i++)
        {
            _row.Append(i == 0 ? "" : "\u001f");
            if (isNull(i))
            {
                _row.Append("\u0001NULL");
                continue;
            }

            switch (ValueKinds.Of(columns[i]))
            {
                case ValueKind.Integer:
                    _row.Append(integer(i).ToString(CultureInfo.InvariantCulture));
                    break;
                case ValueKind.Real:
                    _row.Append(real(i).ToString("R", CultureInfo.InvariantCulture));
                    break;
                default:
                    _row.Append(text(i));
                    break;
            }
        }

        _row.Append('\u001e');
        _hash.AppendData(Encoding.UTF8.GetBytes(_row.ToString()));
        Rows++;
    }

    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}

internal enum ValueKind
{
    Integer,
    Real,
    Text,
}

internal static class ValueKinds
{
    public static ValueKind Of(ColumnShape column) => column.Type switch
    {
        "bigint" or "integer" or "smallint" or "boolean" => ValueKind.Integer,
        "double precision" or "real" or "numeric" => ValueKind.Real,
        "text" or "character varying" or "character" => ValueKind.Text,
        _ => throw new InvalidOperationException($"Column {column.Name} has type {column.Type}, which the copy between backends does not handle."),
    };
}

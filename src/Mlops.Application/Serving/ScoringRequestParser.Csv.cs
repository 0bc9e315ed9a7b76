using System.Buffers;
using System.Text;
using Mlops.Domain.Common;
using static Mlops.Application.Serving.ScoringSchema;

namespace Mlops.Application.Serving;

/// <summary>The text/csv body: a header row naming the columns, then one row per line, as pandas' to_csv writes it.</summary>
public static partial class ScoringRequestParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static int ReadCsv(ReadOnlySpan<byte> body, BatchBuilder builder)
    {
        var csv = new CsvReader(body);
        if (!csv.NextRecord())
        {
            throw MlopsException.Invalid("The CSV body is empty; it needs a header row and at least one data row.");
        }

        var positions = ArrayPool<int>.Shared.Rent(Math.Max(16, builder.Schema.Count));
        try
        {
            var columnCount = 0;
            while (csv.TryReadField(out var field))
            {
                if (columnCount == positions.Length)
                {
                    var larger = ArrayPool<int>.Shared.Rent(columnCount * 2);
                    positions.CopyTo(larger, 0);
                    ArrayPool<int>.Shared.Return(positions);
                    positions = larger;
                }

                // pandas' to_csv writes the index as a first column with an empty name; it is not a model input.
                var name = field.ToText();
                var column = name.Length == 0 ? -1 : builder.Schema.IndexOf(name);
                if (column >= 0 && !builder.MarkPresent(column, unique: true))
                {
                    throw MlopsException.Invalid($"The column '{name}' appears twice in the CSV header.");
                }

                positions[columnCount++] = column;
            }

            var row = 0;
            while (csv.NextRecord())
            {
                builder.CheckRowLimit(row);
                var count = 0;
                while (csv.TryReadField(out var field))
                {
                    if (count == columnCount)
                    {
                        while (csv.TryReadField(out _))
                        {
                            count++;
                        }

                        throw RaggedCsvRow(row, csv.RecordLine, count + 1, columnCount);
                    }

                    var column = positions[count++];
                    if (column >= 0)
                    {
                        ReadCsvValue(field, builder, column, row);
                    }
                }

                if (count != columnCount)
                {
                    throw RaggedCsvRow(row, csv.RecordLine, count, columnCount);
                }

                row++;
            }

            return row;
        }
        catch (DecoderFallbackException)
        {
            throw MlopsException.Invalid("The request body is not valid UTF-8.");
        }
        finally
        {
            ArrayPool<int>.Shared.Return(positions);
        }
    }

    private static MlopsException RaggedCsvRow(int row, int line, int count, int columns) =>
        MlopsException.Invalid($"Row {row} of the CSV (line {line}) has {count} fields, but the header has {columns} columns.");

    /// <summary>
    /// Unquoted fields that pandas' read_csv reads as missing by default (NA, NaN, null, N/A, None, the empty field, ...)
    /// are missing here too; a quoted field is always a value.
    /// </summary>
    private static void ReadCsvValue(CsvField field, BatchBuilder builder, int index, int row)
    {
        ref var buffer = ref builder.At(index, row);
        var column = builder.Schema.Columns[index];
        var missing = !field.Quoted && IsPandasMissing(field.Raw);
        switch (column.Kind)
        {
            case ValueKind.Text:
                buffer.Texts![row] = missing ? null : field.ToText();
                break;
            case ValueKind.Boolean:
                buffer.Flags![row] = missing ? MissingBoolean(column, row)
                    : TryParseBoolean(field.Raw, out var flag) ? flag
                    : throw BadValue(column, row, $"\"{Truncate(field.ToText())}\" is not a boolean (true, false, 1 or 0)");
                buffer.LastRow = row;
                break;
            default:
                buffer.Numbers![row] = missing || field.Raw.IsEmpty ? float.NaN : ParseNumber(field.Raw, column, row);
                break;
        }
    }

    private static bool IsPandasMissing(ReadOnlySpan<byte> value) => value.Length switch
    {
        0 => true,
        2 => value.SequenceEqual("NA"u8),
        3 => value.SequenceEqual("NaN"u8) || value.SequenceEqual("nan"u8) || value.SequenceEqual("N/A"u8) || value.SequenceEqual("n/a"u8)
            || value.SequenceEqual("#NA"u8),
        4 => value.SequenceEqual("null"u8) || value.SequenceEqual("NULL"u8) || value.SequenceEqual("None"u8) || value.SequenceEqual("-NaN"u8)
            || value.SequenceEqual("-nan"u8) || value.SequenceEqual("<NA>"u8) || value.SequenceEqual("#N/A"u8),
        6 => value.SequenceEqual("1.#IND"u8),
        7 => value.SequenceEqual("-1.#IND"u8) || value.SequenceEqual("1.#QNAN"u8),
        8 => value.SequenceEqual("-1.#QNAN"u8) || value.SequenceEqual("#N/A N/A"u8),
        _ => false,
    };

    /// <summary>One CSV field: the bytes between the quotes for a quoted field, with doubled quotes still doubled.</summary>
    private readonly ref struct CsvField(ReadOnlySpan<byte> raw, bool quoted, bool escaped)
    {
        public ReadOnlySpan<byte> Raw { get; } = raw;

        public bool Quoted { get; } = quoted;

        public string ToText()
        {
            var text = s_strictUtf8.GetString(Raw);
            return escaped ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
        }
    }

    /// <summary>
    /// RFC 4180 records: comma-separated fields, quoted fields may hold commas, newlines and doubled quotes, records end
    /// at LF, CRLF or CR. Blank lines are skipped, as pandas does.
    /// </summary>
    private ref struct CsvReader(ReadOnlySpan<byte> text)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _position;
        private int _line = 1;
        private bool _recordEnded = true;

        /// <summary>The 1-based line on which the current record starts.</summary>
        public int RecordLine { get; private set; }

        public bool NextRecord()
        {
            while (_position < _text.Length && _text[_position] is (byte)'\r' or (byte)'\n')
            {
                SkipNewline();
            }

            RecordLine = _line;
            _recordEnded = _position >= _text.Length;
            return !_recordEnded;
        }

        public bool TryReadField(out CsvField field)
        {
            if (_recordEnded)
            {
                field = default;
                return false;
            }

            if (_position < _text.Length && _text[_position] == (byte)'"')
            {
                var start = _position + 1;
                var i = start;
                var escaped = false;
                while (true)
                {
                    var quote = _text[i..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        throw MlopsException.Invalid($"The CSV has a quoted field that starts on line {_line} and is never closed.");
                    }

                    _line += _text.Slice(i, quote).Count((byte)'\n');
                    i += quote;
                    if (i + 1 < _text.Length && _text[i + 1] == (byte)'"')
                    {
                        escaped = true;
                        i += 2;
                        continue;
                    }

                    break;
                }

                field = new CsvField(_text[start..i], quoted: true, escaped);
                _position = i + 1;
                if (_position < _text.Length && _text[_position] is not ((byte)',' or (byte)'\r' or (byte)'\n'))
                {
                    throw MlopsException.Invalid($"The CSV has a character after a closing quote on line {_line}; a quoted field must be followed by a comma or the end of the line.");
                }
            }
            else
            {
                var length = _text[_position..].IndexOfAny((byte)',', (byte)'\r', (byte)'\n');
                var end = length < 0 ? _text.Length : _position + length;
                field = new CsvField(_text[_position..end], quoted: false, escaped: false);
                _position = end;
            }

            if (_position >= _text.Length)
            {
                _recordEnded = true;
            }
            else if (_text[_position] == (byte)',')
            {
                _position++;
            }
            else
            {
                SkipNewline();
                _recordEnded = true;
            }

            return true;
        }

        private void SkipNewline()
        {
            _position += _text[_position] == (byte)'\r' && _position + 1 < _text.Length && _text[_position + 1] == (byte)'\n' ? 2 : 1;
            _line++;
        }
    }
}

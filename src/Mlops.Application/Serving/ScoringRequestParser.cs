using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;
using static Mlops.Application.Serving.ScoringSchema;

namespace Mlops.Application.Serving;

/// <summary>
/// Reads a scoring request body in the protocol of MLflow 2.x's pyfunc scoring server (<c>mlflow models serve</c>)
/// into a <see cref="ScoringBatch"/> checked against the model's input columns.
/// </summary>
/// <remarks>
/// <para>
/// <c>application/json</c> bodies are an object with exactly one of <c>dataframe_split</c>
/// (<c>{"columns": [...], "data": [[...], ...], "index": [...]}</c>), <c>dataframe_records</c>
/// (<c>[{"column": value, ...}, ...]</c>), <c>instances</c> or <c>inputs</c> (a list of records, an object of
/// columns <c>{"column": [values]}</c>, or for a model with one input column a list of its values). A <c>params</c>
/// object and other keys are ignored, as MLflow ignores them for a model that takes no parameters. MLflow 1.x's
/// <c>application/json; format=pandas-split</c> and <c>format=pandas-records</c> (the bare split object or records
/// list) and <c>text/csv</c> (a header row, then one row per line, RFC 4180 quoting) are read too.
/// </para>
/// <para>
/// Values are checked per column, leniently where MLflow is: numeric columns take numbers and numeric strings
/// (double and float columns take whole numbers, long and integer columns take whole-valued decimals), boolean columns
/// take true/false and 1/0, and null is a missing value (NaN in a numeric column, null in a string column; ML.NET
/// models replace missing values). Columns the signature does not name are ignored; an optional column that is absent
/// is all missing (NaN, null, or false for a boolean). Rows are numbered from 0, as in the request's data list.
/// Every failure is an <see cref="MlopsException"/>: <see cref="ErrorKind.LimitExceeded"/> for more than
/// <c>maxRows</c> rows, <see cref="ErrorKind.InvalidArgument"/> naming the column and row otherwise.
/// </para>
/// </remarks>
public static partial class ScoringRequestParser
{
    public const int DefaultMaxRows = 100_000;

    private const string RequiredInputFormat =
        "The input must be a JSON dictionary with exactly one of the input fields 'dataframe_split', 'dataframe_records', 'instances' or 'inputs'";

    private static readonly JsonReaderOptions s_readerOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };
    private static readonly double[] s_powersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    private enum BodyFormat
    {
        Json,
        PandasSplit,
        PandasRecords,
        Csv,
    }

    /// <summary>Parses against a signature; when serving, build a <see cref="ScoringSchema"/> once and use the other overload.</summary>
    public static ScoringBatch Parse(ReadOnlySpan<byte> body, string? contentType, ModelSignature signature, int maxRows = DefaultMaxRows) =>
        Parse(body, contentType, ScoringSchema.From(signature), maxRows);

    public static ScoringBatch Parse(ReadOnlySpan<byte> body, string? contentType, ScoringSchema schema, int maxRows = DefaultMaxRows)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var format = FormatOf(contentType);
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var builder = new BatchBuilder(schema, maxRows);
        try
        {
            var rows = format == BodyFormat.Csv ? ReadCsv(body, builder) : ReadJson(body, format, builder);
            return builder.Build(rows);
        }
        finally
        {
            builder.Return();
        }
    }

    private static BodyFormat FormatOf(string? contentType)
    {
        // The common case, compared without splitting.
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return BodyFormat.Json;
        }

        if (string.IsNullOrWhiteSpace(contentType))
        {
            throw MlopsException.Invalid("The request has no Content-Type; send application/json or text/csv.");
        }

        var rest = contentType.AsSpan();
        var end = rest.IndexOf(';');
        var media = (end < 0 ? rest : rest[..end]).Trim();
        var format = media.Equals("application/json", StringComparison.OrdinalIgnoreCase) ? BodyFormat.Json
            : media.Equals("text/csv", StringComparison.OrdinalIgnoreCase) ? BodyFormat.Csv
            : throw MlopsException.Invalid($"This predictor only supports the content types application/json and text/csv; got '{contentType}'.");
        while (end >= 0)
        {
            rest = rest[(end + 1)..];
            end = rest.IndexOf(';');
            var parameter = (end < 0 ? rest : rest[..end]).Trim();
            if (parameter.IsEmpty)
            {
                continue;
            }

            var equals = parameter.IndexOf('=');
            var name = (equals < 0 ? parameter : parameter[..equals]).Trim();
            var value = equals < 0 ? [] : parameter[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                {
                    throw MlopsException.Invalid($"The scoring server only supports UTF-8; got charset={value}.");
                }
            }
            else if (name.Equals("format", StringComparison.OrdinalIgnoreCase) && format == BodyFormat.Json
                && (value.Equals("pandas-split", StringComparison.OrdinalIgnoreCase) || value.Equals("pandas-records", StringComparison.OrdinalIgnoreCase)))
            {
                format = value.Equals("pandas-split", StringComparison.OrdinalIgnoreCase) ? BodyFormat.PandasSplit : BodyFormat.PandasRecords;
            }
            else
            {
                throw MlopsException.Invalid(
                    $"Unrecognized content type parameter '{parameter}' in '{contentType}'. Send application/json with one of the keys "
                    + "dataframe_split, dataframe_records, instances or inputs (the MLflow 2 scoring protocol), or text/csv.");
            }
        }

        return format;
    }

    private static int ReadJson(ReadOnlySpan<byte> body, BodyFormat format, BatchBuilder builder, bool rewritten = false)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw MlopsException.Invalid("The request body is empty.");
        }

        try
        {
            var reader = new Utf8JsonReader(body, s_readerOptions);
            reader.Read();

            var rows = format switch
            {
                BodyFormat.PandasSplit => ReadSplit(ref reader, builder),
                BodyFormat.PandasRecords => reader.TokenType == JsonTokenType.StartArray
                    ? ReadRecords(ref reader, builder, "The body")
                    : throw MlopsException.Invalid($"With format=pandas-records the body must be a list of records. Got {Describe(ref reader)}."),
                _ => ReadEnvelope(ref reader, builder),
            };

            // Throws on anything after the top-level value.
            reader.Read();
            return rows;
        }
        catch (JsonException) when (!rewritten && RewritePythonLiterals(body) is { } strict)
        {
            builder.Reset();
            return ReadJson(strict, format, builder, rewritten: true);
        }
        catch (JsonException e)
        {
            throw MlopsException.Invalid($"The request body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e) when (e.InnerException is DecoderFallbackException)
        {
            throw MlopsException.Invalid("The request body is not valid UTF-8.");
        }
    }

    /// <summary>The MLflow 2 envelope: exactly one of the four input keys, beside which anything else is ignored.</summary>
    private static int ReadEnvelope(ref Utf8JsonReader reader, BatchBuilder builder)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw MlopsException.Invalid($"{RequiredInputFormat}. Received {Describe(ref reader)}.");
        }

        string? input = null;
        List<string>? others = null;
        var rows = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.ValueTextEquals("dataframe_split"u8) ? "dataframe_split"
                : reader.ValueTextEquals("dataframe_records"u8) ? "dataframe_records"
                : reader.ValueTextEquals("instances"u8) ? "instances"
                : reader.ValueTextEquals("inputs"u8) ? "inputs"
                : null;
            if (key is null)
            {
                (others ??= []).Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
                continue;
            }

            if (input is not null)
            {
                throw MlopsException.Invalid($"{RequiredInputFormat}. Received both '{input}' and '{key}'.");
            }

            input = key;
            reader.Read();
            rows = key switch
            {
                "dataframe_split" => ReadSplit(ref reader, builder),
                "dataframe_records" => reader.TokenType == JsonTokenType.StartArray
                    ? ReadRecords(ref reader, builder, "dataframe_records")
                    : throw MlopsException.Invalid($"Dataframe records format must be a list of records. Got {Describe(ref reader)}."),
                _ => ReadTensorStyle(ref reader, builder, key),
            };
        }

        return input is not null
            ? rows
            : throw MlopsException.Invalid($"{RequiredInputFormat}. Received dictionary with input fields: [{string.Join(", ", others ?? [])}].");
    }

    /// <summary>
    /// <c>instances</c> and <c>inputs</c>, MLflow's TF-serving-style keys, as they apply to a column-based model: a list of
    /// records, an object of columns, or, when the model has one input column, a list of that column's values.
    /// </summary>
    private static int ReadTensorStyle(ref Utf8JsonReader reader, BatchBuilder builder, string key)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return ReadColumns(ref reader, builder);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw MlopsException.Invalid($"'{key}' must be a list of records or an object of columns. Got {Describe(ref reader)}.");
        }

        var peek = reader;
        peek.Read();
        if (peek.TokenType is JsonTokenType.StartObject or JsonTokenType.EndArray)
        {
            return ReadRecords(ref reader, builder, key);
        }

        if (builder.Schema.Count != 1)
        {
            throw MlopsException.Invalid(
                $"'{key}' is a list of values, which only a model with one input column takes; this model has {builder.Schema.Count}. "
                + "Send a list of records ([{\"column\": value, ...}]) or an object of columns ({\"column\": [values]}).");
        }

        builder.MarkPresent(0, unique: true);
        var count = ReadColumnValues(ref reader, builder, 0);
        builder.SetCount(0, count);
        return count;
    }

    private static int ReadSplit(ref Utf8JsonReader reader, BatchBuilder builder)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw MlopsException.Invalid($"Dataframe split format must be a dictionary. Got {Describe(ref reader)}.");
        }

        int[]? positions = null;
        var columnCount = 0;
        var rows = -1;
        var deferred = default(Utf8JsonReader);
        var hasDeferred = false;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("columns"u8))
                {
                    reader.Read();
                    columnCount = ReadSplitColumns(ref reader, builder, ref positions);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    if (positions is null)
                    {
                        // "data" came before "columns": come back to it with a copy of the reader.
                        deferred = reader;
                        hasDeferred = true;
                        reader.Skip();
                    }
                    else
                    {
                        rows = ReadSplitData(ref reader, builder, positions.AsSpan(0, columnCount));
                    }
                }
                else if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    reader.Skip();
                }
                else
                {
                    throw MlopsException.Invalid(
                        $"Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got '{reader.GetString()}'.");
                }
            }

            if (rows < 0 && !hasDeferred)
            {
                throw MlopsException.Invalid("Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields. Got no 'data'.");
            }

            if (positions is null)
            {
                throw MlopsException.Invalid("Dataframe split input has no 'columns'; the model's inputs are matched by name, so the columns must be named.");
            }

            return hasDeferred ? ReadSplitData(ref deferred, builder, positions.AsSpan(0, columnCount)) : rows;
        }
        finally
        {
            if (positions is not null)
            {
                ArrayPool<int>.Shared.Return(positions);
            }
        }
    }

    /// <summary>Maps each position of the request's columns to a schema column, or -1 for a column the model does not take.</summary>
    private static int ReadSplitColumns(ref Utf8JsonReader reader, BatchBuilder builder, ref int[]? positions)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw MlopsException.Invalid($"Dataframe split 'columns' must be a list of column names. Got {Describe(ref reader)}.");
        }

        if (positions is not null)
        {
            throw MlopsException.Invalid("Dataframe split input has 'columns' twice.");
        }

        positions = ArrayPool<int>.Shared.Rent(Math.Max(16, builder.Schema.Count));
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == positions.Length)
            {
                var larger = ArrayPool<int>.Shared.Rent(count * 2);
                positions.CopyTo(larger, 0);
                ArrayPool<int>.Shared.Return(positions);
                positions = larger;
            }

            var column = reader.TokenType switch
            {
                JsonTokenType.String => builder.Schema.IndexOf(ref reader, count),

                // pandas allows numbered columns; no signature column has such a name.
                JsonTokenType.Number => -1,
                _ => throw MlopsException.Invalid($"Dataframe split 'columns' must be a list of column names; item {count} is {Describe(ref reader)}."),
            };
            if (column >= 0 && !builder.MarkPresent(column, unique: true))
            {
                throw MlopsException.Invalid($"The column '{builder.Schema.Columns[column].Name}' appears twice in the dataframe split 'columns'.");
            }

            positions[count++] = column;
        }

        return count;
    }

    private static int ReadSplitData(ref Utf8JsonReader reader, BatchBuilder builder, ReadOnlySpan<int> positions)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw MlopsException.Invalid($"Dataframe split 'data' must be a list of rows. Got {Describe(ref reader)}.");
        }

        var row = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            builder.CheckRowLimit(row);
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (count == positions.Length)
                    {
                        throw RaggedRow(ref reader, row, positions.Length, count);
                    }

                    var column = positions[count++];
                    if (column < 0)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        ReadValue(ref reader, builder, column, row);
                    }
                }

                if (count != positions.Length)
                {
                    throw MlopsException.Invalid($"Row {row} of the dataframe split data has {count} values, but there are {positions.Length} columns.");
                }
            }
            else if (positions.Length == 1 && reader.TokenType != JsonTokenType.StartObject)
            {
                // pandas reads one-dimensional data as a single column.
                if (positions[0] >= 0)
                {
                    ReadValue(ref reader, builder, positions[0], row);
                }
            }
            else
            {
                throw MlopsException.Invalid($"Row {row} of the dataframe split data is {Describe(ref reader)}, not a list of values.");
            }

            row++;
        }

        return row;
    }

    private static MlopsException RaggedRow(ref Utf8JsonReader reader, int row, int columns, int count)
    {
        do
        {
            reader.Skip();
            count++;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

        return MlopsException.Invalid($"Row {row} of the dataframe split data has {count} values, but there are {columns} columns.");
    }

    private static int ReadRecords(ref Utf8JsonReader reader, BatchBuilder builder, string what)
    {
        var row = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw MlopsException.Invalid($"{what} must be a list of records; item {row} is {Describe(ref reader)}, not an object.");
            }

            builder.CheckRowLimit(row);
            var expected = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var column = builder.Schema.IndexOf(ref reader, expected);
                reader.Read();
                if (column < 0)
                {
                    reader.Skip();
                    continue;
                }

                builder.MarkPresent(column, unique: false);
                ReadValue(ref reader, builder, column, row);
                expected = column + 1;
            }

            builder.EndRecord(row);
            row++;
        }

        return row;
    }

    /// <summary>An object of columns, <c>{"column": [values], ...}</c>; a scalar instead of a list is one row.</summary>
    private static int ReadColumns(ref Utf8JsonReader reader, BatchBuilder builder)
    {
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = builder.Schema.IndexOf(ref reader, expected);
            reader.Read();
            if (column < 0)
            {
                reader.Skip();
                continue;
            }

            if (!builder.MarkPresent(column, unique: true))
            {
                throw MlopsException.Invalid($"The column '{builder.Schema.Columns[column].Name}' appears twice.");
            }

            int count;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                count = ReadColumnValues(ref reader, builder, column);
            }
            else
            {
                ReadValue(ref reader, builder, column, 0);
                count = 1;
            }

            builder.SetCount(column, count);
            expected = column + 1;
        }

        return builder.CommonCount();
    }

    private static int ReadColumnValues(ref Utf8JsonReader reader, BatchBuilder builder, int column)
    {
        var row = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            builder.CheckRowLimit(row);
            ReadValue(ref reader, builder, column, row);
            row++;
        }

        return row;
    }

    private static void ReadValue(ref Utf8JsonReader reader, BatchBuilder builder, int index, int row)
    {
        ref var buffer = ref builder.At(index, row);
        var column = builder.Schema.Columns[index];
        switch (column.Kind)
        {
            case ValueKind.Text:
                buffer.Texts![row] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    _ => throw BadValue(column, row, $"{Describe(ref reader)} is not a string"),
                };
                break;
            case ValueKind.Boolean:
                buffer.Flags![row] = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Number when reader.TryGetDouble(out var number) && number is 0d or 1d => number == 1d,
                    JsonTokenType.String when !reader.ValueIsEscaped && TryParseBoolean(reader.ValueSpan, out var flag) => flag,
                    JsonTokenType.Null => MissingBoolean(column, row),
                    _ => throw BadValue(column, row, $"{Describe(ref reader)} is not a boolean (true, false, 1 or 0)"),
                };
                buffer.LastRow = row;
                break;
            default:
                buffer.Numbers![row] = reader.TokenType switch
                {
                    JsonTokenType.Number when TryParseShortDecimal(reader.ValueSpan, out var number) =>
                        column.Kind == ValueKind.Real ? ToReal(number, column, row) : ToWhole(number, column, row),
                    JsonTokenType.Number when column.Kind == ValueKind.Real && reader.TryGetDouble(out var real) => ToReal(real, column, row),
                    JsonTokenType.Number when column.Kind != ValueKind.Real && reader.TryGetInt64(out var whole) => ToWhole(whole, column, row),
                    JsonTokenType.Number when reader.TryGetDouble(out var other) => ToWhole(other, column, row),
                    JsonTokenType.String => ParseNumber(reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan, column, row),
                    JsonTokenType.Null => float.NaN,
                    _ => throw BadValue(column, row, $"{Describe(ref reader)} is not a number"),
                };
                break;
        }
    }

    /// <summary>
    /// Numbers are stored as float (Single) because ML.NET models take Single features; a double column keeps about seven
    /// significant digits, and a value beyond Single's range is refused rather than turned into infinity.
    /// </summary>
    private static float ToReal(double value, Column column, int row)
    {
        var single = (float)value;
        return float.IsInfinity(single) && double.IsFinite(value)
            ? throw BadValue(column, row, $"{Show(value)} is outside the range of a 32-bit float, which the model takes")
            : single;
    }

    private static float ToWhole(long value, Column column, int row) =>
        column.Kind == ValueKind.Integer && value is < int.MinValue or > int.MaxValue
            ? throw BadValue(column, row, $"{value.ToString(CultureInfo.InvariantCulture)} is outside the range of a 32-bit integer")
            : value;

    /// <summary>
    /// MLflow's pandas cast truncates 2.7 to 2 in a long column; a fractional value is refused instead, since a
    /// silently changed feature gives a silently wrong prediction.
    /// </summary>
    private static float ToWhole(double value, Column column, int row)
    {
        if (double.IsNaN(value))
        {
            return float.NaN;
        }

        if (double.IsInfinity(value) || Math.Floor(value) != value)
        {
            throw BadValue(column, row, $"{Show(value)} is not a whole number");
        }

        var limit = column.Kind == ValueKind.Integer ? 2147483648.0 : 9223372036854775808.0;
        return value >= limit || value < -limit
            ? throw BadValue(column, row, $"{Show(value)} is outside the range of a {(column.Kind == ValueKind.Integer ? 32 : 64)}-bit integer")
            : (float)value;
    }

    private static float ParseNumber(ReadOnlySpan<byte> text, Column column, int row)
    {
        if (!TryParseShortDecimal(text, out var value) && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            throw BadValue(column, row, $"\"{Truncate(Encoding.UTF8.GetString(text))}\" is not a number");
        }

        return column.Kind == ValueKind.Real ? ToReal(value, column, row) : ToWhole(value, column, row);
    }

    /// <summary>
    /// Reads the common number shape, an optional minus, at most 15 digits and an optional decimal point, several times
    /// faster than the general parser (which is most of the cost of a request). The digits fit a double exactly, and so
    /// does the power of ten, so one correctly rounded division gives exactly what the general parser gives.
    /// </summary>
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        ulong digits = 0;
        var count = 0;
        var decimals = -1;
        for (var i = negative ? 1 : 0; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                digits = (digits * 10) + digit;
                count++;
                if (decimals >= 0)
                {
                    decimals++;
                }
            }
            else if (text[i] != (byte)'.' || decimals >= 0)
            {
                value = 0;
                return false;
            }
            else
            {
                decimals = 0;
            }
        }

        if (count is 0 or > 15)
        {
            value = 0;
            return false;
        }

        value = decimals > 0 ? digits / s_powersOfTen[decimals] : digits;
        value = negative ? -value : value;
        return true;
    }

    private static bool TryParseBoolean(ReadOnlySpan<byte> text, out bool value)
    {
        text = text.Trim(" \t"u8);
        value = text.Length == 1 ? text[0] == (byte)'1' : Ascii.EqualsIgnoreCase(text, "true"u8);
        return text.Length == 1 ? text[0] is (byte)'0' or (byte)'1' : value || Ascii.EqualsIgnoreCase(text, "false"u8);
    }

    private static bool MissingBoolean(Column column, int row) =>
        column.Required ? throw BadValue(column, row, "the value is missing, and a boolean column needs true or false") : false;

    private static MlopsException BadValue(Column column, int row, string problem) =>
        MlopsException.Invalid($"Column '{column.Name}' ({column.Type}), row {row.ToString(CultureInfo.InvariantCulture)}: {problem}.");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.String => $"\"{Truncate(reader.GetString()!)}\"",
        JsonTokenType.Number => Truncate(Encoding.UTF8.GetString(reader.ValueSpan)),
        _ => reader.TokenType.ToString(),
    };

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");

    /// <summary>
    /// Python's json module writes NaN, Infinity and -Infinity bare (json.dumps of a DataFrame with missing values does),
    /// and MLflow reads them back. Strict JSON has no such tokens, so a body that fails to parse is retried once with
    /// them outside strings rewritten to null, "Infinity" and "-Infinity". Null when there is nothing to rewrite.
    /// </summary>
    private static byte[]? RewritePythonLiterals(ReadOnlySpan<byte> body)
    {
        var output = new ArrayBufferWriter<byte>(body.Length + 64);
        var inString = false;
        var changed = false;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            ReadOnlySpan<byte> replacement;
            int length;
            if (b == (byte)'"')
            {
                inString = true;
                continue;
            }
            else if (b == (byte)'N' && body[i..].StartsWith("NaN"u8))
            {
                replacement = "null"u8;
                length = 3;
            }
            else if (b == (byte)'I' && body[i..].StartsWith("Infinity"u8))
            {
                replacement = "\"Infinity\""u8;
                length = 8;
            }
            else if (b == (byte)'-' && body[i..].StartsWith("-Infinity"u8))
            {
                replacement = "\"-Infinity\""u8;
                length = 9;
            }
            else
            {
                continue;
            }

            output.Write(body[start..i]);
            output.Write(replacement);
            i += length - 1;
            start = i + 1;
            changed = true;
        }

        if (!changed)
        {
            return null;
        }

        output.Write(body[start..]);
        return output.WrittenSpan.ToArray();
    }
}

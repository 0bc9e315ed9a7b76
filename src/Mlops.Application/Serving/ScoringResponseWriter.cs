using System.Buffers;
using System.Text.Json;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>
/// Writes a model's answers in the response shape of MLflow's scoring server: <c>{"predictions": [...]}</c> holding one
/// record per row (<c>{"PredictedLabel": true, "Score": 3.2, "Probability": 0.96}</c>) when the model has several
/// output columns, and one plain value per row when it has one, as MLflow writes a DataFrame and an array.
/// </summary>
/// <remarks>
/// Numbers are written with the shortest text that reads back as the same float. MLflow's <c>json.dump</c> writes NaN
/// and infinities as the bare tokens <c>NaN</c> and <c>Infinity</c>, which are not JSON and which strict parsers (.NET,
/// JavaScript, Go) refuse; they are written as <c>null</c> instead, as pandas' <c>to_json</c> does.
/// </remarks>
public static class ScoringResponseWriter
{
    private static readonly JsonEncodedText s_predictions = JsonEncodedText.Encode("predictions");

    // Our own writes are well formed, so the writer's structural checks are skipped.
    private static readonly JsonWriterOptions s_options = new() { SkipValidation = true };

    // Writing is synchronous, so one writer per thread is reused instead of allocating one per response.
    [ThreadStatic]
    private static Utf8JsonWriter? s_writer;

    public static void Write(IBufferWriter<byte> output, ScoringResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var json = s_writer;
        if (json is null)
        {
            json = s_writer = new Utf8JsonWriter(output, s_options);
        }
        else
        {
            json.Reset(output);
        }

        try
        {
            json.WriteStartObject();
            json.WritePropertyName(s_predictions);
            json.WriteStartArray();
            var columns = result.Columns;
            if (columns.Count == 1)
            {
                WriteColumn(json, columns[0], result.RowCount);
            }
            else if (columns.Count > 1)
            {
                WriteRecords(json, columns, result.RowCount);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
        }
        finally
        {
            // Let go of the response's buffer writer; the cached writer must not keep it alive.
            json.Reset(NoOutput.Instance);
        }
    }

    private static void WriteColumn(Utf8JsonWriter json, ScoringColumn column, int rows)
    {
        switch (column)
        {
            case NumberColumn numbers:
                foreach (var value in numbers.Values.AsSpan(0, rows))
                {
                    WriteNumber(json, value);
                }

                break;
            case TextColumn texts:
                foreach (var value in texts.Values.AsSpan(0, rows))
                {
                    json.WriteStringValue(value);
                }

                break;
            case BooleanColumn flags:
                foreach (var value in flags.Values.AsSpan(0, rows))
                {
                    json.WriteBooleanValue(value);
                }

                break;
            default:
                throw new NotSupportedException($"Cannot write a {column.GetType().Name}.");
        }
    }

    private static void WriteRecords(Utf8JsonWriter json, IReadOnlyList<ScoringColumn> columns, int rows)
    {
        // With many rows, property names are escaped once per response rather than once per row.
        JsonEncodedText[]? names = null;
        if (rows > 4)
        {
            names = new JsonEncodedText[columns.Count];
            for (var c = 0; c < names.Length; c++)
            {
                names[c] = JsonEncodedText.Encode(columns[c].Name);
            }
        }

        for (var row = 0; row < rows; row++)
        {
            json.WriteStartObject();
            for (var c = 0; c < columns.Count; c++)
            {
                if (names is null)
                {
                    json.WritePropertyName(columns[c].Name);
                }
                else
                {
                    json.WritePropertyName(names[c]);
                }

                switch (columns[c])
                {
                    case NumberColumn numbers:
                        WriteNumber(json, numbers.Values[row]);
                        break;
                    case TextColumn texts:
                        json.WriteStringValue(texts.Values[row]);
                        break;
                    case BooleanColumn flags:
                        json.WriteBooleanValue(flags.Values[row]);
                        break;
                    default:
                        throw new NotSupportedException($"Cannot write a {columns[c].GetType().Name}.");
                }
            }

            json.WriteEndObject();
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    /// <summary>Parks the cached writer between responses; nothing is ever written to it.</summary>
    private sealed class NoOutput : IBufferWriter<byte>
    {
        public static readonly NoOutput Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("The idle scoring response writer was written to.");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("The idle scoring response writer was written to.");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("The idle scoring response writer was written to.");
    }
}

using System.Text;
using System.Text.Json;
using Mlops.Domain.Deployments;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>
/// Writes scoring columns as the prediction log keeps them: <c>{"columns": [...], "data": [[...], ...]}</c>, the
/// <c>dataframe_split</c> shape, so a logged input can be sent to an endpoint again as it is. Only the first
/// <see cref="PredictionLogLimits.MaxRowsPerRecord"/> rows are written.
/// </summary>
public static class PredictionJson
{
    public static string Write(IEnumerable<ScoringColumn> columns, int rowCount)
    {
        var list = columns as IReadOnlyList<ScoringColumn> ?? [.. columns];
        var rows = Math.Min(rowCount, PredictionLogLimits.MaxRowsPerRecord);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("columns");
            foreach (var column in list)
            {
                json.WriteStringValue(column.Name);
            }

            json.WriteEndArray();
            json.WriteStartArray("data");
            for (var row = 0; row < rows; row++)
            {
                json.WriteStartArray();
                foreach (var column in list)
                {
                    WriteValue(json, column, row);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteValue(Utf8JsonWriter json, ScoringColumn column, int row)
    {
        switch (column)
        {
            case NumberColumn { Values: var numbers } when float.IsFinite(numbers[row]):
                json.WriteNumberValue(numbers[row]);
                break;
            case TextColumn { Values: var texts } when texts[row] is { } text:
                json.WriteStringValue(text);
                break;
            case BooleanColumn { Values: var flags }:
                json.WriteBooleanValue(flags[row]);
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}

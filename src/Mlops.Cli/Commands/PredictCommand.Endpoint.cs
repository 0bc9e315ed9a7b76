using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Mlops.Cli.Output;

namespace Mlops.Cli.Commands;

internal sealed partial class PredictCommand
{
    /// <summary>Rows per request when a CSV goes to an endpoint: large enough to amortise HTTP, well under the row limit.</summary>
    private const int EndpointChunkRows = 2000;

    private static async Task<int> ScoreWithEndpointAsync(string endpoint, string input, ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        using var client = CreateClient(parseResult);
        var target = parseResult.GetValue(s_output);
        if (!input.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            // A JSON body (dataframe_split, dataframe_records, instances or inputs) goes as it is, in one request.
            var answer = await client.InvokeEndpointAsync(endpoint, await File.ReadAllTextAsync(input, cancellationToken), "application/json", cancellationToken);
            if (target is null)
            {
                output.Line(answer.Json);
            }
            else
            {
                await File.WriteAllTextAsync(target, answer.Json, cancellationToken);
            }

            output.Note($"Answered by revision {answer.Revision} of endpoint '{endpoint}'.");
            return ExitCodes.Success;
        }

        await using var writer = target is null ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) : new StreamWriter(target, false, new UTF8Encoding(false));
        using var reader = new StreamReader(input, Encoding.UTF8);
        var header = await reader.ReadLineAsync(cancellationToken) ?? throw Domain.Common.MlopsException.Invalid($"{input} is empty.");
        var clock = Stopwatch.StartNew();
        long scored = 0;
        var headerWritten = false;
        var revisions = new SortedSet<int>();
        var chunk = new List<string>(EndpointChunkRows);
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is { Length: > 0 })
            {
                chunk.Add(line);
            }

            if (chunk.Count == EndpointChunkRows || (line is null && chunk.Count > 0))
            {
                var body = header + "\n" + string.Join('\n', chunk) + "\n";
                var answer = await client.InvokeEndpointAsync(endpoint, body, "text/csv", cancellationToken);
                revisions.Add(answer.Revision);
                var (columns, rows) = ReadPredictions(answer.Json, chunk.Count);
                if (!headerWritten)
                {
                    await writer.WriteLineAsync(header + string.Concat(columns.Select(c => "," + ChunkScorer.CsvCell(c))));
                    headerWritten = true;
                }

                for (var i = 0; i < chunk.Count; i++)
                {
                    await writer.WriteLineAsync(chunk[i] + string.Concat(rows[i].Select(v => "," + ChunkScorer.CsvCell(v))));
                }

                scored += chunk.Count;
                chunk.Clear();
                if (target is not null)
                {
                    output.Note($"scored {scored:N0} rows");
                }
            }

            if (line is null)
            {
                break;
            }
        }

        await writer.FlushAsync(cancellationToken);
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        output.Note($"Scored {scored:N0} rows with endpoint '{endpoint}' (revision(s) {string.Join(", ", revisions)}) in {seconds:0.00} s ({scored / seconds:N0} rows/s).");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The answer's <c>predictions</c> as CSV cells: records give one column per field, plain values one column named
    /// "prediction". Fails when the count does not match the rows sent, so no output row is misaligned.
    /// </summary>
    internal static (IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows) ReadPredictions(string json, int expectedRows)
    {
        using var document = JsonDocument.Parse(json);
        var predictions = document.RootElement.GetProperty("predictions");
        if (predictions.GetArrayLength() != expectedRows)
        {
            throw Domain.Common.MlopsException.Invalid($"The endpoint answered {predictions.GetArrayLength()} predictions for {expectedRows} rows.");
        }

        var columns = new List<string>();
        if (expectedRows > 0 && predictions[0].ValueKind == JsonValueKind.Object)
        {
            columns.AddRange(predictions[0].EnumerateObject().Select(p => p.Name));
        }
        else
        {
            columns.Add("prediction");
        }

        var rows = new List<string[]>(expectedRows);
        foreach (var prediction in predictions.EnumerateArray())
        {
            rows.Add(prediction.ValueKind == JsonValueKind.Object
                ? [.. columns.Select(c => prediction.TryGetProperty(c, out var value) ? Cell(value) : "")]
                : [Cell(prediction)]);
        }

        return (columns, rows);
    }

    private static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mlops.Application.Serving;
using Mlops.Cli.Output;
using Mlops.Domain.Common;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning.Serving;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops predict --model URI --input data.csv</c>: scores a CSV file locally, streaming it in chunks, and writes
/// each input row with the model's outputs appended. Rows are checked against the model's signature like a request
/// to `mlops serve`; an error names the row (counted from 1 after the header) and the column.
/// <c>mlops predict --endpoint NAME --input data.csv|request.json</c> sends the file to an endpoint of `mlops server`
/// instead (a CSV in chunks of rows, a JSON body as it is).
/// </summary>
internal sealed partial class PredictCommand : BaseCommand
{
    private const int ChunkRows = 4096;

    private static readonly Option<string?> s_model = new("--model", "-m") { Description = "Score locally: models:/name@alias, models:/name/version, runs:/run-id/model, or a local model package folder" };
    private static readonly Option<string?> s_endpoint = new("--endpoint", "-e") { Description = "Score with an endpoint of the server instead (see `mlops deploy`)" };
    private static readonly Option<string> s_input = new("--input", "-i") { Description = "CSV file with a header row (the model's input columns; others are kept and ignored), or with --endpoint a JSON request body", Required = true };
    private static readonly Option<string?> s_output = new("--output", "-o") { Description = "Where to write the scored CSV (default: standard output)" };

    public PredictCommand()
        : base("predict", "Score a file with a model (locally, streaming) or with a deployed endpoint")
    {
        Options.Add(s_model);
        Options.Add(s_endpoint);
        Options.Add(s_input);
        Options.Add(s_output);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var input = parseResult.GetValue(s_input)!;
        if (!File.Exists(input))
        {
            output.Error($"No input file at {Path.GetFullPath(input)}.");
            return ExitCodes.InvalidArgument;
        }

        var model = parseResult.GetValue(s_model);
        var endpoint = parseResult.GetValue(s_endpoint);
        if ((model is null) == (endpoint is null))
        {
            output.Error("Name either --model (score locally) or --endpoint (score with the server), not both.");
            return ExitCodes.UsageError;
        }

        if (endpoint is not null)
        {
            return await ScoreWithEndpointAsync(endpoint, input, parseResult, output, cancellationToken);
        }

        using var fetched = await FetchedModel.FetchAsync(model!, parseResult, output, cancellationToken);
        using var predictor = new MlNetModelRuntime().Load(fetched.Folder, fetched.ExpectedMlModelSha256);
        var schema = ScoringSchema.From(predictor.Signature);
        var target = parseResult.GetValue(s_output);
        await using var writer = target is null ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) : new StreamWriter(target, false, new UTF8Encoding(false));
        using var reader = new StreamReader(input, Encoding.UTF8);
        var header = await reader.ReadLineAsync(cancellationToken) ?? throw MlopsException.Invalid($"{input} is empty.");
        var clock = Stopwatch.StartNew();
        long scored = 0;
        var headerWritten = false;
        var chunk = new List<string>(ChunkRows);
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is { Length: > 0 })
            {
                chunk.Add(line);
            }

            if (chunk.Count == ChunkRows || (line is null && chunk.Count > 0))
            {
                var result = Score(chunk, header, schema, predictor, scored);
                if (!headerWritten)
                {
                    await writer.WriteLineAsync(header + string.Concat(result.Columns.Select(c => "," + c.Name)));
                    headerWritten = true;
                }

                await WriteRowsAsync(writer, chunk, result);
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
        output.Note($"Scored {scored:N0} rows in {seconds:0.00} s ({scored / seconds:N0} rows/s){(target is null ? "" : $" into {target}")}.");
        return ExitCodes.Success;
    }

    private static ScoringResult Score(List<string> rows, string header, ScoringSchema schema, Application.Ports.IPredictor predictor, long before)
    {
        var body = Encoding.UTF8.GetBytes(header + "\n" + string.Join('\n', rows) + "\n");
        try
        {
            return predictor.Predict(ScoringRequestParser.Parse(body, "text/csv", schema, rows.Count));
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.InvalidArgument)
        {
            // The parser counts rows from 0 within this chunk; say where that is in the file.
            throw MlopsException.Invalid($"in the chunk of rows {before + 1}-{before + rows.Count} (row 0 is row {before + 1} of the file): {e.Message}");
        }
    }

    private static async Task WriteRowsAsync(StreamWriter writer, List<string> rows, ScoringResult result)
    {
        var line = new StringBuilder();
        for (var row = 0; row < rows.Count; row++)
        {
            line.Clear().Append(rows[row]);
            foreach (var column in result.Columns)
            {
                line.Append(',').Append(column switch
                {
                    NumberColumn n => float.IsNaN(n.Values[row]) ? "" : n.Values[row].ToString("R", CultureInfo.InvariantCulture),
                    BooleanColumn b => b.Values[row] ? "true" : "false",
                    TextColumn t => Quote(t.Values[row]),
                    _ => "",
                });
            }

            await writer.WriteLineAsync(line);
        }
    }

    private static string Quote(string? text) =>
        text is null ? "" : text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}

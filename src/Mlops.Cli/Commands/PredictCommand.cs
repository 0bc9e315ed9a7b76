using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Mlops.Application.Serving;
using Mlops.Cli.Output;
using Mlops.Domain.Common;
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
    private static readonly Option<string> s_flavor = ServeCommand.FlavorOption();

    public PredictCommand()
        : base("predict", "Score a file with a model (locally, streaming) or with a deployed endpoint")
    {
        Options.Add(s_model);
        Options.Add(s_endpoint);
        Options.Add(s_input);
        Options.Add(s_output);
        Options.Add(s_flavor);
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
        using var predictor = new ModelRuntime(ServingFlavors.Parse(parseResult.GetValue(s_flavor)!)).Load(fetched.Folder, fetched.ExpectedMlModelSha256);
        var target = parseResult.GetValue(s_output);
        await using var writer = target is null ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) : new StreamWriter(target, false, new UTF8Encoding(false), 1 << 20);
        using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 20);
        var header = await reader.ReadLineAsync(cancellationToken) ?? throw MlopsException.Invalid($"{input} is empty.");
        var scorer = new ChunkScorer(header, ScoringSchema.From(predictor.Signature), predictor);
        var clock = Stopwatch.StartNew();
        long scored = 0;
        long read = 0;
        var headerWritten = false;

        // Chunks are parsed and scored on the thread pool while the next ones are read and earlier ones written, in
        // file order; the predictor is thread-safe. A failing chunk surfaces when its turn to be written comes, so the
        // first bad row in the file is the one reported.
        var inFlight = new Queue<Task<ScoredChunk>>();
        var window = Environment.ProcessorCount + 1;
        while (true)
        {
            var chunk = new List<string>(ChunkRows);
            while (chunk.Count < ChunkRows && await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length > 0)
                {
                    chunk.Add(line);
                }
            }

            if (chunk.Count > 0)
            {
                var first = read;
                inFlight.Enqueue(Task.Run(() => scorer.Score(chunk, first), cancellationToken));
                read += chunk.Count;
            }

            if (inFlight.Count >= window || (chunk.Count == 0 && inFlight.Count > 0))
            {
                var done = await inFlight.Dequeue();
                if (!headerWritten)
                {
                    await writer.WriteLineAsync(header + string.Concat(done.OutputColumns.Select(c => "," + ChunkScorer.CsvCell(c))));
                    headerWritten = true;
                }

                await writer.WriteAsync(done.Text, cancellationToken);
                scored += done.Rows;
                if (target is not null && scored % (ChunkRows * 64) < done.Rows)
                {
                    output.Note($"scored {scored:N0} rows");
                }
            }

            if (chunk.Count == 0 && inFlight.Count == 0)
            {
                break;
            }
        }

        await writer.FlushAsync(cancellationToken);
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
        output.Note($"Scored {scored:N0} rows in {seconds:0.00} s ({scored / seconds:N0} rows/s){(target is null ? "" : $" into {target}")}.");
        return ExitCodes.Success;
    }
}

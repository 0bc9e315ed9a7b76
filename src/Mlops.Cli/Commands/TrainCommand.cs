using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mlops.Cli.Output;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops train spec.yaml [--wait]</c>: submits a training spec as a job; with --wait follows it to the end.</summary>
internal sealed class TrainCommand : BaseCommand
{
    private static readonly Argument<string> s_spec = new("spec") { Description = "Training spec file (YAML or JSON)" };
    private static readonly Option<bool> s_wait = new("--wait", "-w") { Description = "Follow the job's log and print the final metrics" };
    private static readonly Option<int> s_attempts = new("--max-attempts") { Description = "Attempts before the job fails for good", DefaultValueFactory = _ => 2 };

    public TrainCommand()
        : base("train", "Train a model from a declarative spec on a worker")
    {
        Arguments.Add(s_spec);
        Options.Add(s_wait);
        Options.Add(s_attempts);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(parseResult.GetValue(s_spec)!);
        if (!File.Exists(path))
        {
            output.Error($"No training spec at {path}.");
            return ExitCodes.InvalidArgument;
        }

        using var client = CreateClient(parseResult);
        var job = await client.SubmitTrainingAsync(await File.ReadAllTextAsync(path, cancellationToken), Path.GetDirectoryName(path), parseResult.GetValue(s_attempts), cancellationToken);
        output.Line($"Submitted training job {job.Id}");
        if (!parseResult.GetValue(s_wait))
        {
            output.Line($"Follow it with `mlops jobs logs {job.Id} -f`.");
            return ExitCodes.Success;
        }

        await foreach (var line in client.FollowJobLogAsync(job.Id, cancellationToken))
        {
            output.Line(line.Text ?? "");
        }

        job = await client.GetJobAsync(job.Id, cancellationToken);
        if (job.Status != "succeeded")
        {
            output.Error($"training job {job.Id} {job.Status}: {job.Error}");
            return ExitCodes.Failure;
        }

        using var result = JsonDocument.Parse(job.Result ?? "{}");
        var root = result.RootElement;
        var rows = new List<(string, string)> { ("Run id", root.GetProperty("run_id").GetString() ?? "") };
        foreach (var metric in root.GetProperty("metrics").EnumerateObject())
        {
            rows.Add(("metrics." + metric.Name, metric.Value.GetDouble().ToString("0.0000", CultureInfo.InvariantCulture)));
        }

        if (root.TryGetProperty("model_version", out var version) && version.ValueKind == JsonValueKind.String)
        {
            rows.Add(("Registered", version.GetString()!));
        }

        output.Details(rows);
        return ExitCodes.Success;
    }
}

using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;
using Mlops.Infrastructure.Training;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops tune spec.yaml</c>: starts a tuning study whose trials are training jobs on the workers and follows it
/// (best value so far, trials done, pruned, running) until it completes.
/// </summary>
internal sealed class TuneCommand : BaseCommand
{
    private static readonly Argument<string> s_spec = new("spec") { Description = "Tuning spec: a training spec with ranges ({low, high, log}) or {choices: [...]} as hyperparameters" };
    private static readonly Option<int?> s_trials = new("--trials", "-n") { Description = "Number of trials (overrides tune.trials)" };
    private static readonly Option<int?> s_parallel = new("--parallel", "-p") { Description = "Trials running at once across workers (overrides tune.parallel)" };
    private static readonly Option<string?> s_timeout = new("--timeout") { Description = "Start no new trial after this long, e.g. 90s, 15m, 2h" };
    private static readonly Option<string?> s_sampler = new("--sampler") { Description = "auto, gp, tpe, tpe_multivariate, random or grid" };
    private static readonly Option<long?> s_seed = new("--seed") { Description = "Sampler seed" };
    private static readonly Option<string?> s_name = new("--name") { Description = "Study name (default: the spec's name)" };
    private static readonly Option<bool> s_noWait = new("--no-wait") { Description = "Return once the study has started" };

    public TuneCommand()
        : base("tune", "Tune a training spec's hyperparameters with a study whose trials run on the workers")
    {
        Arguments.Add(s_spec);
        Options.Add(s_trials);
        Options.Add(s_parallel);
        Options.Add(s_timeout);
        Options.Add(s_sampler);
        Options.Add(s_seed);
        Options.Add(s_name);
        Options.Add(s_noWait);
        Options.Add(CommonOptions.Json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(parseResult.GetValue(s_spec)!);
        if (!File.Exists(path))
        {
            output.Error($"No tuning spec at {path}.");
            return ExitCodes.InvalidArgument;
        }

        var timeout = parseResult.GetValue(s_timeout) is { } text ? TuningSpecParser.Duration(text, "--timeout") : (TimeSpan?)null;
        using var client = CreateClient(parseResult);
        var study = await client.TuneAsync(await File.ReadAllTextAsync(path, cancellationToken), Path.GetDirectoryName(path), parseResult.GetValue(s_trials),
            parseResult.GetValue(s_parallel), timeout, parseResult.GetValue(s_sampler), parseResult.GetValue(s_seed), parseResult.GetValue(s_name), cancellationToken);
        var json = parseResult.GetValue(CommonOptions.Json);
        if (!json)
        {
            output.Line($"Study '{study.Name}': {study.PlannedTrials} trials, {study.Parallel} at a time, sampler {study.SamplerResolved}, {study.Directions![0]} the objective.");
        }

        if (parseResult.GetValue(s_noWait))
        {
            if (json)
            {
                output.Json(new StudyResponse { Study = study }, MlflowJsonContext.Default.StudyResponse);
            }
            else
            {
                output.Line($"Follow it with `mlops studies get {study.Name}`.");
            }

            return ExitCodes.Success;
        }

        var reported = new HashSet<int>();
        while (true)
        {
            study = await client.GetStudyAsync(study.Name!, cancellationToken);
            if (!json)
            {
                foreach (var trial in (await client.GetTrialsAsync(study.Name!, cancellationToken)).Where(t => t.State != "running" && reported.Add(t.Number)))
                {
                    output.Line(StudiesCommand.Progress(study, trial));
                }
            }

            if (study.Status != "running")
            {
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        if (json)
        {
            output.Json(new StudyResponse { Study = study }, MlflowJsonContext.Default.StudyResponse);
        }
        else
        {
            StudiesCommand.PrintSummary(output, study);
        }

        return study.BestTrials is { Count: > 0 } ? ExitCodes.Success : ExitCodes.Failure;
    }
}

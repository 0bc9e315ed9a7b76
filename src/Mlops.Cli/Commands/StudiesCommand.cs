using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops studies ...</c>: hyperparameter studies, their trials and results, and ask/tell from a shell.</summary>
internal sealed class StudiesCommand : Command
{
    public StudiesCommand()
        : base("studies", "List and inspect hyperparameter studies; drive external ones with ask and tell")
    {
        Subcommands.Add(new ListCommand());
        Subcommands.Add(new GetCommand());
        Subcommands.Add(new TrialsCommand());
        Subcommands.Add(new BestCommand());
        Subcommands.Add(new ImportancesCommand());
        Subcommands.Add(new CreateCommand());
        Subcommands.Add(new AskCommand());
        Subcommands.Add(new TellCommand());
        Subcommands.Add(new StopCommand());
    }

    private static Argument<string> NameArgument() => new("study") { Description = "Study name" };

    internal static string Params(TrialDto trial) =>
        string.Join(", ", (trial.Params ?? []).Select(p => $"{p.Key}={Value(p.Value)}"));

    internal static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Number => Format.Number(value.GetDouble()),
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    internal static string Values(TrialDto trial) => trial.Values is { Count: > 0 } values ? string.Join(", ", values.Select(v => Format.Number(v))) : "";

    /// <summary>One line per finished trial: its result, the best so far and the counts.</summary>
    internal static string Progress(StudyDto study, TrialDto trial)
    {
        var counts = study.TrialCounts ?? [];
        var done = counts.GetValueOrDefault("complete") + counts.GetValueOrDefault("pruned") + counts.GetValueOrDefault("failed");
        var best = study.BestTrials is [var b, ..] ? $"best {Values(b)} (trial {b.Number})" : "no complete trial yet";
        var result = trial.State == "complete" ? Values(trial) : trial.State + (trial.Error is { } e ? $" ({e})" : "");
        return $"trial {trial.Number,3} {result,-12} | {best} | {done}/{study.PlannedTrials?.ToString(CultureInfo.InvariantCulture) ?? "?"} done, {counts.GetValueOrDefault("pruned")} pruned, {counts.GetValueOrDefault("running")} running";
    }

    internal static void PrintSummary(ConsoleOutput output, StudyDto study)
    {
        var counts = study.TrialCounts ?? [];
        var rows = new List<(string, string)>
        {
            ("Study", study.Name ?? ""),
            ("Status", study.Status ?? ""),
            ("Objective", $"{string.Join(", ", study.Directions ?? [])} ({study.Objective})"),
            ("Sampler", study.Sampler == study.SamplerResolved ? study.Sampler ?? "" : $"{study.Sampler} ({study.SamplerResolved})"),
            ("Pruner", study.Pruner ?? ""),
            ("Trials", $"{study.TotalTrials}{(study.PlannedTrials is { } p ? $" of {p}" : "")}: {counts.GetValueOrDefault("complete")} complete, {counts.GetValueOrDefault("pruned")} pruned, {counts.GetValueOrDefault("failed")} failed, {counts.GetValueOrDefault("running")} running"),
        };
        if (study.ParentRunId is { } parent)
        {
            rows.Add(("Parent run", parent));
        }

        foreach (var best in study.BestTrials ?? [])
        {
            rows.Add(($"Best trial {best.Number}", Values(best)));
            rows.Add(("  params", Params(best)));
            if (best.RunId is { } run)
            {
                rows.Add(("  run", run));
            }
        }

        output.Details(rows);
    }

    private sealed class ListCommand : BaseCommand
    {
        private static readonly Option<int> s_max = new("--max-results", "-n") { Description = "At most this many studies", DefaultValueFactory = _ => 100 };

        public ListCommand()
            : base("list", "List studies, newest first")
        {
            Options.Add(s_max);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var page = await client.ListStudiesAsync(Math.Clamp(parseResult.GetValue(s_max), 1, 1000), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(page, MlflowJsonContext.Default.StudiesResponse);
                return ExitCodes.Success;
            }

            var studies = page.Studies ?? [];
            if (studies.Count == 0)
            {
                output.Line("No studies found.");
                return ExitCodes.Success;
            }

            output.Table(["Name", "Status", "Objective", "Sampler", "Trials", "Best", "Created (UTC)"], studies.Select(s => (IReadOnlyList<string>)[
                s.Name ?? "", s.Status ?? "", string.Join(",", s.Directions ?? []), s.SamplerResolved ?? "",
                s.TotalTrials.ToString(CultureInfo.InvariantCulture), s.BestTrials is [var b, ..] ? Values(b) : "", Format.Time(s.CreatedAt)]));
            return ExitCodes.Success;
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public GetCommand()
            : base("get", "Show a study: status, counts and the best trial")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var study = await client.GetStudyAsync(parseResult.GetValue(s_name)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new StudyResponse { Study = study }, MlflowJsonContext.Default.StudyResponse);
            }
            else
            {
                PrintSummary(output, study);
            }

            return ExitCodes.Success;
        }
    }

    private sealed class TrialsCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public TrialsCommand()
            : base("trials", "List a study's trials with their parameters, values and best-so-far")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var name = parseResult.GetValue(s_name)!;
            var study = await client.GetStudyAsync(name, cancellationToken);
            var trials = await client.GetTrialsAsync(name, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new TrialsResponse { Trials = trials }, MlflowJsonContext.Default.TrialsResponse);
                return ExitCodes.Success;
            }

            var sign = study.Directions is ["maximize"] ? -1 : 1;
            double? best = null;
            var rows = new List<IReadOnlyList<string>>();
            foreach (var trial in trials)
            {
                if (trial.State == "complete" && trial.Values is [var v, ..] && (best is null || sign * v < sign * best))
                {
                    best = v;
                }

                rows.Add([trial.Number.ToString(CultureInfo.InvariantCulture), trial.State ?? "", Values(trial), Format.Number(best),
                    Format.Duration(trial.StartedAt, trial.CompletedAt), Params(trial)]);
            }

            output.Table(["Trial", "State", "Value", "Best so far", "Duration", "Params"], rows);
            return ExitCodes.Success;
        }
    }

    private sealed class BestCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public BestCommand()
            : base("best", "The best trial (the Pareto front for several objectives)")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var best = await client.GetBestTrialsAsync(parseResult.GetValue(s_name)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new TrialsResponse { Trials = best }, MlflowJsonContext.Default.TrialsResponse);
                return ExitCodes.Success;
            }

            if (best.Count == 0)
            {
                output.Line("No complete trial yet.");
                return ExitCodes.NotFound;
            }

            output.Table(["Trial", "Value", "Run", "Params"], best.Select(t => (IReadOnlyList<string>)[
                t.Number.ToString(CultureInfo.InvariantCulture), Values(t), t.RunId ?? "", Params(t)]));
            return ExitCodes.Success;
        }
    }

    private sealed class ImportancesCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public ImportancesCommand()
            : base("importances", "How much each parameter explains the objective (permutation importance on a random forest)")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var importances = await client.GetParameterImportancesAsync(parseResult.GetValue(s_name)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new ImportancesResponse { Importances = importances }, MlflowJsonContext.Default.ImportancesResponse);
                return ExitCodes.Success;
            }

            if (importances.Count == 0)
            {
                output.Line("Not enough complete trials yet.");
                return ExitCodes.Success;
            }

            output.Table(["Parameter", "Importance"], importances.Select(p => (IReadOnlyList<string>)[p.Key, p.Value.ToString("0.000", CultureInfo.InvariantCulture)]));
            return ExitCodes.Success;
        }
    }

    private sealed class CreateCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Option<string> s_space = new("--space") { Description = "Search space: a JSON file, or inline JSON (an array of parameters)", Required = true };
        private static readonly Option<string> s_direction = new("--direction") { Description = "minimize or maximize", DefaultValueFactory = _ => "minimize" };
        private static readonly Option<string?> s_sampler = new("--sampler") { Description = "auto, gp, tpe, tpe_multivariate, random or grid" };
        private static readonly Option<long?> s_seed = new("--seed") { Description = "Sampler seed" };
        private static readonly Option<string?> s_pruner = new("--pruner") { Description = "none, median, percentile, successive_halving or hyperband" };

        public CreateCommand()
            : base("create", "Create a study for an external objective (drive it with ask and tell)")
        {
            Arguments.Add(s_name);
            Options.Add(s_space);
            Options.Add(s_direction);
            Options.Add(s_sampler);
            Options.Add(s_seed);
            Options.Add(s_pruner);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            var space = parseResult.GetValue(s_space)!;
            if (!space.TrimStart().StartsWith('[') && File.Exists(space))
            {
                space = await File.ReadAllTextAsync(space, cancellationToken);
            }

            try
            {
                using var _ = JsonDocument.Parse(space);
            }
            catch (JsonException e)
            {
                output.Error($"--space is neither a JSON file nor valid JSON: {e.Message}");
                return ExitCodes.InvalidArgument;
            }

            using var client = CreateClient(parseResult);
            var study = await client.CreateStudyAsync(parseResult.GetValue(s_name)!, space, parseResult.GetValue(s_direction)!, parseResult.GetValue(s_sampler),
                parseResult.GetValue(s_seed), parseResult.GetValue(s_pruner), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new StudyResponse { Study = study }, MlflowJsonContext.Default.StudyResponse);
            }
            else
            {
                output.Line($"Created study '{study.Name}' (sampler {study.SamplerResolved}). Ask for a trial with `mlops studies ask {study.Name}`.");
            }

            return ExitCodes.Success;
        }
    }

    private sealed class AskCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public AskCommand()
            : base("ask", "Start a trial and print its parameters")
        {
            Arguments.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var trial = await client.AskAsync(parseResult.GetValue(s_name)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new TrialResponse { Trial = trial }, MlflowJsonContext.Default.TrialResponse);
            }
            else
            {
                output.Details([("Trial", trial.Number.ToString(CultureInfo.InvariantCulture)), .. (trial.Params ?? []).Select(p => (p.Key, Value(p.Value)))]);
            }

            return ExitCodes.Success;
        }
    }

    private sealed class StopCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();

        public StopCommand()
            : base("stop", "Stop a study: no new trials; a tuning study's trial jobs are cancelled")
        {
            Arguments.Add(s_name);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var study = await client.StopStudyAsync(parseResult.GetValue(s_name)!, cancellationToken);
            output.Line($"Study '{study.Name}' is {study.Status}; {study.TotalTrials} trial(s), best {(study.BestTrials is [var b, ..] ? Values(b) : "none")}.");
            return ExitCodes.Success;
        }
    }

    private sealed class TellCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = NameArgument();
        private static readonly Argument<int> s_trial = new("trial") { Description = "Trial number" };
        private static readonly Argument<double[]> s_values = new("values") { Description = "Objective value(s); none with --state pruned|failed", Arity = ArgumentArity.ZeroOrMore };
        private static readonly Option<string?> s_state = new("--state") { Description = "complete (default with values), pruned or failed" };

        public TellCommand()
            : base("tell", "Finish a trial with its objective value(s), or as pruned or failed")
        {
            Arguments.Add(s_name);
            Arguments.Add(s_trial);
            Arguments.Add(s_values);
            Options.Add(s_state);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var values = parseResult.GetValue(s_values) ?? [];
            var state = parseResult.GetValue(s_state);
            var trial = state is null or "complete"
                ? await client.TellAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_trial), values, cancellationToken)
                : await client.TellStateAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_trial), state, cancellationToken: cancellationToken);
            output.Line($"Trial {trial.Number} is {trial.State}{(trial.Values is { Count: > 0 } ? ": " + Values(trial) : "")}.");
            return ExitCodes.Success;
        }
    }
}

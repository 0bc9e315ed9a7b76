using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops experiments ...</c></summary>
internal sealed class ExperimentsCommand : Command
{
    public ExperimentsCommand()
        : base("experiments", "Create, list, inspect, rename, delete and restore experiments")
    {
        Subcommands.Add(new CreateCommand());
        Subcommands.Add(new ListCommand());
        Subcommands.Add(new GetCommand());
        Subcommands.Add(new RenameCommand());
        Subcommands.Add(new IdActionCommand("delete", "Soft-delete an experiment and its runs (restore brings them back)", "experiment-id",
            (client, id, ct) => client.DeleteExperimentAsync(id, ct), id => $"Deleted experiment {id}"));
        Subcommands.Add(new IdActionCommand("restore", "Restore a deleted experiment and its runs", "experiment-id",
            (client, id, ct) => client.RestoreExperimentAsync(id, ct), id => $"Restored experiment {id}"));
    }

    internal static Argument<string> IdArgument(string description = "Experiment id") => new("experiment-id") { Description = description };

    private sealed class CreateCommand : BaseCommand
    {
        private static readonly Argument<string> s_name = new("name") { Description = "Experiment name (unique)" };
        private static readonly Option<string?> s_artifactLocation = new("--artifact-location") { Description = "mlflow-artifacts:/<path> under the server's artifact root (default: derived from the id)" };

        public CreateCommand()
            : base("create", "Create an experiment and print its id")
        {
            Arguments.Add(s_name);
            Options.Add(s_artifactLocation);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var id = await client.CreateExperimentAsync(parseResult.GetValue(s_name)!, parseResult.GetValue(s_artifactLocation), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new CreateExperimentResponse { ExperimentId = id }, MlflowJsonContext.Default.CreateExperimentResponse);
            }
            else
            {
                output.Line($"Created experiment '{parseResult.GetValue(s_name)}' with id {id}");
            }

            return ExitCodes.Success;
        }
    }

    private sealed class ListCommand : BaseCommand
    {
        private static readonly Option<string?> s_filter = new("--filter", "-f") { Description = "Filter, e.g. \"name LIKE 'vision%' AND tags.team = 'cv'\"" };
        private static readonly Option<string> s_view = new("--view") { Description = "active, deleted or all", DefaultValueFactory = _ => "active" };
        private static readonly Option<int?> s_maxResults = new("--max-results") { Description = "At most this many experiments (default: all)" };

        public ListCommand()
            : base("list", "List experiments")
        {
            Options.Add(s_filter);
            Options.Add(s_view);
            Options.Add(s_maxResults);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var view = ViewType(parseResult.GetValue(s_view)!);
            var max = parseResult.GetValue(s_maxResults);
            var all = new List<ExperimentDto>();
            string? token = null;
            do
            {
                var page = await client.SearchExperimentsAsync(parseResult.GetValue(s_filter), max is null ? 1000 : Math.Min(1000, max.Value - all.Count), view, pageToken: token, cancellationToken: cancellationToken);
                all.AddRange(page.Experiments ?? []);
                token = page.NextPageToken;
            }
            while (token is not null && (max is null || all.Count < max));

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new SearchExperimentsResponse { Experiments = all }, MlflowJsonContext.Default.SearchExperimentsResponse);
                return ExitCodes.Success;
            }

            if (all.Count == 0)
            {
                output.Line("No experiments found.");
                return ExitCodes.Success;
            }

            output.Table(["Id", "Name", "Stage", "Created (UTC)", "Artifact location"],
                all.Select(e => (IReadOnlyList<string>)[e.ExperimentId, e.Name, e.LifecycleStage, Format.Time(e.CreationTime), e.ArtifactLocation ?? ""]));
            return ExitCodes.Success;
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<string?> s_id = new("experiment-id") { Description = "Experiment id (or use --name)", Arity = ArgumentArity.ZeroOrOne };
        private static readonly Option<string?> s_name = new("--name", "-n") { Description = "Find the experiment by name" };

        public GetCommand()
            : base("get", "Show one experiment")
        {
            Arguments.Add(s_id);
            Options.Add(s_name);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var id = parseResult.GetValue(s_id);
            var name = parseResult.GetValue(s_name);
            if (string.IsNullOrEmpty(id) == string.IsNullOrEmpty(name))
            {
                output.Error("Pass either an experiment id or --name.");
                return ExitCodes.UsageError;
            }

            var experiment = id is { Length: > 0 }
                ? await client.GetExperimentAsync(id, cancellationToken)
                : await client.FindExperimentByNameAsync(name!, cancellationToken);
            if (experiment is null)
            {
                output.Error($"No experiment named '{name}'.");
                return ExitCodes.NotFound;
            }

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new ExperimentResponse { Experiment = experiment }, MlflowJsonContext.Default.ExperimentResponse);
                return ExitCodes.Success;
            }

            var pairs = new List<(string, string)>
            {
                ("Id", experiment.ExperimentId),
                ("Name", experiment.Name),
                ("Stage", experiment.LifecycleStage),
                ("Artifact location", experiment.ArtifactLocation ?? ""),
                ("Created (UTC)", Format.Time(experiment.CreationTime)),
                ("Updated (UTC)", Format.Time(experiment.LastUpdateTime)),
            };
            pairs.AddRange((experiment.Tags ?? []).Select(t => ("tags." + t.Key, t.Value ?? "")));
            output.Details(pairs);
            return ExitCodes.Success;
        }
    }

    private sealed class RenameCommand : BaseCommand
    {
        private static readonly Argument<string> s_id = IdArgument();
        private static readonly Argument<string> s_newName = new("new-name") { Description = "The new name" };

        public RenameCommand()
            : base("rename", "Rename an experiment")
        {
            Arguments.Add(s_id);
            Arguments.Add(s_newName);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            await client.RenameExperimentAsync(parseResult.GetValue(s_id)!, parseResult.GetValue(s_newName)!, cancellationToken);
            output.Line($"Renamed experiment {parseResult.GetValue(s_id)} to '{parseResult.GetValue(s_newName)}'");
            return ExitCodes.Success;
        }
    }

    internal static string ViewType(string view) => view.ToLowerInvariant() switch
    {
        "active" => "ACTIVE_ONLY",
        "deleted" => "DELETED_ONLY",
        "all" => "ALL",
        _ => throw Domain.Common.MlopsException.Invalid($"--view must be active, deleted or all, not '{view}'."),
    };
}

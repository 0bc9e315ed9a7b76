using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;
using Mlops.Domain.Search;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops runs ...</c></summary>
internal sealed class RunsCommand : Command
{
    public RunsCommand()
        : base("runs", "List, search, inspect, compare, delete and restore runs")
    {
        Subcommands.Add(new SearchCommand("list", "List the runs of experiments, newest first", withFilter: false));
        Subcommands.Add(new SearchCommand("search", "Search runs with a filter, e.g. \"metrics.acc > 0.9 and params.lr = '0.01'\" (OR and parentheses work too)", withFilter: true));
        Subcommands.Add(new GetCommand());
        Subcommands.Add(new CompareCommand());
        Subcommands.Add(new IdActionCommand("delete", "Soft-delete a run (restore brings it back)", "run-id",
            (client, id, ct) => client.DeleteRunAsync(id, ct), id => $"Deleted run {id}"));
        Subcommands.Add(new IdActionCommand("restore", "Restore a deleted run", "run-id",
            (client, id, ct) => client.RestoreRunAsync(id, ct), id => $"Restored run {id}"));
    }

    private static Argument<string> RunIdArgument() => new("run-id") { Description = "Run id" };

    private sealed class SearchCommand : BaseCommand
    {
        private static readonly Option<string[]> s_experimentIds = new("--experiment-id", "-e") { Description = "Experiment id (repeatable)", AllowMultipleArgumentsPerToken = true };
        private static readonly Option<string?> s_experimentName = new("--experiment-name") { Description = "Experiment name, instead of an id" };
        private static readonly Option<string?> s_filter = new("--filter", "-f") { Description = "Filter expression" };
        private static readonly Option<string[]> s_orderBy = new("--order-by", "-o") { Description = "Order, e.g. \"metrics.acc DESC\" (repeatable)" };
        private static readonly Option<int> s_maxResults = new("--max-results", "-n") { Description = "At most this many runs", DefaultValueFactory = _ => 100 };
        private static readonly Option<string> s_view = new("--view") { Description = "active, deleted or all", DefaultValueFactory = _ => "active" };
        private readonly bool _withFilter;

        public SearchCommand(string name, string description, bool withFilter)
            : base(name, description)
        {
            _withFilter = withFilter;
            Options.Add(s_experimentIds);
            Options.Add(s_experimentName);
            if (withFilter)
            {
                Options.Add(s_filter);
                Options.Add(s_orderBy);
            }

            Options.Add(s_maxResults);
            Options.Add(s_view);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var ids = (parseResult.GetValue(s_experimentIds) ?? []).ToList();
            foreach (var id in ids)
            {
                // Searching an unknown experiment finds nothing; say so instead of printing an empty table.
                _ = await client.GetExperimentAsync(id, cancellationToken);
            }

            if (parseResult.GetValue(s_experimentName) is { Length: > 0 } experimentName)
            {
                var experiment = await client.FindExperimentByNameAsync(experimentName, cancellationToken);
                if (experiment is null)
                {
                    output.Error($"No experiment named '{experimentName}'.");
                    return ExitCodes.NotFound;
                }

                ids.Add(experiment.ExperimentId);
            }

            if (ids.Count == 0)
            {
                output.Error("Pass --experiment-id (repeatable) or --experiment-name.");
                return ExitCodes.UsageError;
            }

            var filter = _withFilter ? parseResult.GetValue(s_filter) : null;
            var orderBy = _withFilter ? parseResult.GetValue(s_orderBy) : null;
            var max = parseResult.GetValue(s_maxResults);
            if (max < 1)
            {
                output.Error("--max-results must be at least 1.");
                return ExitCodes.UsageError;
            }

            var runs = new List<RunDto>();
            await foreach (var run in client.SearchAllRunsAsync(ids, filter, orderBy, ExperimentsCommand.ViewType(parseResult.GetValue(s_view)!), cancellationToken))
            {
                runs.Add(run);
                if (runs.Count >= max)
                {
                    break;
                }
            }

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new SearchRunsResponse { Runs = runs }, MlflowJsonContext.Default.SearchRunsResponse);
                return ExitCodes.Success;
            }

            var (metricKeys, paramKeys) = KeysNamedIn(filter, orderBy);
            if (runs.Count == 0)
            {
                output.Line("No runs found.");
                return ExitCodes.Success;
            }

            var headers = new List<string> { "Run id", "Name", "Status", "Started (UTC)", "Duration" };
            headers.AddRange(metricKeys.Select(k => "metrics." + k));
            headers.AddRange(paramKeys.Select(k => "params." + k));
            output.Table(headers, runs.Select(r =>
            {
                var row = new List<string> { r.Info.RunId, r.Info.RunName ?? "", r.Info.Status, Format.Time(r.Info.StartTime), Format.Duration(r.Info.StartTime, r.Info.EndTime) };
                row.AddRange(metricKeys.Select(k => Format.Number(r.Data.Metrics?.FirstOrDefault(m => m.Key == k)?.Value)));
                row.AddRange(paramKeys.Select(k => r.Data.Params?.FirstOrDefault(p => p.Key == k)?.Value ?? ""));
                return (IReadOnlyList<string>)row;
            }));
            return ExitCodes.Success;
        }

        /// <summary>The metrics and params a filter or ordering mentions become table columns.</summary>
        private static (List<string> Metrics, List<string> Params) KeysNamedIn(string? filter, string[]? orderBy)
        {
            var metrics = new List<string>();
            var parameters = new List<string>();
            void Visit(FilterExpression? e)
            {
                switch (e)
                {
                    case AndExpression and:
                        and.Operands.ToList().ForEach(Visit);
                        break;
                    case OrExpression or:
                        or.Operands.ToList().ForEach(Visit);
                        break;
                    case Comparison { Entity: EntityKind.Metric } c when !metrics.Contains(c.Key):
                        metrics.Add(c.Key);
                        break;
                    case Comparison { Entity: EntityKind.Param } c when !parameters.Contains(c.Key):
                        parameters.Add(c.Key);
                        break;
                }
            }

            Visit(SearchFilterParser.Parse(filter, SearchTarget.Runs));
            foreach (var term in OrderByParser.Parse(orderBy, SearchTarget.Runs))
            {
                if (term.Entity == EntityKind.Metric && !metrics.Contains(term.Key))
                {
                    metrics.Add(term.Key);
                }
                else if (term.Entity == EntityKind.Param && !parameters.Contains(term.Key))
                {
                    parameters.Add(term.Key);
                }
            }

            return (metrics, parameters);
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<string> s_runId = RunIdArgument();

        public GetCommand()
            : base("get", "Show a run: status, params, latest metrics and tags")
        {
            Arguments.Add(s_runId);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var run = await client.GetRunAsync(parseResult.GetValue(s_runId)!, cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new RunResponse { Run = run }, MlflowJsonContext.Default.RunResponse);
                return ExitCodes.Success;
            }

            var pairs = new List<(string, string)>
            {
                ("Run id", run.Info.RunId),
                ("Name", run.Info.RunName ?? ""),
                ("Experiment", run.Info.ExperimentId),
                ("Status", run.Info.Status),
                ("Stage", run.Info.LifecycleStage),
                ("User", run.Info.UserId ?? ""),
                ("Started (UTC)", Format.Time(run.Info.StartTime)),
                ("Ended (UTC)", Format.Time(run.Info.EndTime)),
                ("Duration", Format.Duration(run.Info.StartTime, run.Info.EndTime)),
                ("Artifacts", run.Info.ArtifactUri ?? ""),
            };
            pairs.AddRange((run.Data.Params ?? []).Select(p => ("params." + p.Key, p.Value ?? "")));
            pairs.AddRange((run.Data.Metrics ?? []).Select(m => ("metrics." + m.Key, $"{Format.Number(m.Value)} (step {m.Step})")));
            pairs.AddRange((run.Data.Tags ?? []).Where(t => t.Key != "mlflow.log-model.history").Select(t => ("tags." + t.Key, t.Value ?? "")));
            output.Details(pairs);
            return ExitCodes.Success;
        }
    }

    private sealed class CompareCommand : BaseCommand
    {
        private static readonly Argument<string[]> s_runIds = new("run-ids") { Description = "Two or more run ids", Arity = ArgumentArity.OneOrMore };
        private static readonly Option<bool> s_diffOnly = new("--diff-only") { Description = "Show only params that differ between the runs" };

        public CompareCommand()
            : base("compare", "Params and latest metrics of runs side by side (* marks params that differ)")
        {
            Arguments.Add(s_runIds);
            Options.Add(s_diffOnly);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var ids = parseResult.GetValue(s_runIds)!;
            if (ids.Length < 2)
            {
                output.Error($"runs compare needs two or more run ids; got {ids.Length}.");
                return ExitCodes.UsageError;
            }

            var runs = new List<RunDto>();
            foreach (var id in ids)
            {
                runs.Add(await client.GetRunAsync(id, cancellationToken));
            }

            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(new SearchRunsResponse { Runs = runs }, MlflowJsonContext.Default.SearchRunsResponse);
                return ExitCodes.Success;
            }

            var rows = new List<IReadOnlyList<string>>();
            var paramKeys = runs.SelectMany(r => r.Data.Params ?? []).Select(p => p.Key!).Distinct().Order(StringComparer.Ordinal);
            foreach (var key in paramKeys)
            {
                var values = runs.Select(r => r.Data.Params?.FirstOrDefault(p => p.Key == key)?.Value ?? "").ToList();
                var differs = values.Distinct().Count() > 1;
                if (parseResult.GetValue(s_diffOnly) && !differs)
                {
                    continue;
                }

                rows.Add([(differs ? "* " : "  ") + "params." + key, .. values]);
            }

            var metricKeys = runs.SelectMany(r => r.Data.Metrics ?? []).Select(m => m.Key!).Distinct().Order(StringComparer.Ordinal);
            foreach (var key in metricKeys)
            {
                rows.Add(["  metrics." + key, .. runs.Select(r => Format.Number(r.Data.Metrics?.FirstOrDefault(m => m.Key == key)?.Value))]);
            }

            var headers = new List<string> { "" };
            headers.AddRange(runs.Select(r => $"{r.Info.RunName} ({r.Info.RunId})"));
            output.Table(headers, rows);
            return ExitCodes.Success;
        }
    }

}

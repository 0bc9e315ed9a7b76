using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;

namespace Mlops.Cli.Commands;

/// <summary><c>mlops deploy ...</c>: endpoints served by `mlops server` at /serving/{endpoint}/invocations.</summary>
internal sealed partial class DeployCommand : Command
{
    private static readonly Option<string?> s_reason = new("--reason") { Description = "Why, for the endpoint's history" };
    private static readonly Option<int?> s_replicas = new("--replicas") { Description = "Requests the revision scores at once, 1..64 (default: one per server core)" };

    public DeployCommand()
        : base("deploy", "Deploy models to endpoints: create, canary, shadow, promote, rollback, scale, configure, delete, list, get, predictions, export")
    {
        Subcommands.Add(new CreateCommand());
        Subcommands.Add(new CanaryCommand());
        Subcommands.Add(new ShadowCommand());
        Subcommands.Add(new ScaleCommand());
        Subcommands.Add(new ConfigureCommand());
        Subcommands.Add(new PredictionsCommand());
        Subcommands.Add(new CompareShadowCommand());
        Subcommands.Add(new ExportCommand());
        Subcommands.Add(new PromoteCommand());
        Subcommands.Add(new RollbackCommand());
        Subcommands.Add(new DeleteCommand());
        Subcommands.Add(new ListCommand());
        Subcommands.Add(new GetCommand());
    }

    private static Argument<string> EndpointArgument() => new("endpoint") { Description = "Endpoint name (lowercase letters, digits and '-')" };

    private static string Traffic(EndpointDto endpoint) =>
        endpoint.Traffic is { Count: > 0 } traffic ? string.Join(", ", traffic.Select(t => $"r{t.Revision} {t.Percent}%")) : "none";

    private static string Model(RevisionDto revision) =>
        revision.ModelName is { } name ? $"{revision.ModelUri} ({name} v{revision.ModelVersion})" : revision.ModelUri ?? "";

    private static int Print(ConsoleOutput output, ParseResult parseResult, EndpointDto endpoint)
    {
        if (parseResult.GetValue(CommonOptions.Json))
        {
            output.Json(new EndpointResponse { Endpoint = endpoint }, MlflowJsonContext.Default.EndpointResponse);
            return ExitCodes.Success;
        }

        output.Line($"Endpoint '{endpoint.Name}' ({endpoint.State}): traffic {Traffic(endpoint)}; POST /serving/{endpoint.Name}/invocations");
        if (endpoint.Settings is { } settings)
        {
            output.Line($"Prediction logging {(settings.LogSampleRate * 100).ToString("0.###", CultureInfo.InvariantCulture)} % of requests; alias following {(settings.FollowAlias ? "on" : "off")}.");
        }

        output.Table(["Revision", "Role", "State", "Weight", "Replicas", "Model", "By", "Reason", "Error"], (endpoint.Revisions ?? []).Select(r => (IReadOnlyList<string>)[
            r.Number.ToString(CultureInfo.InvariantCulture), r.Role ?? "", r.State ?? "", r.Weight.ToString(CultureInfo.InvariantCulture),
            r.Replicas.ToString(CultureInfo.InvariantCulture), Model(r),
            r.CreatedBy ?? "", r.Reason ?? "", r.Error ?? ""]));
        return ExitCodes.Success;
    }

    private sealed class CreateCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<string> s_model = new("--model", "-m") { Description = "models:/name@alias, models:/name/version or runs:/run-id/path", Required = true };

        public CreateCommand()
            : base("create", "Deploy a model to an endpoint (created when missing); it serves once its health check passes")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_model);
            Options.Add(s_replicas);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.DeployAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_model)!, parseResult.GetValue(s_reason),
                Environment.UserName, parseResult.GetValue(s_replicas), cancellationToken));
        }
    }

    private sealed class CanaryCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<string> s_model = new("--model", "-m") { Description = "The canary's model URI", Required = true };
        private static readonly Option<int> s_percent = new("--percent") { Description = "Share of traffic for the canary, 1..99", DefaultValueFactory = _ => 10 };

        public CanaryCommand()
            : base("canary", "Send a share of an endpoint's traffic to a new model")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_model);
            Options.Add(s_percent);
            Options.Add(s_replicas);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.CanaryAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_model)!, parseResult.GetValue(s_percent),
                parseResult.GetValue(s_reason), Environment.UserName, parseResult.GetValue(s_replicas), cancellationToken));
        }
    }

    private sealed class PromoteCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<int?> s_revision = new("--revision") { Description = "Revision to promote (default: the canary)" };

        public PromoteCommand()
            : base("promote", "Make the canary (or a given revision) the primary at 100 %")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_revision);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.PromoteAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_revision), parseResult.GetValue(s_reason),
                Environment.UserName, cancellationToken));
        }
    }

    private sealed class RollbackCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();

        public RollbackCommand()
            : base("rollback", "Serve the previous primary's model again")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.RollbackAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_reason), Environment.UserName, cancellationToken));
        }
    }

    private sealed class DeleteCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();

        public DeleteCommand()
            : base("delete", "Stop serving an endpoint (its history is kept)")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_reason);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var endpoint = await client.UndeployAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_reason), cancellationToken);
            output.Line($"Endpoint '{endpoint.Name}' is {endpoint.State}.");
            return ExitCodes.Success;
        }
    }

    private sealed class ListCommand : BaseCommand
    {
        public ListCommand()
            : base("list", "List endpoints and their traffic")
        {
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var page = await client.ListEndpointsAsync(cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(page, MlflowJsonContext.Default.EndpointsResponse);
                return ExitCodes.Success;
            }

            var endpoints = page.Endpoints ?? [];
            if (endpoints.Count == 0)
            {
                output.Line("No endpoints.");
                return ExitCodes.Success;
            }

            output.Table(["Endpoint", "State", "Traffic", "Revisions", "Created (UTC)"], endpoints.Select(e => (IReadOnlyList<string>)[
                e.Name ?? "", e.State ?? "", Traffic(e), (e.Revisions?.Count ?? 0).ToString(CultureInfo.InvariantCulture), Format.Time(e.CreatedAt)]));
            return ExitCodes.Success;
        }
    }

    private sealed class GetCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();

        public GetCommand()
            : base("get", "Show an endpoint: traffic, revisions and their state")
        {
            Arguments.Add(s_endpoint);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.GetEndpointAsync(parseResult.GetValue(s_endpoint)!, cancellationToken));
        }
    }
}

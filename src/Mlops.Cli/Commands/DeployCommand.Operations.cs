using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Client.Contracts;

namespace Mlops.Cli.Commands;

/// <summary>Shadows, scaling, settings and the prediction log of endpoints.</summary>
internal sealed partial class DeployCommand
{
    private sealed class ShadowCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<string> s_model = new("--model", "-m") { Description = "The shadow's model URI", Required = true };

        public ShadowCommand()
            : base("shadow", "Send a copy of every request to a new model; its answers are logged for comparison, never returned")
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
            return Print(output, parseResult, await client.ShadowAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_model)!, parseResult.GetValue(s_reason),
                Environment.UserName, parseResult.GetValue(s_replicas), cancellationToken));
        }
    }

    private sealed class ScaleCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<int> s_count = new("--replicas") { Description = "Requests the revision scores at once, 1..64", Required = true };
        private static readonly Option<int?> s_revision = new("--revision") { Description = "Revision to scale (default: the primary)" };

        public ScaleCommand()
            : base("scale", "Set how many requests a revision scores at once (its in-process replicas)")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_count);
            Options.Add(s_revision);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.ScaleAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_count), parseResult.GetValue(s_revision),
                parseResult.GetValue(s_reason), Environment.UserName, cancellationToken));
        }
    }

    private sealed class ConfigureCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<double?> s_rate = new("--log-sample-rate") { Description = "Share of requests written to the prediction log, 0..1" };
        private static readonly Option<bool?> s_follow = new("--follow-alias") { Description = "Redeploy when the primary's alias (or stage) moves: true or false" };

        public ConfigureCommand()
            : base("configure", "Change an endpoint's prediction logging and alias following")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_rate);
            Options.Add(s_follow);
            Options.Add(s_reason);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            return Print(output, parseResult, await client.ConfigureEndpointAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_rate), parseResult.GetValue(s_follow),
                parseResult.GetValue(s_reason), Environment.UserName, cancellationToken));
        }
    }

    private sealed class PredictionsCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<int?> s_revision = new("--revision") { Description = "Only this revision's answers" };
        private static readonly Option<int> s_max = new("--max-results") { Description = "How many, newest first (1..1000)", DefaultValueFactory = _ => 20 };

        public PredictionsCommand()
            : base("predictions", "Show the prediction log of an endpoint, newest first")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_revision);
            Options.Add(s_max);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var page = await client.ListPredictionsAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_revision), parseResult.GetValue(s_max), cancellationToken: cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(page, MlflowJsonContext.Default.PredictionsResponse);
                return ExitCodes.Success;
            }

            output.Table(["At (UTC)", "Revision", "Role", "Request", "Rows", "Model µs", "Outputs / error"], (page.Predictions ?? []).Select(p => (IReadOnlyList<string>)[
                Format.Time(p.At), p.Revision.ToString(CultureInfo.InvariantCulture), p.Role ?? "", p.RequestId ?? "", p.Rows.ToString(CultureInfo.InvariantCulture),
                p.ModelMicroseconds.ToString(CultureInfo.InvariantCulture), p.Error ?? Shorten(p.Outputs?.GetRawText() ?? "")]));
            return ExitCodes.Success;
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
    }

    private sealed class CompareShadowCommand : BaseCommand
    {
        private static readonly Argument<string> s_endpoint = EndpointArgument();
        private static readonly Option<int?> s_revision = new("--revision") { Description = "The shadow revision (default: the live shadow)" };

        public CompareShadowCommand()
            : base("compare-shadow", "Compare a shadow's logged answers with the live answers to the same requests")
        {
            Arguments.Add(s_endpoint);
            Options.Add(s_revision);
            Options.Add(CommonOptions.Json);
        }

        protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
        {
            using var client = CreateClient(parseResult);
            var comparison = await client.CompareShadowAsync(parseResult.GetValue(s_endpoint)!, parseResult.GetValue(s_revision), cancellationToken);
            if (parseResult.GetValue(CommonOptions.Json))
            {
                output.Json(comparison, MlflowJsonContext.Default.ShadowComparisonDto);
                return ExitCodes.Success;
            }

            output.Line($"Shadow revision {comparison.Shadow} of '{comparison.Endpoint}': {comparison.Paired:N0} requests paired with the live answer, {comparison.ShadowErrors:N0} shadow errors.");
            output.Line(comparison.Agreement is { } agreement
                ? $"First output agrees on {agreement:P2} of rows; model time p50 live {comparison.LiveModelMicrosecondsP50:0} µs, shadow {comparison.ShadowModelMicrosecondsP50:0} µs."
                : "No paired answers yet: send traffic to the endpoint.");
            foreach (var (column, difference) in comparison.MeanAbsoluteDifference ?? [])
            {
                output.Line($"  mean |live - shadow| of {column}: {difference.ToString("G4", CultureInfo.InvariantCulture)}");
            }

            return ExitCodes.Success;
        }
    }
}

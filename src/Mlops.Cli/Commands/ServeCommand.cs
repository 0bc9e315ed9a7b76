using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Mlops.Cli.Output;
using Mlops.Infrastructure.Learning.Serving;
using Mlops.Server.Serving;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops serve --model models:/name@alias</c>: one model behind MLflow's scoring protocol. The model is resolved
/// and downloaded through the tracking server (its hash checked), or read from a local package folder, loaded,
/// checked against its own input example, and only then served.
/// </summary>
internal sealed class ServeCommand : BaseCommand
{
    private static readonly Option<string> s_model = new("--model", "-m") { Description = "models:/name@alias, models:/name/version, runs:/run-id/model, or a local model package folder", Required = true };
    private static readonly Option<string> s_host = new("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> s_port = new("--port", "-p") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 5001 };
    private static readonly Option<int> s_replicas = new("--replicas") { Description = "Requests scored at once (1..64; default: one per core)", DefaultValueFactory = _ => Math.Clamp(Environment.ProcessorCount, 1, 64) };
    private static readonly Option<int> s_maxRows = new("--max-rows") { Description = "Most rows one request may score", DefaultValueFactory = _ => 100_000 };
    private static readonly Option<string> s_flavor = FlavorOption();

    public ServeCommand()
        : base("serve", "Serve one model over HTTP with MLflow's scoring protocol (POST /invocations)")
    {
        Options.Add(s_model);
        Options.Add(s_host);
        Options.Add(s_port);
        Options.Add(s_maxRows);
        Options.Add(s_replicas);
        Options.Add(s_flavor);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var port = parseResult.GetValue(s_port);
        if (port is < 0 or > 65535)
        {
            output.Error("--port must be between 0 and 65535.");
            return ExitCodes.UsageError;
        }

        var replicas = parseResult.GetValue(s_replicas);
        if (replicas is < 1 or > 64)
        {
            output.Error("--replicas must be between 1 and 64.");
            return ExitCodes.UsageError;
        }

        var model = parseResult.GetValue(s_model)!;
        using var fetched = await FetchedModel.FetchAsync(model, parseResult, output, cancellationToken);
        using var predictor = new ModelRuntime(ServingFlavors.Parse(parseResult.GetValue(s_flavor)!)).Load(fetched.Folder, fetched.ExpectedMlModelSha256);
        ModelServer.CheckHealth(predictor, fetched.Folder);
        var options = new ModelServerOptions(parseResult.GetValue(s_host)!, port, MaxRows: Math.Max(1, parseResult.GetValue(s_maxRows)), Replicas: replicas);
        await using var app = ModelServer.Build(predictor, model, options);
        await app.StartAsync(cancellationToken);
        foreach (var address in Server.MlopsServer.Addresses(app))
        {
            output.Line($"Serving {model} on {address} (POST /invocations, GET /ping); press Ctrl+C to stop.");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>--flavor, shared with `mlops predict`.</summary>
    internal static Option<string> FlavorOption()
    {
        var option = new Option<string>("--flavor")
        {
            Description = "Runtime for the model: auto (ML.NET when the package has the mlnet flavor, else ONNX Runtime), mlnet or onnx",
            DefaultValueFactory = _ => ServingFlavors.Auto,
        };
        option.AcceptOnlyFromAmong(ServingFlavors.Names);
        return option;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Mlops.Cli.Output;
using Mlops.Client;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops quickstart</c>: starts the server, tracks a small demo study through the .NET client (params,
/// per-epoch metrics, an artifact, a search), prints what to try next and keeps serving.
/// </summary>
internal sealed class QuickstartCommand : BaseCommand
{
    private static readonly Option<bool> s_exit = new("--exit") { Description = "Stop after seeding the demo instead of serving" };

    public QuickstartCommand()
        : base("quickstart", "Start the server and walk through tracking a demo experiment", usesServer: false)
    {
        ServerOptionSet.AddTo(this);
        Options.Add(s_exit);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, ConsoleOutput output, CancellationToken cancellationToken)
    {
        if (ServerOptionSet.Read(parseResult, output) is not { } options)
        {
            return ExitCodes.UsageError;
        }

        await using var app = await ServerCommand.StartAsync(options, output, cancellationToken);
        var address = Server.MlopsServer.Addresses(app)[0];
        using var client = new MlopsClient(address);

        var experimentName = "quickstart-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var experimentId = await client.GetOrCreateExperimentAsync(experimentName, cancellationToken);
        output.Line("");
        output.Line($"1. Created experiment '{experimentName}' (id {experimentId}).");

        var runIds = new List<string>();
        foreach (var learningRate in new[] { 0.3, 0.1, 0.03 })
        {
            runIds.Add(await TrainDemoRunAsync(client, experimentId, learningRate, cancellationToken));
        }

        output.Line($"2. Tracked {runIds.Count} training runs: params, 50 epochs of loss and accuracy each, and a summary artifact.");
        var best = await client.SearchRunsAsync([experimentId], "metrics.accuracy > 0.8 AND (params.optimizer = 'sgd' OR params.optimizer = 'adam')", ["metrics.accuracy DESC"], 1, cancellationToken: cancellationToken);
        var top = best.Runs?.FirstOrDefault();
        if (top is not null)
        {
            var accuracy = top.Data.Metrics?.FirstOrDefault(m => m.Key == "accuracy")?.Value ?? double.NaN;
            output.Line($"3. Searched the runs: the best is {top.Info.RunName} ({top.Info.RunId}) with accuracy {accuracy.ToString("0.000", CultureInfo.InvariantCulture)}.");
        }

        output.Line("");
        output.Line(parseResult.GetValue(s_exit) ? "Try next (after starting the server again with `mlops server` on the same data):" : "Try next:");
        output.Line($"  mlops runs list --tracking-uri {address} --experiment-id {experimentId}");
        output.Line($"  mlops runs search --tracking-uri {address} -e {experimentId} --filter \"metrics.accuracy > 0.9\" --order-by \"metrics.accuracy DESC\"");
        output.Line($"  mlops runs compare --tracking-uri {address} {string.Join(' ', runIds)}");
        output.Line($"  MLFLOW_TRACKING_URI={address} python -c \"import mlflow; print(mlflow.search_runs(experiment_names=['{experimentName}']))\"");
        output.Line($"  API reference: {address}/docs");
        if (parseResult.GetValue(s_exit))
        {
            return ExitCodes.Success;
        }

        output.Line("");
        output.Line("The server keeps running; press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>A simulated training loop: the curves are synthetic, the tracking calls are real.</summary>
    private static async Task<string> TrainDemoRunAsync(MlopsClient client, string experimentId, double learningRate, CancellationToken cancellationToken)
    {
        var optimizer = learningRate > 0.2 ? "sgd" : "adam";
        var run = await client.CreateRunAsync(experimentId, $"lr-{learningRate.ToString(CultureInfo.InvariantCulture)}", new Dictionary<string, string> { ["stage"] = "demo" }, cancellationToken: cancellationToken);
        var runId = run.Info.RunId;
        await client.LogBatchAsync(runId, parameters: new Dictionary<string, string>
        {
            ["learning_rate"] = learningRate.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = optimizer,
            ["epochs"] = "50",
        }, cancellationToken: cancellationToken);

        var random = new Random(42 + (int)(learningRate * 100));
        double loss = 0, accuracy = 0;
        await using (var logger = client.CreateMetricLogger(runId))
        {
            for (var epoch = 0; epoch < 50; epoch++)
            {
                var progress = 1 - Math.Exp(-learningRate * (epoch + 1) / 2);
                loss = (1 - progress) * 2 + (random.NextDouble() * 0.05);
                accuracy = 0.5 + (0.45 * progress) - (random.NextDouble() * 0.02);
                logger.Log("loss", loss, epoch);
                logger.Log("accuracy", accuracy, epoch);
            }
        }

        var summary = $"{{\"learning_rate\": {learningRate.ToString(CultureInfo.InvariantCulture)}, \"final_loss\": {loss.ToString("0.0000", CultureInfo.InvariantCulture)}, \"final_accuracy\": {accuracy.ToString("0.0000", CultureInfo.InvariantCulture)}}}\n";
        await using (var content = new MemoryStream(Encoding.UTF8.GetBytes(summary)))
        {
            await client.UploadArtifactAsync(runId, content, "summary.json", cancellationToken);
        }

        await client.EndRunAsync(runId, cancellationToken: cancellationToken);
        return runId;
    }
}

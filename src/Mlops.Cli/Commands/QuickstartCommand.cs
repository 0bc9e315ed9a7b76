using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Cli.Output;
using Mlops.Client;
using Mlops.Infrastructure.Learning;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops quickstart</c>: starts the server and walks the lifecycle with a real model: three ML.NET trainings on
/// the breast cancer dataset tracked as runs (params, per-fold metrics, dataset, model package), the best one
/// registered with the alias @champion, then resolved by models:/…@champion, downloaded, verified and used; then
/// a small LightGBM tuning study whose trials run as jobs; then the champion deployed to an endpoint and scored over HTTP.
/// </summary>
internal sealed class QuickstartCommand : BaseCommand
{
    private const string ModelName = "quickstart-breast-cancer";
    private const string EndpointName = "quickstart";
    private static readonly Option<bool> s_exit = new("--exit") { Description = "Stop after the walkthrough instead of serving" };

    public QuickstartCommand()
        : base("quickstart", "Start the server and walk through the lifecycle: track, compare, register, resolve and load a real model", usesServer: false)
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

        if (options.Worker is null)
        {
            output.Error("quickstart trains its models as jobs on the embedded worker; run it without --no-worker.");
            return ExitCodes.UsageError;
        }

        await using var app = await ServerCommand.StartAsync(options, output, cancellationToken);
        var address = Server.MlopsServer.Addresses(app)[0];
        using var client = new MlopsClient(address);
        var work = Directory.CreateTempSubdirectory("mlops-quickstart-").FullName;
        try
        {
            await WalkThroughAsync(client, address, work, parseResult.GetValue(s_exit), output, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        if (parseResult.GetValue(s_exit))
        {
            return ExitCodes.Success;
        }

        output.Line("");
        output.Line("The server keeps running; press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }

    private static async Task WalkThroughAsync(MlopsClient client, string address, string work, bool exiting, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var dataPath = Path.Combine(work, "breast_cancer.csv");
        await using (var resource = typeof(QuickstartCommand).Assembly.GetManifestResourceStream("Mlops.Cli.Quickstart.breast_cancer.csv")!)
        await using (var file = File.Create(dataPath))
        {
            await resource.CopyToAsync(file, cancellationToken);
        }

        var experimentName = "quickstart-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var experimentId = await client.GetOrCreateExperimentAsync(experimentName, cancellationToken);
        output.Line("");
        output.Line($"1. Created experiment '{experimentName}' (id {experimentId}).");

        var runIds = new List<string>();
        foreach (var l2 in new[] { 1.0, 0.1, 0.001 })
        {
            runIds.Add(await TrainAsJobAsync(client, experimentName, dataPath, l2, cancellationToken));
        }

        output.Line($"2. Trained {runIds.Count} ML.NET logistic regressions on breast_cancer.csv (569 rows) as jobs on the embedded worker, each a run with params, 5-fold metrics, the dataset and a model package.");

        var search = await client.SearchRunsAsync([experimentId], "metrics.auc > 0.9 AND (params.trainer = 'lbfgs_logistic' OR params.trainer = 'sdca')", ["metrics.auc DESC"], 1, cancellationToken: cancellationToken);
        var best = search.Runs?.FirstOrDefault() ?? throw new InvalidOperationException("No run reached AUC 0.9.");
        var auc = best.Data.Metrics!.First(m => m.Key == "auc").Value!.Value;
        output.Line($"3. Searched the runs: the best is {best.Info.RunName} ({best.Info.RunId}) with cross-validated AUC {auc.ToString("0.0000", CultureInfo.InvariantCulture)}.");

        var version = await client.RegisterModelAsync($"runs:/{best.Info.RunId}/model", ModelName, cancellationToken: cancellationToken);
        await client.SetRegisteredModelAliasAsync(ModelName, "champion", version.Version, cancellationToken);
        output.Line($"4. Registered it as '{ModelName}' version {version.Version} and pointed @champion at it (content hashes checked on registration).");

        var downloaded = Path.Combine(work, "champion");
        var resolved = await client.DownloadModelAsync($"models:/{ModelName}@champion", downloaded, cancellationToken);
        var expectedHash = resolved.ModelVersion?.Tags?.FirstOrDefault(t => t.Key == "mlops.mlmodel_sha256")?.Value;
        var loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(downloaded, expectedHash);
        var (probability, actual) = PredictFirstRow(dataPath, loaded.Model);
        output.Line($"5. Resolved models:/{ModelName}@champion, downloaded and verified it, loaded it with ML.NET: P(benign) for the first patient = {probability.ToString("0.000", CultureInfo.InvariantCulture)} (recorded diagnosis: {(actual ? "benign" : "malignant")}).");

        var study = await TuneAsync(client, experimentName, dataPath, cancellationToken);
        var bestTrial = study.BestTrials is [var top, ..] ? top : throw new InvalidOperationException($"The quickstart study {study.Name} has no complete trial.");
        output.Line($"6. Tuned LightGBM with study '{study.Name}': {study.TotalTrials} trials as jobs (2 at a time, sampler {study.SamplerResolved}, median pruner; " +
            $"{study.TrialCounts?.GetValueOrDefault("pruned") ?? 0} pruned), best accuracy {bestTrial.Values![0].ToString("0.0000", CultureInfo.InvariantCulture)} with {StudiesCommand.Params(bestTrial)}.");

        var endpoint = await client.DeployAsync(EndpointName, $"models:/{ModelName}@champion", reason: "quickstart", cancellationToken: cancellationToken);
        var served = await ScoreOverHttpAsync(address, dataPath, cancellationToken);
        output.Line($"7. Deployed @champion to endpoint '{EndpointName}' (revision {endpoint.Traffic![0].Revision}, health-checked) and scored the first patient over HTTP: {served}");

        output.Line("");
        output.Line(exiting ? "Try next (after starting the server again with `mlops server` on the same data):" : "Try next:");
        output.Line($"  mlops runs list --tracking-uri {address} --experiment-id {experimentId}");
        output.Line($"  mlops runs search --tracking-uri {address} -e {experimentId} --filter \"metrics.auc > 0.99\" --order-by \"metrics.auc DESC\"");
        output.Line($"  mlops runs compare --tracking-uri {address} {string.Join(' ', runIds)}");
        output.Line($"  mlops models versions --tracking-uri {address} {ModelName}");
        output.Line($"  mlops models lineage --tracking-uri {address} {ModelName} {version.Version}");
        output.Line($"  mlops models download --tracking-uri {address} models:/{ModelName}@champion -o ./champion");
        output.Line($"  mlops studies trials --tracking-uri {address} {study.Name}");
        output.Line($"  curl -s {address}/serving/{EndpointName}/invocations -H 'Content-Type: text/csv' --data-binary @breast_cancer_first_row.csv");
        output.Line($"  mlops deploy get --tracking-uri {address} {EndpointName}");
        output.Line($"  mlops studies importances --tracking-uri {address} {study.Name}");
        output.Line($"  MLFLOW_TRACKING_URI={address} python -c \"import mlflow; print(mlflow.search_runs(experiment_names=['{experimentName}']))\"");
        output.Line($"  API reference: {address}/docs");
    }

    /// <summary>One training spec submitted as a "train" job and followed to the end, as `mlops train --wait` does.</summary>
    private static async Task<string> TrainAsJobAsync(MlopsClient client, string experiment, string dataPath, double l2, CancellationToken cancellationToken)
    {
        var l2Text = l2.ToString(CultureInfo.InvariantCulture);
        var spec = string.Join('\n',
            $"name: lbfgs-l2-{l2Text}",
            $"experiment: {experiment}",
            "tags: {stage: quickstart}",
            $"dataset: {{path: '{dataPath.Replace("'", "''", StringComparison.Ordinal)}', label: label}}",
            "task: binary",
            $"trainer: {{name: lbfgs_logistic, hyperparameters: {{l2_regularization: {l2Text}}}}}",
            "validation: {method: kfold, folds: 5, seed: 42}",
            "metrics: {optimize: auc}");
        var job = await client.SubmitTrainingAsync(spec, cancellationToken: cancellationToken);
        job = await client.WaitForJobAsync(job.Id, cancellationToken: cancellationToken);
        if (job.Status != "succeeded")
        {
            throw new InvalidOperationException($"The quickstart training job {job.Id} {job.Status}: {job.Error}");
        }

        using var result = JsonDocument.Parse(job.Result!);
        return result.RootElement.GetProperty("run_id").GetString()!;
    }

    /// <summary>One row of the dataset as CSV to the endpoint, as any HTTP client would send it; returns the answer.</summary>
    private static async Task<string> ScoreOverHttpAsync(string address, string dataPath, CancellationToken cancellationToken)
    {
        var lines = File.ReadLines(dataPath).Take(2).ToArray();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var content = new StringContent(lines[0] + "\n" + lines[1] + "\n", System.Text.Encoding.UTF8, "text/csv");
        using var response = await http.PostAsync($"serving/{EndpointName}/invocations", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"The endpoint answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>A small tuning study whose trials are training jobs, followed to the end as `mlops tune` does.</summary>
    private static async Task<Client.Contracts.StudyDto> TuneAsync(MlopsClient client, string experiment, string dataPath, CancellationToken cancellationToken)
    {
        var spec = string.Join('\n',
            $"name: {experiment}-lightgbm-tuning",
            $"experiment: {experiment}-tuning",
            $"dataset: {{path: '{dataPath.Replace("'", "''", StringComparison.Ordinal)}', label: label}}",
            "task: binary",
            "trainer:",
            "  name: lightgbm",
            "  hyperparameters:",
            "    learning_rate: {low: 0.02, high: 0.3, log: true}",
            "    number_of_leaves: {low: 4, high: 48}",
            "    minimum_example_count_per_leaf: {low: 2, high: 40}",
            "    number_of_iterations: 60",
            "validation: {method: kfold, folds: 5, seed: 42}",
            "metrics: {optimize: accuracy}",
            "tune: {trials: 8, parallel: 2, seed: 0, pruner: median}");
        var study = await client.TuneAsync(spec, cancellationToken: cancellationToken);
        while (study.Status == "running")
        {
            await Task.Delay(500, cancellationToken);
            study = await client.GetStudyAsync(study.Name!, cancellationToken);
        }

        return study;
    }

    private static (float Probability, bool Label) PredictFirstRow(string dataPath, ITransformer model)
    {
        var ml = new MLContext(seed: 1);
        var header = File.ReadLines(dataPath).First().Split(',');
        var columns = header[..^1].Select((name, i) => new TextLoader.Column(name, DataKind.Single, i)).Append(new TextLoader.Column("Label", DataKind.Boolean, header.Length - 1)).ToArray();
        var first = ml.Data.TakeRows(ml.Data.LoadFromTextFile(dataPath, columns, separatorChar: ',', hasHeader: true), 1);
        return (model.Transform(first).GetColumn<float>("Probability").First(), first.GetColumn<bool>("Label").First());
    }
}

using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Cli.Output;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Infrastructure.Learning;

namespace Mlops.Cli.Commands;

/// <summary>
/// <c>mlops quickstart</c>: starts the server and walks the lifecycle with a real model: three ML.NET trainings on
/// the breast cancer dataset tracked as runs (params, per-fold metrics, dataset, model package), the best one
/// registered with the alias @champion, then resolved by models:/…@champion, downloaded, verified and used.
/// </summary>
internal sealed class QuickstartCommand : BaseCommand
{
    private const string ModelName = "quickstart-breast-cancer";
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

        var trainer = new QuickstartTrainer(dataPath);
        var runIds = new List<string>();
        foreach (var l2 in new[] { 1.0f, 0.1f, 0.001f })
        {
            runIds.Add(await TrackTrainingAsync(client, trainer, experimentId, l2, Path.Combine(work, "model-" + runIds.Count), cancellationToken));
        }

        output.Line($"2. Trained {runIds.Count} ML.NET logistic regressions on breast_cancer.csv (569 rows), each a run with params, 5-fold metrics, the dataset and a model package.");

        var search = await client.SearchRunsAsync([experimentId], "metrics.auc > 0.9 AND (params.trainer = 'LbfgsLogisticRegression' OR params.trainer = 'Sdca')", ["metrics.auc DESC"], 1, cancellationToken: cancellationToken);
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
        var (probability, actual) = trainer.PredictFirstRow(loaded.Model);
        output.Line($"5. Resolved models:/{ModelName}@champion, downloaded and verified it, loaded it with ML.NET: P(benign) for the first patient = {probability.ToString("0.000", CultureInfo.InvariantCulture)} (recorded diagnosis: {(actual ? "benign" : "malignant")}).");

        output.Line("");
        output.Line(exiting ? "Try next (after starting the server again with `mlops server` on the same data):" : "Try next:");
        output.Line($"  mlops runs list --tracking-uri {address} --experiment-id {experimentId}");
        output.Line($"  mlops runs search --tracking-uri {address} -e {experimentId} --filter \"metrics.auc > 0.99\" --order-by \"metrics.auc DESC\"");
        output.Line($"  mlops runs compare --tracking-uri {address} {string.Join(' ', runIds)}");
        output.Line($"  mlops models versions --tracking-uri {address} {ModelName}");
        output.Line($"  mlops models lineage --tracking-uri {address} {ModelName} {version.Version}");
        output.Line($"  mlops models download --tracking-uri {address} models:/{ModelName}@champion -o ./champion");
        output.Line($"  MLFLOW_TRACKING_URI={address} python -c \"import mlflow; print(mlflow.search_runs(experiment_names=['{experimentName}']))\"");
        output.Line($"  API reference: {address}/docs");
    }

    private static async Task<string> TrackTrainingAsync(MlopsClient client, QuickstartTrainer trainer, string experimentId, float l2, string packageFolder, CancellationToken cancellationToken)
    {
        var run = await client.CreateRunAsync(experimentId, $"lbfgs-l2-{l2.ToString(CultureInfo.InvariantCulture)}", new Dictionary<string, string> { ["stage"] = "quickstart" }, cancellationToken: cancellationToken);
        var runId = run.Info.RunId;
        await client.LogBatchAsync(runId, parameters: new Dictionary<string, string>
        {
            ["trainer"] = "LbfgsLogisticRegression",
            ["l2_regularization"] = l2.ToString(CultureInfo.InvariantCulture),
            ["normalization"] = "min-max",
            ["folds"] = "5",
        }, cancellationToken: cancellationToken);
        await client.LogInputsAsync(runId, [trainer.DatasetInput()], cancellationToken);

        var result = trainer.Train(l2, packageFolder, runId);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var metrics = new List<MetricDto>();
        for (var fold = 0; fold < result.FoldAuc.Count; fold++)
        {
            metrics.Add(new MetricDto("fold_auc", result.FoldAuc[fold], now, fold));
            metrics.Add(new MetricDto("fold_accuracy", result.FoldAccuracy[fold], now, fold));
        }

        metrics.Add(new MetricDto("auc", result.FoldAuc.Average(), now, 0));
        metrics.Add(new MetricDto("accuracy", result.FoldAccuracy.Average(), now, 0));
        await client.LogBatchAsync(runId, metrics, cancellationToken: cancellationToken);
        await client.UploadArtifactsAsync(runId, packageFolder, "model", cancellationToken);
        await client.EndRunAsync(runId, cancellationToken: cancellationToken);
        return runId;
    }

    /// <summary>The ML.NET part of the walkthrough; the issue "Training automation" replaces it with training jobs.</summary>
    private sealed class QuickstartTrainer
    {
        private readonly MLContext _ml = new(seed: 42);
        private readonly string _path;
        private readonly string[] _features;
        private readonly IDataView _data;
        private readonly DataViewSchema _inputSchema;

        public QuickstartTrainer(string path)
        {
            _path = path;
            _features = File.ReadLines(path).First().Split(',')[..^1];
            var columns = _features.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i)).ToArray();
            _data = _ml.Data.LoadFromTextFile(path, [.. columns, new TextLoader.Column("Label", DataKind.Boolean, columns.Length)], separatorChar: ',', hasHeader: true);
            _inputSchema = _ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true).GetOutputSchema();
        }

        public DatasetInputDto DatasetInput()
        {
            using var stream = File.OpenRead(_path);
            return new DatasetInputDto
            {
                Dataset = new DatasetDto
                {
                    Name = "breast_cancer",
                    Digest = Convert.ToHexStringLower(SHA256.HashData(stream))[..16],
                    SourceType = "local",
                    Source = "{\"uri\": \"samples/data/breast_cancer.csv\"}",
                },
                Tags = [new KeyValueDto("mlflow.data.context", "training")],
            };
        }

        public (IReadOnlyList<double> FoldAuc, IReadOnlyList<double> FoldAccuracy) Train(float l2, string packageFolder, string runId)
        {
            var pipeline = _ml.Transforms.Concatenate("Features", _features)
                .Append(_ml.Transforms.NormalizeMinMax("Features"))
                .Append(_ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2 }));
            var folds = _ml.BinaryClassification.CrossValidate(_data, pipeline, numberOfFolds: 5);
            var model = pipeline.Fit(_data);
            new MlNetModelPackager(TimeProvider.System).Save(_ml, model, _inputSchema, packageFolder, runId);
            return (folds.Select(f => f.Metrics.AreaUnderRocCurve).ToList(), folds.Select(f => f.Metrics.Accuracy).ToList());
        }

        public (float Probability, bool Label) PredictFirstRow(ITransformer model)
        {
            var first = _ml.Data.TakeRows(_data, 1);
            return (model.Transform(first).GetColumn<float>("Probability").First(), first.GetColumn<bool>("Label").First());
        }
    }
}

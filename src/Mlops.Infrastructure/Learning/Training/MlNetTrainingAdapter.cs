using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Domain.Training;
using Mlops.Infrastructure.Learning.Data;
using Mlops.Infrastructure.Training;

namespace Mlops.Infrastructure.Learning.Training;

/// <summary>The ML.NET implementation of the training ports: maps the spec onto <see cref="MlNetTrainer"/>.</summary>
public sealed class MlNetTrainingAdapter(TimeProvider clock) : ITrainer, ITrainingSpecReader
{
    public TrainingSpec Parse(string text) => TrainingSpecParser.Parse(text);

    public TrainingOutcome Train(TrainingSpec spec, string dataPath, string? foldsPath, string packageFolder, string runId, Action<string> log, Action<double, string> progress, CancellationToken cancellationToken,
        Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold = null)
    {
        if (spec.Dataset.Format != DatasetFormat.Parquet)
        {
            return Train(spec, dataPath, spec.Dataset.Separator, spec.Dataset.HasHeader, null, foldsPath, packageFolder, runId, log, progress, afterFold, cancellationToken);
        }

        var staged = Path.Combine(Path.GetTempPath(), "mlops-parquet-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            progress(0, "reading the Parquet file");
            var sha256 = ParquetToCsvConverter.Convert(dataPath, staged, cancellationToken);
            log($"data: Parquet file converted for training, sha256 {sha256[..12]}");
            return Train(spec, staged, ParquetToCsvConverter.Separator, true, sha256, foldsPath, packageFolder, runId, log, progress, afterFold, cancellationToken);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    private TrainingOutcome Train(TrainingSpec spec, string csvPath, char separator, bool hasHeader, string? sourceSha256, string? foldsPath, string packageFolder, string runId,
        Action<string> log, Action<double, string> progress, Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold, CancellationToken cancellationToken)
    {
        var request = new MlNetTrainingRequest(
            csvPath,
            spec.Dataset.Label,
            spec.Dataset.Features,
            spec.Dataset.Categorical,
            spec.Dataset.Text,
            spec.Dataset.Ignore,
            separator,
            hasHeader,
            foldsPath,
            spec.Task switch
            {
                TrainingTask.BinaryClassification => MlTask.Binary,
                TrainingTask.MulticlassClassification => MlTask.Multiclass,
                _ => MlTask.Regression,
            },
            spec.Trainer.Name switch
            {
                TrainerKind.LightGbm => MlTrainer.LightGbm,
                TrainerKind.FastTree => MlTrainer.FastTree,
                TrainerKind.FastForest => MlTrainer.FastForest,
                TrainerKind.Sdca => MlTrainer.Sdca,
                TrainerKind.LbfgsLogisticRegression => MlTrainer.LbfgsLogistic,
                TrainerKind.LbfgsPoissonRegression => MlTrainer.LbfgsPoisson,
                _ => MlTrainer.AveragedPerceptron,
            },
            spec.Trainer.Hyperparameters.ToDictionary(h => h.Key, h => h.Value.Value),
            spec.Validation.Method == ValidationMethod.KFold,
            spec.Validation.Folds,
            spec.Validation.HoldoutFraction,
            spec.Validation.Seed);
        var result = new MlNetTrainer(clock).Train(request, packageFolder, runId, log, progress, cancellationToken, afterFold);
        var profile = sourceSha256 is null ? result.Profile : result.Profile with { Sha256 = sourceSha256 };
        var profileJson = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["rows"] = profile.Rows,
            ["sha256"] = profile.Sha256,
            ["columns"] = profile.Columns.Select(c => new Dictionary<string, object?>
            {
                ["name"] = c.Name,
                ["type"] = c.Numeric ? "numeric" : "text",
                ["missing"] = c.Missing,
                ["min"] = c.Min,
                ["max"] = c.Max,
                ["mean"] = c.Mean,
                ["std"] = c.StdDev,
                ["distinct"] = c.Distinct,
            }).ToList(),
        });
        return new TrainingOutcome(result.FoldMetrics, result.Metrics, result.FeatureImportance, profile.Rows, profile.Sha256, profileJson,
            [.. result.Package.Flavors.Keys], result.FitTime, result.ConfusionMatrix);
    }
}

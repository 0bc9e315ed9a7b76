using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Domain.Training;
using Mlops.Infrastructure.Training;

namespace Mlops.Infrastructure.Learning.Training;

/// <summary>The ML.NET implementation of the training ports: maps the spec onto <see cref="MlNetTrainer"/>.</summary>
public sealed class MlNetTrainingAdapter(TimeProvider clock) : ITrainer, ITrainingSpecReader
{
    public TrainingSpec Parse(string text)
    {
        var spec = TrainingSpecParser.Parse(text);

        // Refused at submission rather than failing later on the worker with a confusing CSV error.
        return spec.Dataset.Format == DatasetFormat.Parquet
            ? throw Domain.Common.MlopsException.Invalid("dataset.path: Parquet datasets are not supported by this version's trainer yet; use a CSV file.")
            : spec;
    }

    public TrainingOutcome Train(TrainingSpec spec, string dataPath, string? foldsPath, string packageFolder, string runId, Action<string> log, Action<double, string> progress, CancellationToken cancellationToken)
    {
        var request = new MlNetTrainingRequest(
            dataPath,
            spec.Dataset.Label,
            spec.Dataset.Features,
            spec.Dataset.Categorical,
            spec.Dataset.Text,
            spec.Dataset.Ignore,
            spec.Dataset.Separator,
            spec.Dataset.HasHeader,
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
        var result = new MlNetTrainer(clock).Train(request, packageFolder, runId, log, progress, cancellationToken);
        var profileJson = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["rows"] = result.Profile.Rows,
            ["sha256"] = result.Profile.Sha256,
            ["columns"] = result.Profile.Columns.Select(c => new Dictionary<string, object?>
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
        return new TrainingOutcome(result.FoldMetrics, result.Metrics, result.FeatureImportance, result.Profile.Rows, result.Profile.Sha256, profileJson,
            [.. result.Package.Flavors.Keys], result.FitTime, result.ConfusionMatrix);
    }
}

using Mlops.Domain.Training;

namespace Mlops.Application.Ports;

/// <summary>What a training produced, in the platform's terms (no ML.NET types cross this port).</summary>
public sealed record TrainingOutcome(
    IReadOnlyList<IReadOnlyDictionary<string, double>> FoldMetrics,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> FeatureImportance,
    long Rows,
    string DataSha256,
    string DataProfileJson,
    IReadOnlyList<string> Flavors,
    TimeSpan FitTime,
    IReadOnlyList<IReadOnlyList<double>>? ConfusionMatrix);

/// <summary>Trains a model from a validated spec and a local data file, writing a sealed model package to a folder.</summary>
public interface ITrainer
{
    /// <remarks>CPU-bound and synchronous; honours the token between folds. Bad data raises InvalidArgument naming the row and column.</remarks>
    /// <param name="afterFold">Called with each fold's index and metrics as cross-validation goes; returning true stops the training with <see cref="Domain.Optimization.TrialPrunedException"/> (a study's pruner said so).</param>
    TrainingOutcome Train(TrainingSpec spec, string dataPath, string? foldsPath, string packageFolder, string runId, Action<string> log, Action<double, string> progress, CancellationToken cancellationToken,
        Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold = null);
}

/// <summary>Reads a training spec (YAML or JSON) into a validated <see cref="TrainingSpec"/>.</summary>
public interface ITrainingSpecReader
{
    TrainingSpec Parse(string text);
}

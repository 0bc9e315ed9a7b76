namespace Mlops.Infrastructure.Learning.Training;

public enum MlTask
{
    Binary,
    Multiclass,
    Regression,
}

public enum MlTrainer
{
    LightGbm,
    FastTree,
    FastForest,
    Sdca,
    LbfgsLogistic,
    LbfgsPoisson,
    AveragedPerceptron,
}

/// <summary>Everything the ML.NET trainer needs, already validated (the training spec maps onto it).</summary>
public sealed record MlNetTrainingRequest(
    string DataPath,
    string Label,
    IReadOnlyList<string>? Features,
    IReadOnlyList<string> Categorical,
    IReadOnlyList<string> Text,
    IReadOnlyList<string> Ignore,
    char Separator,
    bool HasHeader,
    string? FoldsFile,
    MlTask Task,
    MlTrainer Trainer,
    IReadOnlyDictionary<string, object> Hyperparameters,
    bool KFold,
    int Folds,
    double HoldoutFraction,
    int Seed);

/// <summary>What a training produced: metrics per fold and overall, feature importance, the data profile and the model package.</summary>
public sealed record MlNetTrainingResult(
    IReadOnlyList<IReadOnlyDictionary<string, double>> FoldMetrics,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> FeatureImportance,
    Data.DataProfile Profile,
    Domain.Models.ModelDescriptor Package,
    TimeSpan FitTime,
    IReadOnlyList<IReadOnlyList<double>>? ConfusionMatrix);

namespace Mlops.Domain.Training;

/// <summary>
/// Which tasks each trainer supports and which hyperparameters it knows. This is the contract with the ML.NET
/// adapter: every hyperparameter listed here must be mapped onto the trainer's options there, and nothing else is.
/// </summary>
public static class TrainerCatalog
{
    private static readonly TrainingTask[] s_allTasks = [TrainingTask.BinaryClassification, TrainingTask.MulticlassClassification, TrainingTask.Regression];

    private static readonly HyperparameterDefinition[] s_lightGbm =
    [
        HyperparameterDefinition.Integer("number_of_iterations", 1),
        HyperparameterDefinition.Positive("learning_rate"),
        HyperparameterDefinition.Integer("number_of_leaves", 2),
        HyperparameterDefinition.Integer("minimum_example_count_per_leaf", 1),
        HyperparameterDefinition.NonNegative("l1_regularization"),
        HyperparameterDefinition.NonNegative("l2_regularization"),
    ];

    private static readonly HyperparameterDefinition[] s_fastTree =
    [
        HyperparameterDefinition.Integer("number_of_trees", 1),
        HyperparameterDefinition.Integer("number_of_leaves", 2),
        HyperparameterDefinition.Integer("minimum_example_count_per_leaf", 1),
        HyperparameterDefinition.Positive("learning_rate"),
    ];

    // A random forest averages independent trees, so there is no boosting learning rate.
    private static readonly HyperparameterDefinition[] s_fastForest =
    [
        HyperparameterDefinition.Integer("number_of_trees", 1),
        HyperparameterDefinition.Integer("number_of_leaves", 2),
        HyperparameterDefinition.Integer("minimum_example_count_per_leaf", 1),
    ];

    private static readonly HyperparameterDefinition[] s_sdca =
    [
        HyperparameterDefinition.NonNegative("l2_regularization"),
        HyperparameterDefinition.NonNegative("l1_regularization"),
        HyperparameterDefinition.Integer("maximum_number_of_iterations", 1),
    ];

    private static readonly HyperparameterDefinition[] s_lbfgs =
    [
        HyperparameterDefinition.NonNegative("l1_regularization"),
        HyperparameterDefinition.NonNegative("l2_regularization"),
        HyperparameterDefinition.Positive("optimization_tolerance"),
        HyperparameterDefinition.Integer("history_size", 1),
    ];

    private static readonly HyperparameterDefinition[] s_averagedPerceptron =
    [
        HyperparameterDefinition.Positive("learning_rate"),
        HyperparameterDefinition.Integer("number_of_iterations", 1),
    ];

    /// <summary>The tasks <paramref name="trainer"/> can learn, in <see cref="TrainingTask"/> order.</summary>
    public static IReadOnlyList<TrainingTask> SupportedTasks(TrainerKind trainer) => trainer switch
    {
        TrainerKind.LightGbm or TrainerKind.FastTree or TrainerKind.Sdca => s_allTasks,
        TrainerKind.FastForest => [TrainingTask.BinaryClassification, TrainingTask.Regression],
        TrainerKind.LbfgsLogisticRegression => [TrainingTask.BinaryClassification, TrainingTask.MulticlassClassification],
        TrainerKind.LbfgsPoissonRegression => [TrainingTask.Regression],
        TrainerKind.AveragedPerceptron => [TrainingTask.BinaryClassification],
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Not a defined trainer."),
    };

    public static bool Supports(TrainerKind trainer, TrainingTask task) => SupportedTasks(trainer).Contains(task);

    /// <summary>The hyperparameters a spec may set for <paramref name="trainer"/>, in documentation order.</summary>
    public static IReadOnlyList<HyperparameterDefinition> Hyperparameters(TrainerKind trainer) => trainer switch
    {
        TrainerKind.LightGbm => s_lightGbm,
        TrainerKind.FastTree => s_fastTree,
        TrainerKind.FastForest => s_fastForest,
        TrainerKind.Sdca => s_sdca,
        TrainerKind.LbfgsLogisticRegression or TrainerKind.LbfgsPoissonRegression => s_lbfgs,
        TrainerKind.AveragedPerceptron => s_averagedPerceptron,
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Not a defined trainer."),
    };

    public static HyperparameterDefinition? FindHyperparameter(TrainerKind trainer, string name) =>
        Hyperparameters(trainer).FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal));
}

namespace Mlops.Domain.Training;

/// <summary>
/// The spec's spelling of tasks, trainers and validation methods. Kept in the domain so error messages, the CLI and
/// the parser all use the words a user writes, not the C# enum names.
/// </summary>
public static class TrainingSpecNames
{
    private static readonly (TrainingTask Value, string Name)[] s_tasks =
    [
        (TrainingTask.BinaryClassification, "binary"),
        (TrainingTask.MulticlassClassification, "multiclass"),
        (TrainingTask.Regression, "regression"),
    ];

    private static readonly (TrainerKind Value, string Name)[] s_trainers =
    [
        (TrainerKind.LightGbm, "lightgbm"),
        (TrainerKind.FastTree, "fasttree"),
        (TrainerKind.FastForest, "fastforest"),
        (TrainerKind.Sdca, "sdca"),
        (TrainerKind.LbfgsLogisticRegression, "lbfgs_logistic"),
        (TrainerKind.LbfgsPoissonRegression, "lbfgs_poisson"),
        (TrainerKind.AveragedPerceptron, "averaged_perceptron"),
    ];

    private static readonly (ValidationMethod Value, string Name)[] s_methods =
    [
        (ValidationMethod.Holdout, "holdout"),
        (ValidationMethod.KFold, "kfold"),
    ];

    public static IReadOnlyList<string> Tasks { get; } = [.. s_tasks.Select(t => t.Name)];

    public static IReadOnlyList<string> Trainers { get; } = [.. s_trainers.Select(t => t.Name)];

    public static IReadOnlyList<string> ValidationMethods { get; } = [.. s_methods.Select(m => m.Name)];

    public static string Of(TrainingTask task) => Lookup(s_tasks, task);

    public static string Of(TrainerKind trainer) => Lookup(s_trainers, trainer);

    public static string Of(ValidationMethod method) => Lookup(s_methods, method);

    /// <summary>Exact, case-sensitive match: the spec language has one spelling per value.</summary>
    public static bool TryParseTask(string? name, out TrainingTask task) => TryParse(s_tasks, name, out task);

    public static bool TryParseTrainer(string? name, out TrainerKind trainer) => TryParse(s_trainers, name, out trainer);

    public static bool TryParseValidationMethod(string? name, out ValidationMethod method) => TryParse(s_methods, name, out method);

    private static string Lookup<T>((T Value, string Name)[] table, T value)
        where T : struct, Enum
    {
        foreach (var (candidate, name) in table)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "Not a defined value.");
    }

    private static bool TryParse<T>((T Value, string Name)[] table, string? name, out T value)
        where T : struct, Enum
    {
        foreach (var (candidate, spelling) in table)
        {
            if (string.Equals(spelling, name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}

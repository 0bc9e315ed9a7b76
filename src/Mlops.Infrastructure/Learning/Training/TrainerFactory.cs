using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Learning.Training;

/// <summary>Maps (trainer, task, hyperparameters) onto ML.NET trainer options. Unset hyperparameters keep ML.NET's defaults.</summary>
internal static class TrainerFactory
{
    public const string Label = "Label";
    public const string Features = "Features";

    /// <summary>Linear learners need scaled features; tree learners do not.</summary>
    public static bool NeedsNormalization(MlTrainer trainer) => trainer is MlTrainer.Sdca or MlTrainer.LbfgsLogistic or MlTrainer.LbfgsPoisson or MlTrainer.AveragedPerceptron;

    public static IEstimator<ITransformer> Create(MLContext ml, MlTrainer trainer, MlTask task, IReadOnlyDictionary<string, object> h, int seed) => (trainer, task) switch
    {
        (MlTrainer.LightGbm, MlTask.Binary) => ml.BinaryClassification.Trainers.LightGbm(Set(new LightGbmBinaryTrainer.Options { Seed = seed }, h, "lightgbm")),
        (MlTrainer.LightGbm, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.LightGbm(Set(new LightGbmMulticlassTrainer.Options { Seed = seed }, h, "lightgbm")),
        (MlTrainer.LightGbm, MlTask.Regression) => ml.Regression.Trainers.LightGbm(Set(new LightGbmRegressionTrainer.Options { Seed = seed }, h, "lightgbm")),
        (MlTrainer.FastTree, MlTask.Binary) => ml.BinaryClassification.Trainers.FastTree(Set(new FastTreeBinaryTrainer.Options(), h, "fasttree")),
        (MlTrainer.FastTree, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(Set(new FastTreeBinaryTrainer.Options(), h, "fasttree"))),
        (MlTrainer.FastTree, MlTask.Regression) => ml.Regression.Trainers.FastTree(Set(new FastTreeRegressionTrainer.Options(), h, "fasttree")),
        (MlTrainer.FastForest, MlTask.Binary) => ml.BinaryClassification.Trainers.FastForest(Set(new FastForestBinaryTrainer.Options(), h, "fastforest")),
        (MlTrainer.FastForest, MlTask.Regression) => ml.Regression.Trainers.FastForest(Set(new FastForestRegressionTrainer.Options(), h, "fastforest")),
        (MlTrainer.Sdca, MlTask.Binary) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(Set(new SdcaLogisticRegressionBinaryTrainer.Options(), h, "sdca")),
        (MlTrainer.Sdca, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(Set(new SdcaMaximumEntropyMulticlassTrainer.Options(), h, "sdca")),
        (MlTrainer.Sdca, MlTask.Regression) => ml.Regression.Trainers.Sdca(Set(new SdcaRegressionTrainer.Options(), h, "sdca")),
        (MlTrainer.LbfgsLogistic, MlTask.Binary) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(Set(new LbfgsLogisticRegressionBinaryTrainer.Options(), h, "lbfgs")),
        (MlTrainer.LbfgsLogistic, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(Set(new LbfgsMaximumEntropyMulticlassTrainer.Options(), h, "lbfgs")),
        (MlTrainer.LbfgsPoisson, MlTask.Regression) => ml.Regression.Trainers.LbfgsPoissonRegression(Set(new LbfgsPoissonRegressionTrainer.Options(), h, "lbfgs")),
        (MlTrainer.AveragedPerceptron, MlTask.Binary) => ml.BinaryClassification.Trainers.AveragedPerceptron(Set(new AveragedPerceptronTrainer.Options(), h, "averaged_perceptron")),
        _ => throw MlopsException.Invalid($"trainer.name: {trainer} cannot do {task.ToString().ToLowerInvariant()} tasks."),
    };

    /// <summary>The spec's snake_case hyperparameter names and the option members they set, across every trainer.</summary>
    private static readonly Dictionary<string, string> s_members = new(StringComparer.Ordinal)
    {
        ["number_of_iterations"] = "NumberOfIterations",
        ["learning_rate"] = "LearningRate",
        ["number_of_leaves"] = "NumberOfLeaves",
        ["minimum_example_count_per_leaf"] = "MinimumExampleCountPerLeaf",
        ["number_of_trees"] = "NumberOfTrees",
        ["l1_regularization"] = "L1Regularization",
        ["l2_regularization"] = "L2Regularization",
        ["maximum_number_of_iterations"] = "MaximumNumberOfIterations",
        ["optimization_tolerance"] = "OptimizationTolerance",
        ["history_size"] = "HistorySize",
    };

    /// <summary>
    /// Sets each hyperparameter on the member of the same name, converted to its type (int, float, double or their
    /// nullable forms). The spec rules already limit names per trainer; a name the options lack is still refused.
    /// </summary>
    private static T Set<T>(T options, IReadOnlyDictionary<string, object> h, string trainer)
        where T : TrainerInputBaseWithLabel
    {
        options.LabelColumnName = Label;
        options.FeatureColumnName = Features;
        foreach (var (name, value) in h)
        {
            var member = s_members.TryGetValue(name, out var memberName) ? memberName : null;
            object target = options;
            if (member is not null && typeof(T).GetField(member) is null && typeof(T).GetProperty(member) is null && typeof(T).GetProperty("Booster") is { } booster)
            {
                // LightGBM keeps its regularisation on the booster's options (unset means a default gradient booster).
                target = booster.GetValue(options) ?? new GradientBooster.Options();
                booster.SetValue(options, target);
            }

            var field = member is null ? null : target.GetType().GetField(member);
            var property = member is null || field is not null ? null : target.GetType().GetProperty(member);
            var type = field?.FieldType ?? property?.PropertyType ?? throw Unknown(trainer, name);
            var converted = Convert.ChangeType(value, Nullable.GetUnderlyingType(type) ?? type, CultureInfo.InvariantCulture);
            if (field is not null)
            {
                field.SetValue(target, converted);
            }
            else
            {
                property!.SetValue(target, converted);
            }
        }

        return options;
    }

    private static MlopsException Unknown(string trainer, string name) =>
        MlopsException.Invalid($"trainer.hyperparameters.{name}: {trainer} has no such hyperparameter.");
}

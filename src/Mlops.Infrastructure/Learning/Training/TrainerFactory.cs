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
        (MlTrainer.LightGbm, MlTask.Binary) => ml.BinaryClassification.Trainers.LightGbm(Set(new LightGbmBinaryTrainer.Options { Seed = seed }, h, LightGbm)),
        (MlTrainer.LightGbm, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.LightGbm(Set(new LightGbmMulticlassTrainer.Options { Seed = seed }, h, LightGbm)),
        (MlTrainer.LightGbm, MlTask.Regression) => ml.Regression.Trainers.LightGbm(Set(new LightGbmRegressionTrainer.Options { Seed = seed }, h, LightGbm)),
        (MlTrainer.FastTree, MlTask.Binary) => ml.BinaryClassification.Trainers.FastTree(Set(new FastTreeBinaryTrainer.Options(), h, FastTree)),
        (MlTrainer.FastTree, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(Set(new FastTreeBinaryTrainer.Options(), h, FastTree))),
        (MlTrainer.FastTree, MlTask.Regression) => ml.Regression.Trainers.FastTree(Set(new FastTreeRegressionTrainer.Options(), h, FastTree)),
        (MlTrainer.FastForest, MlTask.Binary) => ml.BinaryClassification.Trainers.FastForest(Set(new FastForestBinaryTrainer.Options(), h, FastForest)),
        (MlTrainer.FastForest, MlTask.Regression) => ml.Regression.Trainers.FastForest(Set(new FastForestRegressionTrainer.Options(), h, FastForest)),
        (MlTrainer.Sdca, MlTask.Binary) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(Set(new SdcaLogisticRegressionBinaryTrainer.Options(), h, Sdca)),
        (MlTrainer.Sdca, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(Set(new SdcaMaximumEntropyMulticlassTrainer.Options(), h, Sdca)),
        (MlTrainer.Sdca, MlTask.Regression) => ml.Regression.Trainers.Sdca(Set(new SdcaRegressionTrainer.Options(), h, Sdca)),
        (MlTrainer.LbfgsLogistic, MlTask.Binary) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(Set(new LbfgsLogisticRegressionBinaryTrainer.Options(), h, Lbfgs)),
        (MlTrainer.LbfgsLogistic, MlTask.Multiclass) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(Set(new LbfgsMaximumEntropyMulticlassTrainer.Options(), h, Lbfgs)),
        (MlTrainer.LbfgsPoisson, MlTask.Regression) => ml.Regression.Trainers.LbfgsPoissonRegression(Set(new LbfgsPoissonRegressionTrainer.Options(), h, Lbfgs)),
        (MlTrainer.AveragedPerceptron, MlTask.Binary) => ml.BinaryClassification.Trainers.AveragedPerceptron(Set(new AveragedPerceptronTrainer.Options(), h, Perceptron)),
        _ => throw MlopsException.Invalid($"trainer.name: {trainer} cannot do {task.ToString().ToLowerInvariant()} tasks."),
    };

    private static T Set<T>(T options, IReadOnlyDictionary<string, object> h, Action<T, string, object> apply)
        where T : TrainerInputBaseWithLabel
    {
        options.LabelColumnName = Label;
        options.FeatureColumnName = Features;
        foreach (var (name, value) in h)
        {
            apply(options, name, value);
        }

        return options;
    }

    private static void LightGbm<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "number_of_iterations": options.NumberOfIterations = Int(value); break;
            case "learning_rate": options.LearningRate = Double(value); break;
            case "number_of_leaves": options.NumberOfLeaves = Int(value); break;
            case "minimum_example_count_per_leaf": options.MinimumExampleCountPerLeaf = Int(value); break;
            default: throw Unknown("lightgbm", name);
        }
    }

    private static void FastTree<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "number_of_trees": options.NumberOfTrees = Int(value); break;
            case "number_of_leaves": options.NumberOfLeaves = Int(value); break;
            case "minimum_example_count_per_leaf": options.MinimumExampleCountPerLeaf = Int(value); break;
            case "learning_rate": options.LearningRate = Double(value); break;
            default: throw Unknown("fasttree", name);
        }
    }

    private static void FastForest<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "number_of_trees": options.NumberOfTrees = Int(value); break;
            case "number_of_leaves": options.NumberOfLeaves = Int(value); break;
            case "minimum_example_count_per_leaf": options.MinimumExampleCountPerLeaf = Int(value); break;
            default: throw Unknown("fastforest", name);
        }
    }

    private static void Sdca<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "l2_regularization": options.L2Regularization = (float?)Double(value); break;
            case "l1_regularization": options.L1Regularization = (float?)Double(value); break;
            case "maximum_number_of_iterations": options.MaximumNumberOfIterations = Int(value); break;
            default: throw Unknown("sdca", name);
        }
    }

    private static void Lbfgs<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "l1_regularization": options.L1Regularization = (float)Double(value); break;
            case "l2_regularization": options.L2Regularization = (float)Double(value); break;
            case "optimization_tolerance": options.OptimizationTolerance = (float)Double(value); break;
            case "history_size": options.HistorySize = Int(value); break;
            default: throw Unknown("lbfgs", name);
        }
    }

    private static void Perceptron<T>(T o, string name, object value)
        where T : TrainerInputBaseWithLabel
    {
        dynamic options = o;
        switch (name)
        {
            case "learning_rate": options.LearningRate = (float)Double(value); break;
            case "number_of_iterations": options.NumberOfIterations = Int(value); break;
            default: throw Unknown("averaged_perceptron", name);
        }
    }

    private static int Int(object value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static double Double(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static MlopsException Unknown(string trainer, string name) =>
        MlopsException.Invalid($"trainer.hyperparameters.{name}: {trainer} has no such hyperparameter.");
}

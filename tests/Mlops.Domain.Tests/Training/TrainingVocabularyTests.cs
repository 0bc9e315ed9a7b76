using Mlops.Domain.Training;

namespace Mlops.Domain.Tests.Training;

public sealed class TrainingVocabularyTests
{
    [Theory]
    [InlineData("binary", TrainingTask.BinaryClassification)]
    [InlineData("multiclass", TrainingTask.MulticlassClassification)]
    [InlineData("regression", TrainingTask.Regression)]
    public void Task_names_round_trip(string name, TrainingTask task)
    {
        Assert.True(TrainingSpecNames.TryParseTask(name, out var parsed));
        Assert.Equal(task, parsed);
        Assert.Equal(name, TrainingSpecNames.Of(task));
    }

    [Theory]
    [InlineData("lightgbm", TrainerKind.LightGbm)]
    [InlineData("fasttree", TrainerKind.FastTree)]
    [InlineData("fastforest", TrainerKind.FastForest)]
    [InlineData("sdca", TrainerKind.Sdca)]
    [InlineData("lbfgs_logistic", TrainerKind.LbfgsLogisticRegression)]
    [InlineData("lbfgs_poisson", TrainerKind.LbfgsPoissonRegression)]
    [InlineData("averaged_perceptron", TrainerKind.AveragedPerceptron)]
    public void Trainer_names_round_trip(string name, TrainerKind trainer)
    {
        Assert.True(TrainingSpecNames.TryParseTrainer(name, out var parsed));
        Assert.Equal(trainer, parsed);
        Assert.Equal(name, TrainingSpecNames.Of(trainer));
    }

    [Theory]
    [InlineData("holdout", ValidationMethod.Holdout)]
    [InlineData("kfold", ValidationMethod.KFold)]
    public void Validation_method_names_round_trip(string name, ValidationMethod method)
    {
        Assert.True(TrainingSpecNames.TryParseValidationMethod(name, out var parsed));
        Assert.Equal(method, parsed);
        Assert.Equal(name, TrainingSpecNames.Of(method));
    }

    [Theory]
    [InlineData("LightGbm")]
    [InlineData("LIGHTGBM")]
    [InlineData("light_gbm")]
    [InlineData("")]
    [InlineData(null)]
    public void Names_match_exactly(string? name)
    {
        Assert.False(TrainingSpecNames.TryParseTrainer(name, out _));
    }

    [Fact]
    public void Every_enum_value_has_a_spec_name()
    {
        Assert.Equal(Enum.GetValues<TrainingTask>().Length, TrainingSpecNames.Tasks.Count);
        Assert.Equal(Enum.GetValues<TrainerKind>().Length, TrainingSpecNames.Trainers.Count);
        Assert.Equal(Enum.GetValues<ValidationMethod>().Length, TrainingSpecNames.ValidationMethods.Count);
    }

    [Fact]
    public void Every_trainer_supports_a_task_and_knows_its_hyperparameters()
    {
        foreach (var trainer in Enum.GetValues<TrainerKind>())
        {
            Assert.NotEmpty(TrainerCatalog.SupportedTasks(trainer));
            var names = TrainerCatalog.Hyperparameters(trainer).Select(h => h.Name).ToList();
            Assert.NotEmpty(names);
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Theory]
    [InlineData("auc", true)]
    [InlineData("accuracy", true)]
    [InlineData("r2", true)]
    [InlineData("log_loss", false)]
    [InlineData("rmse", false)]
    [InlineData("mae", false)]
    public void Knows_which_way_each_metric_improves(string metric, bool higherIsBetter)
    {
        Assert.Equal(higherIsBetter, TrainingMetrics.HigherIsBetter(metric));
    }

    [Fact]
    public void Describes_hyperparameter_bounds_for_error_messages()
    {
        Assert.Equal("an integer of at least 2", HyperparameterDefinition.Integer("n", 2).Describe());
        Assert.Equal("a number greater than 0", HyperparameterDefinition.Positive("x").Describe());
        Assert.Equal("a number of at least 0", HyperparameterDefinition.NonNegative("x").Describe());
        Assert.Equal("a number greater than 0 and at most 1", (HyperparameterDefinition.Positive("x") with { Maximum = 1 }).Describe());
        Assert.Equal("true or false", new HyperparameterDefinition { Name = "b", Type = HyperparameterType.Boolean }.Describe());
    }
}

using Mlops.Domain.Common;
using Mlops.Domain.Training;

namespace Mlops.Domain.Tests.Training;

public sealed class TrainingSpecRulesTests
{
    private static readonly TrainingSpec s_valid = new()
    {
        Dataset = new DatasetSpec { Path = "data/train.csv", Label = "label" },
        Task = TrainingTask.BinaryClassification,
        Trainer = new TrainerSpec { Name = TrainerKind.LightGbm },
    };

    public static TheoryData<TrainerKind, TrainingTask> SupportedPairs => new()
    {
        { TrainerKind.LightGbm, TrainingTask.BinaryClassification },
        { TrainerKind.LightGbm, TrainingTask.MulticlassClassification },
        { TrainerKind.LightGbm, TrainingTask.Regression },
        { TrainerKind.FastTree, TrainingTask.BinaryClassification },
        { TrainerKind.FastTree, TrainingTask.MulticlassClassification },
        { TrainerKind.FastTree, TrainingTask.Regression },
        { TrainerKind.Sdca, TrainingTask.BinaryClassification },
        { TrainerKind.Sdca, TrainingTask.MulticlassClassification },
        { TrainerKind.Sdca, TrainingTask.Regression },
        { TrainerKind.FastForest, TrainingTask.BinaryClassification },
        { TrainerKind.FastForest, TrainingTask.Regression },
        { TrainerKind.LbfgsLogisticRegression, TrainingTask.BinaryClassification },
        { TrainerKind.LbfgsLogisticRegression, TrainingTask.MulticlassClassification },
        { TrainerKind.LbfgsPoissonRegression, TrainingTask.Regression },
        { TrainerKind.AveragedPerceptron, TrainingTask.BinaryClassification },
    };

    public static TheoryData<TrainerKind, TrainingTask, string> UnsupportedPairs => new()
    {
        { TrainerKind.FastForest, TrainingTask.MulticlassClassification, "fastforest does not support multiclass tasks; it supports binary, regression" },
        { TrainerKind.LbfgsLogisticRegression, TrainingTask.Regression, "lbfgs_logistic does not support regression tasks; it supports binary, multiclass" },
        { TrainerKind.LbfgsPoissonRegression, TrainingTask.BinaryClassification, "lbfgs_poisson does not support binary tasks; it supports regression" },
        { TrainerKind.LbfgsPoissonRegression, TrainingTask.MulticlassClassification, "lbfgs_poisson does not support multiclass tasks; it supports regression" },
        { TrainerKind.AveragedPerceptron, TrainingTask.MulticlassClassification, "averaged_perceptron does not support multiclass tasks; it supports binary" },
        { TrainerKind.AveragedPerceptron, TrainingTask.Regression, "averaged_perceptron does not support regression tasks; it supports binary" },
    };

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public void Accepts_every_supported_trainer_and_task_pair(TrainerKind trainer, TrainingTask task)
    {
        var spec = s_valid with { Task = task, Trainer = new TrainerSpec { Name = trainer } };

        Assert.Empty(TrainingSpecRules.Check(spec));
        Assert.True(TrainerCatalog.Supports(trainer, task));
    }

    [Theory]
    [MemberData(nameof(UnsupportedPairs))]
    public void Rejects_a_trainer_that_does_not_support_the_task(TrainerKind trainer, TrainingTask task, string message)
    {
        var spec = s_valid with { Task = task, Trainer = new TrainerSpec { Name = trainer } };

        AssertSingleProblem(spec, "trainer.name", message);
    }

    [Fact]
    public void Supported_and_unsupported_pairs_cover_every_combination()
    {
        Assert.Equal(Enum.GetValues<TrainerKind>().Length * Enum.GetValues<TrainingTask>().Length, SupportedPairs.Count + UnsupportedPairs.Count);
    }

    [Fact]
    public void Applies_the_documented_defaults()
    {
        Assert.Null(s_valid.Name);
        Assert.Equal("Default", s_valid.Experiment);
        Assert.Empty(s_valid.Tags);
        Assert.Null(s_valid.Dataset.Features);
        Assert.Empty(s_valid.Dataset.Categorical);
        Assert.Empty(s_valid.Dataset.Text);
        Assert.Empty(s_valid.Dataset.Ignore);
        Assert.Equal(',', s_valid.Dataset.Separator);
        Assert.True(s_valid.Dataset.HasHeader);
        Assert.Null(s_valid.Dataset.FoldsFile);
        Assert.Empty(s_valid.Trainer.Hyperparameters);
        Assert.Equal(ValidationMethod.KFold, s_valid.Validation.Method);
        Assert.Equal(0.2, s_valid.Validation.HoldoutFraction);
        Assert.Equal(5, s_valid.Validation.Folds);
        Assert.Equal(42, s_valid.Validation.Seed);
        Assert.Equal("auc", s_valid.Metrics.Optimize);
        Assert.Null(s_valid.Register);
    }

    [Theory]
    [InlineData(TrainingTask.BinaryClassification, "auc")]
    [InlineData(TrainingTask.MulticlassClassification, "macro_accuracy")]
    [InlineData(TrainingTask.Regression, "rmse")]
    public void Optimises_the_task_default_metric_when_none_is_set(TrainingTask task, string metric)
    {
        var spec = s_valid with { Task = task };

        Assert.Equal(metric, spec.Metrics.Optimize);
        Assert.Equal(metric, TrainingMetrics.DefaultFor(task));
    }

    [Theory]
    [InlineData(TrainingTask.BinaryClassification, "auc")]
    [InlineData(TrainingTask.BinaryClassification, "accuracy")]
    [InlineData(TrainingTask.BinaryClassification, "f1")]
    [InlineData(TrainingTask.BinaryClassification, "log_loss")]
    [InlineData(TrainingTask.BinaryClassification, "auprc")]
    [InlineData(TrainingTask.MulticlassClassification, "macro_accuracy")]
    [InlineData(TrainingTask.MulticlassClassification, "micro_accuracy")]
    [InlineData(TrainingTask.MulticlassClassification, "log_loss")]
    [InlineData(TrainingTask.Regression, "rmse")]
    [InlineData(TrainingTask.Regression, "mae")]
    [InlineData(TrainingTask.Regression, "r2")]
    public void Accepts_every_metric_of_the_task(TrainingTask task, string metric)
    {
        var spec = s_valid with { Task = task, Metrics = new MetricsSpec { Optimize = metric } };

        Assert.Empty(TrainingSpecRules.Check(spec));
    }

    [Theory]
    [InlineData(TrainingTask.BinaryClassification, "rmse", "\"rmse\" is not a binary metric; use one of auc, accuracy, f1, log_loss, auprc")]
    [InlineData(TrainingTask.BinaryClassification, "macro_accuracy", "\"macro_accuracy\" is not a binary metric; use one of auc, accuracy, f1, log_loss, auprc")]
    [InlineData(TrainingTask.BinaryClassification, "AUC", "\"AUC\" is not a binary metric; use one of auc, accuracy, f1, log_loss, auprc")]
    [InlineData(TrainingTask.MulticlassClassification, "auc", "\"auc\" is not a multiclass metric; use one of macro_accuracy, micro_accuracy, log_loss")]
    [InlineData(TrainingTask.Regression, "accuracy", "\"accuracy\" is not a regression metric; use one of rmse, mae, r2")]
    [InlineData(TrainingTask.Regression, "", "must name a metric; use one of rmse, mae, r2")]
    public void Rejects_a_metric_that_is_not_one_of_the_task(TrainingTask task, string metric, string message)
    {
        var spec = s_valid with { Task = task, Metrics = new MetricsSpec { Optimize = metric } };

        AssertSingleProblem(spec, "metrics.optimize", message);
    }

    [Theory]
    [InlineData(TrainerKind.LightGbm, "number_of_iterations", 200L)]
    [InlineData(TrainerKind.LightGbm, "learning_rate", 0.05)]
    [InlineData(TrainerKind.LightGbm, "learning_rate", 1L)]
    [InlineData(TrainerKind.LightGbm, "number_of_leaves", 2L)]
    [InlineData(TrainerKind.LightGbm, "minimum_example_count_per_leaf", 1L)]
    [InlineData(TrainerKind.FastTree, "number_of_trees", 100L)]
    [InlineData(TrainerKind.FastTree, "number_of_leaves", 20L)]
    [InlineData(TrainerKind.FastTree, "minimum_example_count_per_leaf", 10L)]
    [InlineData(TrainerKind.FastTree, "learning_rate", 0.2)]
    [InlineData(TrainerKind.FastForest, "number_of_trees", 100L)]
    [InlineData(TrainerKind.FastForest, "number_of_leaves", 2L)]
    [InlineData(TrainerKind.FastForest, "minimum_example_count_per_leaf", 1L)]
    [InlineData(TrainerKind.Sdca, "l2_regularization", 0L)]
    [InlineData(TrainerKind.Sdca, "l1_regularization", 0.5)]
    [InlineData(TrainerKind.Sdca, "maximum_number_of_iterations", 1L)]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "l1_regularization", 0.0)]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "l2_regularization", 1L)]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "optimization_tolerance", 1e-7)]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "history_size", 20L)]
    [InlineData(TrainerKind.AveragedPerceptron, "learning_rate", 1L)]
    [InlineData(TrainerKind.AveragedPerceptron, "number_of_iterations", 10L)]
    public void Accepts_known_hyperparameters_in_range(TrainerKind trainer, string name, object value)
    {
        var task = TrainerCatalog.SupportedTasks(trainer)[0];
        var spec = s_valid with { Task = task, Trainer = Trainer(trainer, (name, ToValue(value))) };

        Assert.Empty(TrainingSpecRules.Check(spec));
    }

    [Fact]
    public void Accepts_lbfgs_poisson_hyperparameters()
    {
        var spec = s_valid with
        {
            Task = TrainingTask.Regression,
            Trainer = Trainer(
                TrainerKind.LbfgsPoissonRegression,
                ("l1_regularization", HyperparameterValue.FromNumber(0.1)),
                ("l2_regularization", HyperparameterValue.FromNumber(0.1)),
                ("optimization_tolerance", HyperparameterValue.FromNumber(1e-6)),
                ("history_size", HyperparameterValue.FromInteger(5))),
        };

        Assert.Empty(TrainingSpecRules.Check(spec));
    }

    [Fact]
    public void Accepts_a_whole_number_for_an_integer_hyperparameter()
    {
        var spec = s_valid with { Trainer = Trainer(TrainerKind.LightGbm, ("number_of_iterations", HyperparameterValue.FromNumber(200.0))) };

        Assert.Empty(TrainingSpecRules.Check(spec));
    }

    [Theory]
    [InlineData(TrainerKind.LightGbm, "learning_rate", "fast", "expected a number greater than 0, got \"fast\"")]
    [InlineData(TrainerKind.LightGbm, "learning_rate", 0L, "expected a number greater than 0, got 0")]
    [InlineData(TrainerKind.LightGbm, "learning_rate", -0.1, "expected a number greater than 0, got -0.1")]
    [InlineData(TrainerKind.LightGbm, "learning_rate", true, "expected a number greater than 0, got true")]
    [InlineData(TrainerKind.LightGbm, "number_of_iterations", 0L, "expected an integer of at least 1, got 0")]
    [InlineData(TrainerKind.LightGbm, "number_of_iterations", 2.5, "expected an integer of at least 1, got 2.5")]
    [InlineData(TrainerKind.LightGbm, "number_of_iterations", "100", "expected an integer of at least 1, got \"100\"")]
    [InlineData(TrainerKind.LightGbm, "number_of_iterations", 3_000_000_000L, "expected an integer of at least 1, got 3000000000")]
    [InlineData(TrainerKind.LightGbm, "number_of_leaves", 1L, "expected an integer of at least 2, got 1")]
    [InlineData(TrainerKind.LightGbm, "minimum_example_count_per_leaf", 0L, "expected an integer of at least 1, got 0")]
    [InlineData(TrainerKind.FastTree, "number_of_trees", 0L, "expected an integer of at least 1, got 0")]
    [InlineData(TrainerKind.FastTree, "learning_rate", 0.0, "expected a number greater than 0, got 0")]
    [InlineData(TrainerKind.FastForest, "number_of_leaves", 1L, "expected an integer of at least 2, got 1")]
    [InlineData(TrainerKind.Sdca, "l2_regularization", -1L, "expected a number of at least 0, got -1")]
    [InlineData(TrainerKind.Sdca, "l1_regularization", -0.5, "expected a number of at least 0, got -0.5")]
    [InlineData(TrainerKind.Sdca, "maximum_number_of_iterations", 0L, "expected an integer of at least 1, got 0")]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "optimization_tolerance", 0L, "expected a number greater than 0, got 0")]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "history_size", 0L, "expected an integer of at least 1, got 0")]
    [InlineData(TrainerKind.LbfgsLogisticRegression, "l2_regularization", false, "expected a number of at least 0, got false")]
    [InlineData(TrainerKind.AveragedPerceptron, "learning_rate", 0L, "expected a number greater than 0, got 0")]
    [InlineData(TrainerKind.AveragedPerceptron, "number_of_iterations", -3L, "expected an integer of at least 1, got -3")]
    public void Rejects_a_hyperparameter_of_the_wrong_type_or_out_of_range(TrainerKind trainer, string name, object value, string message)
    {
        var task = TrainerCatalog.SupportedTasks(trainer)[0];
        var spec = s_valid with { Task = task, Trainer = Trainer(trainer, (name, ToValue(value))) };

        AssertSingleProblem(spec, "trainer.hyperparameters." + name, message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Rejects_a_number_that_is_not_finite(double value, string shown)
    {
        var spec = s_valid with { Trainer = Trainer(TrainerKind.LightGbm, ("learning_rate", HyperparameterValue.FromNumber(value))) };

        AssertSingleProblem(spec, "trainer.hyperparameters.learning_rate", "expected a number greater than 0, got " + shown);
    }

    [Fact]
    public void Rejects_an_unknown_hyperparameter_and_lists_the_known_ones()
    {
        var spec = s_valid with { Trainer = Trainer(TrainerKind.LightGbm, ("learnin_rate", HyperparameterValue.FromNumber(0.1))) };

        AssertSingleProblem(
            spec,
            "trainer.hyperparameters.learnin_rate",
            "lightgbm has no hyperparameter \"learnin_rate\"; the known ones are number_of_iterations, learning_rate, number_of_leaves, minimum_example_count_per_leaf, l1_regularization, l2_regularization");
    }

    [Fact]
    public void Rejects_a_learning_rate_for_fastforest_which_has_none()
    {
        var spec = s_valid with { Trainer = Trainer(TrainerKind.FastForest, ("learning_rate", HyperparameterValue.FromNumber(0.1))) };

        AssertSingleProblem(
            spec,
            "trainer.hyperparameters.learning_rate",
            "fastforest has no hyperparameter \"learning_rate\"; the known ones are number_of_trees, number_of_leaves, minimum_example_count_per_leaf");
    }

    [Fact]
    public void Rejects_a_hyperparameter_that_belongs_to_another_trainer()
    {
        var spec = s_valid with { Trainer = Trainer(TrainerKind.Sdca, ("number_of_trees", HyperparameterValue.FromInteger(10))) };

        AssertSingleProblem(spec, "trainer.hyperparameters.number_of_trees", "sdca has no hyperparameter \"number_of_trees\"; the known ones are l2_regularization, l1_regularization, maximum_number_of_iterations");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Rejects_an_empty_label(string label)
    {
        var spec = s_valid with { Dataset = s_valid.Dataset with { Label = label } };

        AssertSingleProblem(spec, "dataset.label", "must name the label column");
    }

    [Fact]
    public void Rejects_a_label_that_is_also_a_feature()
    {
        var spec = WithDataset(d => d with { Features = ["age", "label"] });

        AssertSingleProblem(spec, "dataset.features[1]", "\"label\" is the label column; the label cannot also be a feature");
    }

    [Fact]
    public void Rejects_a_feature_that_is_also_ignored()
    {
        var spec = WithDataset(d => d with { Features = ["age", "id"], Ignore = ["id"] });

        AssertSingleProblem(spec, "dataset.features[1]", "\"id\" is also in dataset.ignore; a column cannot be both a feature and ignored");
    }

    [Fact]
    public void Rejects_a_column_both_categorical_and_ignored()
    {
        var spec = WithDataset(d => d with { Categorical = ["color"], Ignore = ["color"] });

        AssertSingleProblem(spec, "dataset.categorical[0]", "\"color\" is also in dataset.ignore; a column cannot be both categorical and ignored");
    }

    [Fact]
    public void Rejects_a_column_both_text_and_ignored()
    {
        var spec = WithDataset(d => d with { Text = ["review"], Ignore = ["review"] });

        AssertSingleProblem(spec, "dataset.text[0]", "\"review\" is also in dataset.ignore; a column cannot be both text and ignored");
    }

    [Fact]
    public void Rejects_a_column_both_categorical_and_text_once()
    {
        var spec = WithDataset(d => d with { Categorical = ["city"], Text = ["notes", "city"] });

        AssertSingleProblem(spec, "dataset.categorical[0]", "\"city\" is also in dataset.text; a column is either categorical or text");
    }

    [Fact]
    public void Rejects_the_label_as_a_categorical_or_text_column()
    {
        var problems = TrainingSpecRules.Check(WithDataset(d => d with { Categorical = ["label"], Text = ["label"] }));

        Assert.Equal(["dataset.categorical[0]", "dataset.text[0]"], problems.Select(p => p.Path));
        Assert.Equal("\"label\" is the label column; only features can be categorical", problems[0].Message);
    }

    [Fact]
    public void Rejects_ignoring_the_label()
    {
        var spec = WithDataset(d => d with { Ignore = ["id", "label"] });

        AssertSingleProblem(spec, "dataset.ignore[1]", "\"label\" is the label column; it cannot be ignored");
    }

    [Fact]
    public void Rejects_a_categorical_column_missing_from_explicit_features()
    {
        var spec = WithDataset(d => d with { Features = ["age"], Categorical = ["color"] });

        AssertSingleProblem(spec, "dataset.categorical[0]", "\"color\" is not in dataset.features; list it there too or leave dataset.features out");
    }

    [Fact]
    public void Accepts_categorical_and_text_columns_among_the_features()
    {
        var spec = WithDataset(d => d with { Features = ["age", "color", "review"], Categorical = ["color"], Text = ["review"], Ignore = ["id"] });

        Assert.Empty(TrainingSpecRules.Check(spec));
    }

    [Theory]
    [InlineData("features")]
    [InlineData("categorical")]
    [InlineData("text")]
    [InlineData("ignore")]
    public void Rejects_a_column_listed_twice(string list)
    {
        IReadOnlyList<string> columns = ["a", "b", "a"];
        var spec = WithDataset(d => list switch
        {
            "features" => d with { Features = columns },
            "categorical" => d with { Categorical = columns },
            "text" => d with { Text = columns },
            _ => d with { Ignore = columns },
        });

        AssertSingleProblem(spec, $"dataset.{list}[2]", $"\"a\" is listed twice (also at dataset.{list}[0])");
    }

    [Fact]
    public void Rejects_an_empty_column_name()
    {
        var spec = WithDataset(d => d with { Features = ["age", " "] });

        AssertSingleProblem(spec, "dataset.features[1]", "must name a column");
    }

    [Fact]
    public void Rejects_an_empty_feature_list()
    {
        var spec = WithDataset(d => d with { Features = [] });

        AssertSingleProblem(spec, "dataset.features", "lists no columns; leave it out to use every column except the label and the ignored ones");
    }

    [Theory]
    [InlineData("data/train.csv", DatasetFormat.Csv, false)]
    [InlineData("/abs/path/train.TSV", DatasetFormat.Csv, false)]
    [InlineData("train.txt", DatasetFormat.Csv, false)]
    [InlineData("C:\\data\\train.csv", DatasetFormat.Csv, false)]
    [InlineData("data/train.parquet", DatasetFormat.Parquet, false)]
    [InlineData("data/train.pq", DatasetFormat.Parquet, false)]
    [InlineData("runs:/0123abcd/data/train.csv", DatasetFormat.Csv, true)]
    [InlineData("mlflow-artifacts:/1/0123abcd/artifacts/train.parquet", DatasetFormat.Parquet, true)]
    public void Accepts_local_paths_and_artifact_uris(string path, DatasetFormat format, bool isArtifact)
    {
        var spec = WithDataset(d => d with { Path = path });

        Assert.Empty(TrainingSpecRules.Check(spec));
        Assert.Equal(format, spec.Dataset.Format);
        Assert.Equal(isArtifact, spec.Dataset.IsArtifactUri);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("s3://bucket/train.csv", "the scheme \"s3:\" is not supported; use a local path, runs:/<run_id>/<path> or mlflow-artifacts:/<path>")]
    [InlineData("https://example.com/train.csv", "the scheme \"https:\" is not supported; use a local path, runs:/<run_id>/<path> or mlflow-artifacts:/<path>")]
    [InlineData("data/train.xlsx", "\"data/train.xlsx\" is neither a CSV (.csv, .tsv, .txt) nor a Parquet (.parquet, .pq) file")]
    [InlineData("data/train", "\"data/train\" is neither a CSV (.csv, .tsv, .txt) nor a Parquet (.parquet, .pq) file")]
    [InlineData("runs:/0123abcd", "\"runs:/0123abcd\" names a run but no file in it; use runs:/<run_id>/<path>")]
    [InlineData("mlflow-artifacts:/", "\"mlflow-artifacts:/\" names no file; use mlflow-artifacts:/<path>")]
    [InlineData("data/\ttrain.csv", "contains control characters")]
    public void Rejects_an_unusable_dataset_path(string path, string message)
    {
        var spec = WithDataset(d => d with { Path = path });

        AssertSingleProblem(spec, "dataset.path", message);
    }

    [Theory]
    [InlineData("runs:/-bad/train.csv", "Invalid run id '-bad'")]
    [InlineData("runs://host/train.csv", "Invalid run id ''")]
    [InlineData("runs:train.csv", "the scheme \"runs:\" is not supported")]
    [InlineData("runs:/abc/../train.csv", "'.' and '..' segments are not allowed")]
    [InlineData("mlflow-artifacts:/../train.csv", "'.' and '..' segments are not allowed")]
    public void Rejects_a_malformed_artifact_uri(string path, string fragment)
    {
        var problem = Assert.Single(TrainingSpecRules.Check(WithDataset(d => d with { Path = path })));

        Assert.Equal("dataset.path", problem.Path);
        Assert.Contains(fragment, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    public void Rejects_a_separator_that_breaks_csv(char separator)
    {
        var spec = WithDataset(d => d with { Separator = separator });

        AssertSingleProblem(spec, "dataset.separator", "cannot be a double quote, a line break or NUL");
    }

    [Fact]
    public void Accepts_a_tab_separator()
    {
        Assert.Empty(TrainingSpecRules.Check(WithDataset(d => d with { Path = "train.tsv", Separator = '\t' })));
    }

    [Fact]
    public void Rejects_csv_settings_for_a_parquet_file()
    {
        var problems = TrainingSpecRules.Check(WithDataset(d => d with { Path = "train.parquet", Separator = ';', HasHeader = false }));

        Assert.Equal(["dataset.separator", "dataset.has_header"], problems.Select(p => p.Path));
        Assert.Equal("only applies to CSV files, and dataset.path is a Parquet file", problems[0].Message);
    }

    [Fact]
    public void Accepts_a_folds_file_with_kfold()
    {
        Assert.Empty(TrainingSpecRules.Check(WithDataset(d => d with { FoldsFile = "data/train.folds.csv" })));
    }

    [Fact]
    public void Rejects_a_folds_file_with_holdout()
    {
        var spec = WithDataset(d => d with { FoldsFile = "data/train.folds.csv" }) with { Validation = new ValidationSpec { Method = ValidationMethod.Holdout } };

        AssertSingleProblem(spec, "dataset.folds_file", "fixes the split of k-fold cross-validation, but validation.method is holdout");
    }

    [Theory]
    [InlineData("folds.parquet", "must be a CSV file of row,fold pairs")]
    [InlineData("", "must not be empty")]
    [InlineData("s3://b/folds.csv", "the scheme \"s3:\" is not supported; use a local path, runs:/<run_id>/<path> or mlflow-artifacts:/<path>")]
    public void Rejects_an_unusable_folds_file(string path, string message)
    {
        AssertSingleProblem(WithDataset(d => d with { FoldsFile = path }), "dataset.folds_file", message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Rejects_a_holdout_fraction_outside_zero_and_one(double fraction)
    {
        var spec = s_valid with { Validation = new ValidationSpec { Method = ValidationMethod.Holdout, HoldoutFraction = fraction } };

        var problem = Assert.Single(TrainingSpecRules.Check(spec));
        Assert.Equal("validation.holdout_fraction", problem.Path);
        Assert.StartsWith("expected a number greater than 0 and less than 1, got ", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(21)]
    [InlineData(0)]
    public void Rejects_a_fold_count_outside_2_to_20(int folds)
    {
        var spec = s_valid with { Validation = new ValidationSpec { Folds = folds } };

        AssertSingleProblem(spec, "validation.folds", $"expected an integer from 2 to 20, got {folds}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public void Accepts_the_fold_count_bounds(int folds)
    {
        Assert.Empty(TrainingSpecRules.Check(s_valid with { Validation = new ValidationSpec { Folds = folds } }));
    }

    [Fact]
    public void Rejects_a_negative_seed()
    {
        AssertSingleProblem(s_valid with { Validation = new ValidationSpec { Seed = -1 } }, "validation.seed", "expected an integer of at least 0, got -1");
    }

    [Fact]
    public void Accepts_a_registration_with_an_alias()
    {
        Assert.Empty(TrainingSpecRules.Check(s_valid with { Register = new RegistrationSpec { Model = "breast-cancer", Alias = "champion" } }));
    }

    [Theory]
    [InlineData("a/b", "Invalid model name 'a/b'")]
    [InlineData("a@b", "Invalid model name 'a@b'")]
    [InlineData("", "Missing value for required parameter 'register.model'")]
    [InlineData(" padded ", "Invalid model name ' padded '")]
    public void Rejects_an_invalid_model_name(string model, string fragment)
    {
        var problem = Assert.Single(TrainingSpecRules.Check(s_valid with { Register = new RegistrationSpec { Model = model } }));

        Assert.Equal("register.model", problem.Path);
        Assert.Contains(fragment, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("latest", "'latest' and 'v<number>' are reserved")]
    [InlineData("v3", "'latest' and 'v<number>' are reserved")]
    [InlineData("my alias", "Invalid alias 'my alias'")]
    [InlineData("", "Missing value for required parameter 'alias'")]
    public void Rejects_an_invalid_alias(string alias, string fragment)
    {
        var problem = Assert.Single(TrainingSpecRules.Check(s_valid with { Register = new RegistrationSpec { Model = "m", Alias = alias } }));

        Assert.Equal("register.alias", problem.Path);
        Assert.Contains(fragment, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "must not be empty; leave it out to get a generated run name")]
    [InlineData("   ", "must not be empty; leave it out to get a generated run name")]
    public void Rejects_an_empty_run_name(string name, string message)
    {
        AssertSingleProblem(s_valid with { Name = name }, "name", message);
    }

    [Fact]
    public void Rejects_a_run_name_over_the_tracking_limit()
    {
        AssertSingleProblem(s_valid with { Name = new string('r', 251) }, "name", "is 251 characters long; the limit is 250");
    }

    [Fact]
    public void Rejects_an_empty_or_overlong_experiment_name()
    {
        AssertSingleProblem(s_valid with { Experiment = "" }, "experiment", "must not be empty; leave it out to use the \"Default\" experiment");
        AssertSingleProblem(s_valid with { Experiment = new string('e', 257) }, "experiment", "is 257 characters long; the limit is 256");
    }

    [Fact]
    public void Rejects_a_tag_key_the_tracking_store_would_refuse()
    {
        var problem = Assert.Single(TrainingSpecRules.Check(s_valid with { Tags = new Dictionary<string, string> { ["bad*key"] = "x" } }));

        Assert.Equal("tags.bad*key", problem.Path);
        Assert.Contains("Invalid tag key 'bad*key'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_tag_value_over_the_tracking_limit()
    {
        var spec = s_valid with { Tags = new Dictionary<string, string> { ["team"] = new string('x', 5001) } };

        AssertSingleProblem(spec, "tags.team", "the value is 5001 characters long; the limit is 5000");
    }

    [Fact]
    public void Rejects_more_tags_than_a_batch_can_log()
    {
        var tags = Enumerable.Range(0, 101).ToDictionary(i => $"t{i}", _ => "x");

        AssertSingleProblem(s_valid with { Tags = tags }, "tags", "has 101 tags; the limit is 100");
    }

    [Fact]
    public void Rejects_undefined_enum_values()
    {
        var problems = TrainingSpecRules.Check(s_valid with
        {
            Task = (TrainingTask)42,
            Trainer = new TrainerSpec { Name = (TrainerKind)42 },
            Validation = new ValidationSpec { Method = (ValidationMethod)42 },
        });

        Assert.Equal(["task", "trainer.name", "validation.method"], problems.Select(p => p.Path));
    }

    [Fact]
    public void Reports_every_problem_at_once_one_line_each()
    {
        var spec = s_valid with
        {
            Dataset = new DatasetSpec { Path = "train.xlsx", Label = "" },
            Trainer = Trainer(TrainerKind.LightGbm, ("learning_rate", HyperparameterValue.FromText("fast"))),
            Validation = new ValidationSpec { Folds = 1 },
        };

        var error = Assert.Throws<MlopsException>(() => TrainingSpecRules.Validate(spec));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(
            [
                "dataset.path: \"train.xlsx\" is neither a CSV (.csv, .tsv, .txt) nor a Parquet (.parquet, .pq) file",
                "dataset.label: must name the label column",
                "trainer.hyperparameters.learning_rate: expected a number greater than 0, got \"fast\"",
                "validation.folds: expected an integer from 2 to 20, got 1",
            ],
            error.Message.Split('\n'));
    }

    [Fact]
    public void Validate_returns_a_valid_spec_unchanged()
    {
        var spec = s_valid with { Register = new RegistrationSpec { Model = "m" } };

        Assert.Same(spec, TrainingSpecRules.Validate(spec));
    }

    private static TrainingSpec WithDataset(Func<DatasetSpec, DatasetSpec> change) => s_valid with { Dataset = change(s_valid.Dataset) };

    private static TrainerSpec Trainer(TrainerKind kind, params (string Name, HyperparameterValue Value)[] hyperparameters) => new()
    {
        Name = kind,
        Hyperparameters = hyperparameters.ToDictionary(h => h.Name, h => h.Value),
    };

    private static HyperparameterValue ToValue(object value) => value switch
    {
        long integer => HyperparameterValue.FromInteger(integer),
        double number => HyperparameterValue.FromNumber(number),
        bool flag => HyperparameterValue.FromBoolean(flag),
        _ => HyperparameterValue.FromText((string)value),
    };

    private static void AssertSingleProblem(TrainingSpec spec, string path, string message)
    {
        var problem = Assert.Single(TrainingSpecRules.Check(spec));
        Assert.Equal(path, problem.Path);
        Assert.Equal(message, problem.Message);

        var error = Assert.Throws<MlopsException>(() => TrainingSpecRules.Validate(spec));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal($"{path}: {message}", error.Message);
    }
}

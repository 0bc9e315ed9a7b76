using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Learning;
using Mlops.Infrastructure.Learning.Training;

namespace Mlops.Infrastructure.Tests.Learning;

/// <summary>
/// The ML.NET trainer on the shipped datasets and folds: every supported trainer and task, the quality bar against
/// scikit-learn's reference, determinism, validation modes, feature importance, the package, and data with
/// categorical and free-text columns.
/// </summary>
public sealed class MlNetTrainerTests(LightGbmBreastCancerTraining lightGbm) : IClassFixture<LightGbmBreastCancerTraining>, IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly MlNetTrainer _trainer = new(new FixedTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    private readonly List<string> _log = [];

    public void Dispose() => _temp.Dispose();

    private static MlNetTrainingRequest Request(string data, MlTask task, MlTrainer trainer, bool fixedFolds = true, bool kFold = true, IReadOnlyDictionary<string, object>? hyperparameters = null) => new(
        SampleData.PathOf(data + ".csv"),
        "label",
        null,
        [],
        [],
        [],
        ',',
        true,
        fixedFolds ? SampleData.PathOf(data + ".folds.csv") : null,
        task,
        trainer,
        hyperparameters ?? new Dictionary<string, object>(),
        kFold,
        5,
        0.2,
        42);

    private MlNetTrainingResult Train(MlNetTrainingRequest request, Action<double, string>? progress = null, CancellationToken cancellationToken = default) =>
        _trainer.Train(request, _temp.Combine("model-" + Guid.NewGuid().ToString("N")[..8]), "run1", _log.Add, progress ?? ((_, _) => { }), cancellationToken);

    public static TheoryData<MlTrainer, MlTask> SupportedPairs() => new()
    {
        { MlTrainer.LightGbm, MlTask.Binary },
        { MlTrainer.LightGbm, MlTask.Multiclass },
        { MlTrainer.LightGbm, MlTask.Regression },
        { MlTrainer.FastTree, MlTask.Binary },
        { MlTrainer.FastTree, MlTask.Multiclass },
        { MlTrainer.FastTree, MlTask.Regression },
        { MlTrainer.FastForest, MlTask.Binary },
        { MlTrainer.FastForest, MlTask.Regression },
        { MlTrainer.Sdca, MlTask.Binary },
        { MlTrainer.Sdca, MlTask.Multiclass },
        { MlTrainer.Sdca, MlTask.Regression },
        { MlTrainer.LbfgsLogistic, MlTask.Binary },
        { MlTrainer.LbfgsLogistic, MlTask.Multiclass },
        { MlTrainer.LbfgsPoisson, MlTask.Regression },
        { MlTrainer.AveragedPerceptron, MlTask.Binary },
    };

    [Fact]
    public void LightGbm_regularisation_reaches_the_booster()
    {
        var plain = Train(Request("breast_cancer", MlTask.Binary, MlTrainer.LightGbm, hyperparameters: new Dictionary<string, object> { ["l2_regularization"] = 0.0 }));
        var heavy = Train(Request("breast_cancer", MlTask.Binary, MlTrainer.LightGbm, hyperparameters: new Dictionary<string, object> { ["l2_regularization"] = 500.0, ["l1_regularization"] = 5.0 }));

        // Heavy L1/L2 shrinks every leaf towards zero, so the probabilities are less confident and the log-loss rises.
        Assert.True(heavy.Metrics["log_loss"] > plain.Metrics["log_loss"] + 0.01, $"{plain.Metrics["log_loss"]} vs {heavy.Metrics["log_loss"]}");
    }

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public void Every_supported_trainer_and_task_trains_on_the_shipped_data_with_sensible_metrics(MlTrainer trainer, MlTask task)
    {
        var data = task switch { MlTask.Binary => "breast_cancer", MlTask.Multiclass => "iris", _ => "diabetes" };

        var folder = _temp.Combine("package");

        var result = _trainer.Train(Request(data, task, trainer), folder, "run1", _log.Add, (_, _) => { }, CancellationToken.None);

        Assert.Equal(5, result.FoldMetrics.Count);
        var describe = string.Join(", ", result.Metrics.Select(m => $"{m.Key} {m.Value.ToString("0.0000", CultureInfo.InvariantCulture)}"));
        switch (task)
        {
            case MlTask.Binary:
                Assert.True(result.Metrics["auc"] > 0.9, describe);
                Assert.True(result.Metrics["accuracy"] > 0.85, describe);
                Assert.Contains("f1", result.Metrics.Keys);
                break;
            case MlTask.Multiclass:
                Assert.True(result.Metrics["macro_accuracy"] > 0.85, describe);
                Assert.Contains("micro_accuracy", result.Metrics.Keys);
                Assert.Contains("log_loss", result.Metrics.Keys);
                break;
            default:
                Assert.True(result.Metrics["r2"] > 0.2, describe);
                Assert.True(result.Metrics["rmse"] > 0, describe);
                Assert.Contains("mae", result.Metrics.Keys);
                break;
        }

        Assert.True(File.Exists(Path.Combine(folder, "MLmodel")), "MLmodel missing");
        Assert.True(File.Exists(Path.Combine(folder, "model.zip")), "model.zip missing");
    }

    [Theory]
    [InlineData(MlTrainer.FastForest, MlTask.Multiclass)]
    [InlineData(MlTrainer.LbfgsPoisson, MlTask.Binary)]
    [InlineData(MlTrainer.AveragedPerceptron, MlTask.Regression)]
    [InlineData(MlTrainer.LbfgsLogistic, MlTask.Regression)]
    public void An_unsupported_trainer_and_task_pair_fails_naming_trainer_name(MlTrainer trainer, MlTask task)
    {
        var data = task switch { MlTask.Binary => "breast_cancer", MlTask.Multiclass => "iris", _ => "diabetes" };

        var error = Assert.Throws<MlopsException>(() => Train(Request(data, task, trainer)));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("trainer.name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LightGbm_with_default_hyperparameters_meets_the_scikit_learn_reference_on_the_shipped_breast_cancer_folds()
    {
        var result = lightGbm.Result;

        Assert.Equal(5, result.FoldMetrics.Count);
        // scikit-learn's HistGradientBoostingClassifier with default settings on the same folds.
        Assert.True(result.Metrics["accuracy"] >= 0.9701, $"mean accuracy {result.Metrics["accuracy"]:0.0000} < 0.9701");
        Assert.True(result.Metrics["auc"] >= 0.9941, $"mean AUC {result.Metrics["auc"]:0.0000} < 0.9941");
        Assert.Equal(result.FoldMetrics.Average(f => f["accuracy"]), result.Metrics["accuracy"], 12);
    }

    [Fact]
    public void Fixed_folds_give_five_folds_and_identical_metrics_on_two_runs()
    {
        var first = lightGbm.Result;
        var second = Train(LightGbmBreastCancerTraining.Request);

        Assert.Equal(5, first.FoldMetrics.Count);
        Assert.Equal(5, second.FoldMetrics.Count);
        for (var fold = 0; fold < 5; fold++)
        {
            Assert.Equal(first.FoldMetrics[fold], second.FoldMetrics[fold]);
        }

        Assert.Equal(first.Metrics, second.Metrics);
        Assert.Equal(first.FeatureImportance, second.FeatureImportance);
        Assert.Equal(first.Profile.Sha256, second.Profile.Sha256);
        Assert.Equal(first.Profile.Columns, second.Profile.Columns);
    }

    [Fact]
    public void Fixed_folds_test_each_row_exactly_once()
    {
        var foldSizes = File.ReadLines(SampleData.PathOf("iris.folds.csv")).Skip(1).Where(l => l.Length > 0)
            .GroupBy(l => int.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).Count();

        var result = Train(Request("iris", MlTask.Multiclass, MlTrainer.LbfgsLogistic));

        Assert.Equal(foldSizes, result.FoldMetrics.Count);
        Assert.Equal(150, result.Profile.Rows);
    }

    [Fact]
    public void Seeded_random_cross_validation_without_a_folds_file_gives_the_requested_folds_and_repeats_with_the_same_seed()
    {
        var request = Request("breast_cancer", MlTask.Binary, MlTrainer.FastTree, fixedFolds: false) with { Folds = 3 };

        var first = Train(request);
        var second = Train(request);

        Assert.Equal(3, first.FoldMetrics.Count);
        Assert.Equal(first.Metrics, second.Metrics);
    }

    [Fact]
    public void Holdout_validation_gives_one_fold()
    {
        var result = Train(Request("diabetes", MlTask.Regression, MlTrainer.FastTree, fixedFolds: false, kFold: false));

        var fold = Assert.Single(result.FoldMetrics);
        Assert.Equal(fold, result.Metrics);
        Assert.True(result.Metrics["r2"] > 0.2, $"r2 {result.Metrics["r2"]}");
    }

    [Fact]
    public void Feature_importance_names_real_columns_of_the_data()
    {
        var header = File.ReadLines(SampleData.PathOf("breast_cancer.csv")).First().Split(',');

        var result = lightGbm.Result;

        Assert.NotEmpty(result.FeatureImportance);
        Assert.All(result.FeatureImportance.Keys, k => Assert.Contains(k, header));
        Assert.DoesNotContain("label", result.FeatureImportance.Keys);
        Assert.Equal(result.FeatureImportance.Values.OrderByDescending(v => v), result.FeatureImportance.Values);
    }

    [Fact]
    public void The_model_package_loads_with_MlNetModelLoader_and_predicts_the_training_rows_well()
    {
        var folder = lightGbm.PackageFolder;
        var result = lightGbm.Result;

        var ml = new MLContext(seed: 1);
        var loaded = new MlNetModelLoader(ml).Load(folder);

        Assert.Equal("run-77", loaded.Descriptor.RunId);
        Assert.Equal(result.Package.FileHashes.Keys.Order(), loaded.Descriptor.FileHashes.Keys.Order());
        var header = File.ReadLines(SampleData.PathOf("breast_cancer.csv")).First().Split(',');
        Assert.Equal(header.Where(h => h != "label"), loaded.InputSchema.Select(c => c.Name));
        var columns = header.Select((name, i) => new TextLoader.Column(name, name == "label" ? DataKind.Boolean : DataKind.Single, i)).ToArray();
        var rows = ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true).Load(SampleData.PathOf("breast_cancer.csv"));
        var predictions = loaded.Model.Transform(rows);
        var predicted = predictions.GetColumn<bool>("PredictedLabel").ToArray();
        var actual = predictions.GetColumn<bool>("label").ToArray();
        Assert.Equal(569, predicted.Length);
        var accuracy = predicted.Zip(actual).Count(p => p.First == p.Second) / 569.0;
        Assert.True(accuracy > 0.95, $"accuracy on the training rows {accuracy}");
    }

    [Fact]
    public void The_multiclass_package_predicts_class_names_without_a_label_column()
    {
        var folder = _temp.Combine("iris-package");

        _trainer.Train(Request("iris", MlTask.Multiclass, MlTrainer.LbfgsLogistic), folder, "run-iris", _log.Add, (_, _) => { }, CancellationToken.None);
        var ml = new MLContext(seed: 1);
        var loaded = new MlNetModelLoader(ml).Load(folder);
        var header = File.ReadLines(SampleData.PathOf("iris.csv")).First().Split(',');
        var columns = header.Take(4).Select((name, i) => new TextLoader.Column(name, DataKind.Single, i)).ToArray();
        var rows = ml.Data.CreateTextLoader(columns, separatorChar: ',', hasHeader: true).Load(SampleData.PathOf("iris.csv"));
        var predicted = loaded.Model.Transform(rows).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(p => p.ToString()).ToArray();
        var actual = File.ReadLines(SampleData.PathOf("iris.csv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[4]).ToArray();

        Assert.Equal(150, predicted.Length);
        Assert.Equal(["0", "1", "2"], predicted.Distinct().Order());
        Assert.True(predicted.Zip(actual).Count(p => p.First == p.Second) > 135);
    }

    [Fact]
    public void A_categorical_column_trains_and_its_importance_is_summed_back_to_the_column()
    {
        var path = _temp.Combine("mixed.csv");
        WriteMixedCsv(path, rows: 300, withNote: false);
        var request = new MlNetTrainingRequest(path, "label", null, ["colour"], [], [], ',', true, null, MlTask.Binary, MlTrainer.FastTree,
            new Dictionary<string, object>(), true, 3, 0.2, 7);

        var result = Train(request);

        Assert.Equal(3, result.FoldMetrics.Count);
        Assert.True(result.Metrics["auc"] > 0.6, $"auc {result.Metrics["auc"]}");
        var colour = result.Profile.Columns.Single(c => c.Name == "colour");
        Assert.False(colour.Numeric);
        Assert.Equal(3, colour.Distinct);
        Assert.All(result.FeatureImportance.Keys, k => Assert.Contains(k, new[] { "colour", "x" }));
        Assert.Contains("colour", result.FeatureImportance.Keys);
    }

    [Fact]
    public void A_categorical_column_and_a_free_text_column_train_and_their_importance_is_summed_back_to_the_column()
    {
        var path = _temp.Combine("mixed.csv");
        WriteMixedCsv(path, rows: 300);
        var request = new MlNetTrainingRequest(path, "label", null, ["colour"], ["note"], [], ',', true, null, MlTask.Binary, MlTrainer.FastTree,
            new Dictionary<string, object>(), true, 3, 0.2, 7);

        var result = Train(request);

        Assert.Equal(3, result.FoldMetrics.Count);
        Assert.True(result.Metrics["auc"] > 0.8, $"auc {result.Metrics["auc"]}");
        Assert.All(result.FeatureImportance.Keys, k => Assert.Contains(k, new[] { "colour", "note", "x" }));
        Assert.Contains("colour", result.FeatureImportance.Keys);
        Assert.Contains("note", result.FeatureImportance.Keys);
    }

    [Fact]
    public void A_column_listed_under_ignore_may_hold_words()
    {
        var path = _temp.Combine("with-id.csv");
        File.WriteAllLines(path, ["id,x,label", .. Enumerable.Range(0, 60).Select(i => string.Create(CultureInfo.InvariantCulture, $"cust-{i:000},{i % 10},{(i % 10 > 4 ? 1 : 0)}"))]);
        var request = new MlNetTrainingRequest(path, "label", null, [], [], ["id"], ',', true, null, MlTask.Binary, MlTrainer.FastTree,
            new Dictionary<string, object>(), false, 5, 0.25, 7);

        var result = Train(request);

        Assert.Single(result.FoldMetrics);
        Assert.DoesNotContain("id", result.FeatureImportance.Keys);
    }

    [Fact]
    public void Explicit_features_and_ignored_columns_limit_what_the_model_sees()
    {
        var request = Request("breast_cancer", MlTask.Binary, MlTrainer.FastTree) with { Features = ["mean_radius", "worst_area"] };

        var result = Train(request);

        Assert.Subset(new HashSet<string> { "mean_radius", "worst_area" }, result.FeatureImportance.Keys.ToHashSet());
    }

    [Fact]
    public void A_feature_that_is_not_in_the_data_fails_naming_dataset_features()
    {
        var request = Request("breast_cancer", MlTask.Binary, MlTrainer.FastTree) with { Features = ["mean_radius", "shoe_size"] };

        var error = Assert.Throws<MlopsException>(() => Train(request));

        Assert.StartsWith("dataset.features", error.Message, StringComparison.Ordinal);
        Assert.Contains("shoe_size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folds_file_missing_a_row_fails_naming_dataset_folds_file()
    {
        var folds = _temp.Combine("short.folds.csv");
        File.WriteAllLines(folds, File.ReadLines(SampleData.PathOf("iris.folds.csv")).Take(100));
        var request = Request("iris", MlTask.Multiclass, MlTrainer.LbfgsLogistic) with { FoldsFile = folds };

        var error = Assert.Throws<MlopsException>(() => Train(request));

        Assert.Contains("dataset.folds_file", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hyperparameter_the_trainer_does_not_have_fails_naming_it()
    {
        var request = Request("iris", MlTask.Multiclass, MlTrainer.LightGbm, hyperparameters: new Dictionary<string, object> { ["no_such_knob"] = 3 });

        var error = Assert.Throws<MlopsException>(() => Train(request));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("no_such_knob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancelling_during_cross_validation_stops_before_a_model_is_packaged()
    {
        using var cancellation = new CancellationTokenSource();
        var folder = _temp.Combine("cancelled");
        var progress = new List<string>();

        Assert.ThrowsAny<OperationCanceledException>(() => _trainer.Train(Request("breast_cancer", MlTask.Binary, MlTrainer.FastTree), folder, "run", _log.Add, (_, message) =>
        {
            progress.Add(message);
            if (message == "fold 2 of 5")
            {
                cancellation.Cancel();
            }
        }, cancellation.Token));

        Assert.Equal(["fold 1 of 5", "fold 2 of 5"], progress);
        Assert.False(File.Exists(Path.Combine(folder, "MLmodel")));
    }

    [Fact]
    public void An_already_cancelled_token_trains_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var progress = new List<string>();

        Assert.ThrowsAny<OperationCanceledException>(() => Train(Request("iris", MlTask.Multiclass, MlTrainer.LbfgsLogistic), (_, m) => progress.Add(m), cancellation.Token));

        Assert.Empty(progress);
    }

    [Fact]
    public void Progress_and_log_report_each_fold_and_the_final_fit()
    {
        var progress = new List<(double Fraction, string Message)>();

        Train(Request("iris", MlTask.Multiclass, MlTrainer.LbfgsLogistic), progress: (f, m) => progress.Add((f, m)));

        Assert.Equal(["fold 1 of 5", "fold 2 of 5", "fold 3 of 5", "fold 4 of 5", "fold 5 of 5", "fitting the final model on all rows"], progress.Select(p => p.Message));
        Assert.Equal(progress.Select(p => p.Fraction).Order(), progress.Select(p => p.Fraction));
        Assert.All(progress, p => Assert.InRange(p.Fraction, 0, 1));
        Assert.Contains(_log, l => l.StartsWith("data: 150 rows", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.StartsWith("fold 5: ", StringComparison.Ordinal));
    }

    /// <summary>
    /// Rows whose label depends on a categorical colour and on a word in a free-text note, plus a noise column.
    /// A fixed generator seed keeps the file identical on every run.
    /// </summary>
    private static void WriteMixedCsv(string path, int rows, bool withNote = true)
    {
        var random = new Random(11);
        string[] colours = ["red", "green", "blue"];
        string[] goodWords = ["excellent service", "very happy", "great value"];
        string[] badWords = ["terrible delay", "very unhappy", "broken item"];
        var text = new StringBuilder(withNote ? "colour,note,x,label\n" : "colour,x,label\n");
        for (var i = 0; i < rows; i++)
        {
            var colour = colours[random.Next(3)];
            var positive = random.NextDouble() < (colour == "red" ? 0.8 : colour == "blue" ? 0.2 : 0.5);
            var note = (positive ? goodWords : badWords)[random.Next(3)] + (random.Next(2) == 0 ? ", again" : "");
            var x = random.NextDouble().ToString("0.000", CultureInfo.InvariantCulture);
            var noteField = withNote ? $"\"{note}\"," : "";
            text.Append(CultureInfo.InvariantCulture, $"{colour},{noteField}{x},{(positive ? 1 : 0)}\n");
        }

        File.WriteAllText(path, text.ToString());
    }
}

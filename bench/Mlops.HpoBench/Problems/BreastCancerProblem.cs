using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Mlops.HpoBench.Problems;

/// <summary>
/// hgb_breast_cancer with ML.NET's LightGBM standing in for scikit-learn's HistGradientBoostingClassifier: the mean
/// test-fold accuracy over the five fixed folds of breast_cancer.folds.csv. The four tuned parameters map to LightGBM's
/// learning rate, number of leaves, minimum examples per leaf and L2 regularisation; everything else is fixed
/// (100 boosting rounds like HistGradientBoosting's max_iter, 255 bins, seed 0, one thread, deterministic).
/// </summary>
internal static class BreastCancerProblem
{
    public static BenchmarkProblem Create(JsonElement problem, string dataFolder)
    {
        var (rows, labels) = ReadData(Path.Combine(dataFolder, "breast_cancer.csv"));
        var folds = ReadFolds(Path.Combine(dataFolder, "breast_cancer.folds.csv"), rows.Count);
        var ml = new MLContext(seed: 0);
        var splits = Enumerable.Range(0, 5).Select(k => (
            Train: ml.Data.LoadFromEnumerable(Examples(rows, labels, folds, k, test: false).ToList(), Schema(rows[0].Length)),
            Test: ml.Data.LoadFromEnumerable(Examples(rows, labels, folds, k, test: true).ToList(), Schema(rows[0].Length)))).ToArray();

        double Objective(IReadOnlyDictionary<string, object> p)
        {
            var accuracies = splits.Select(split =>
            {
                var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    LearningRate = Convert.ToDouble(p["learning_rate"], CultureInfo.InvariantCulture),
                    NumberOfLeaves = Convert.ToInt32(p["max_leaf_nodes"], CultureInfo.InvariantCulture),
                    MinimumExampleCountPerLeaf = Convert.ToInt32(p["min_samples_leaf"], CultureInfo.InvariantCulture),
                    Booster = new GradientBooster.Options { L2Regularization = Convert.ToDouble(p["l2_regularization"], CultureInfo.InvariantCulture) },
                    NumberOfIterations = 100,
                    MaximumBinCountPerFeature = 255,
                    Seed = 0,
                    NumberOfThreads = 1,
                    Deterministic = true,
                    Silent = true,
                });
                var model = trainer.Fit(split.Train);
                return ml.BinaryClassification.EvaluateNonCalibrated(model.Transform(split.Test)).Accuracy;
            });
            return accuracies.Average();
        }

        return ProblemCatalog.Create(problem, Objective);
    }

    private sealed class Example
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private static SchemaDefinition Schema(int features)
    {
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return schema;
    }

    private static IEnumerable<Example> Examples(List<float[]> rows, List<bool> labels, int[] folds, int fold, bool test)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if ((folds[i] == fold) == test)
            {
                yield return new Example { Features = rows[i], Label = labels[i] };
            }
        }
    }

    private static (List<float[]> Rows, List<bool> Labels) ReadData(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var label = Array.IndexOf(header, "label");
        var rows = new List<float[]>();
        var labels = new List<bool>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            rows.Add(cells.Where((_, i) => i != label).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray());
            labels.Add(double.Parse(cells[label], CultureInfo.InvariantCulture) > 0.5);
        }

        return (rows, labels);
    }

    private static int[] ReadFolds(string path, int count)
    {
        var folds = new int[count];
        foreach (var line in File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            folds[int.Parse(cells[0], CultureInfo.InvariantCulture)] = int.Parse(cells[1], CultureInfo.InvariantCulture);
        }

        return folds;
    }
}

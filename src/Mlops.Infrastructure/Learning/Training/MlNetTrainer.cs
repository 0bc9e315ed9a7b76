using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Learning.Data;

namespace Mlops.Infrastructure.Learning.Training;

/// <summary>
/// Trains an ML.NET model from a CSV: validates and profiles the data, cross-validates (fixed folds from a folds
/// file, or seeded random folds) or holds out a fraction, fits the final model on all rows, measures permutation
/// feature importance and writes a sealed model package.
/// </summary>
public sealed class MlNetTrainer(TimeProvider clock)
{
    private const string FoldColumn = "__fold";

    public MlNetTrainingResult Train(MlNetTrainingRequest request, string packageFolder, string? runId, Action<string> log, Action<double, string> progress, CancellationToken cancellationToken,
        Func<int, IReadOnlyDictionary<string, double>, bool>? afterFold = null)
    {
        var textColumns = request.Categorical.Concat(request.Text).ToHashSet(StringComparer.Ordinal);

        // Only the label and the numeric features must hold numbers; ignored or unlisted columns (ids, notes) may hold anything.
        bool Numeric(string column) => !textColumns.Contains(column) && !request.Ignore.Contains(column)
            && (column == request.Label || request.Features is null || request.Features.Contains(column));
        var (header, profile) = CsvDatasetInspector.Inspect(request.DataPath, request.Separator, request.HasHeader, request.Label, textColumns,
            column => column == request.Label ? request.Task == MlTask.Regression : Numeric(column));
        log($"data: {profile.Rows} rows, {header.Length} columns, sha256 {profile.Sha256[..12]}");
        var features = (request.Features ?? header.Where(c => c != request.Label && !request.Ignore.Contains(c)).ToList()).ToList();
        foreach (var feature in features.Where(f => !header.Contains(f, StringComparer.Ordinal)))
        {
            throw MlopsException.Invalid($"dataset.features: the column '{feature}' is not in the data.");
        }

        var ml = new MLContext(seed: request.Seed);
        var columns = header.Select((name, i) => new TextLoader.Column(
            name == request.Label ? TrainerFactory.Label : name,
            name == request.Label ? LabelKind(request.Task) : Numeric(name) ? DataKind.Single : DataKind.String,
            i)).ToArray();
        var loaderOptions = new TextLoader.Options { Columns = columns, Separators = [request.Separator], HasHeader = request.HasHeader, AllowQuoting = true };
        var data = ml.Data.CreateTextLoader(loaderOptions).Load(request.DataPath);
        var inputSchema = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = columns.Where(c => features.Contains(c.Name)).ToArray(),
            Separators = [request.Separator],
            HasHeader = request.HasHeader,
        }).GetOutputSchema();

        // Class names become keys before training, outside the saved model, so predicting needs no label column;
        // the keys keep the names as annotations, which turns PredictedLabel back into a class name.
        Func<IDataView, IDataView> prepare = view => view;
        if (request.Task == MlTask.Multiclass)
        {
            var labelKeys = ml.Transforms.Conversion.MapValueToKey(TrainerFactory.Label).Fit(data);
            prepare = labelKeys.Transform;
            data = prepare(data);
        }

        var pipeline = BuildPipeline(ml, request, features, textColumns);
        var foldsCopy = request.KFold && request.FoldsFile is not null ? WriteWithFoldColumns(request, cancellationToken) : null;
        try
        {
            var splits = Splits(ml, request, data, header.Length, columns, foldsCopy, prepare);
            var foldMetrics = new List<IReadOnlyDictionary<string, double>>();
            for (var fold = 0; fold < splits.Count; fold++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress((double)fold / (splits.Count + 1), $"fold {fold + 1} of {splits.Count}");
                var model = pipeline.Fit(splits[fold].Train);
                var metrics = Evaluate(ml, request.Task, model.Transform(splits[fold].Test));
                foldMetrics.Add(metrics);
                log($"fold {fold + 1}: " + string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value.ToString("0.0000", CultureInfo.InvariantCulture)}")));
                if (afterFold?.Invoke(fold, metrics) == true)
                {
                    log($"pruned after fold {fold + 1}");
                    throw new Domain.Optimization.TrialPrunedException(fold);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            progress((double)splits.Count / (splits.Count + 1), "fitting the final model on all rows");
            var clockStart = Stopwatch.GetTimestamp();
            var final = pipeline.Fit(data);
            var fitTime = Stopwatch.GetElapsedTime(clockStart);
            var mean = foldMetrics.SelectMany(m => m).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Average(p => p.Value));
            var importance = FeatureImportance(ml, request.Task, final, splits[^1].Test, features, log);
            var confusion = ConfusionMatrix(ml, request.Task, final.Transform(splits[^1].Test));
            var onnx = ExportOnnx(ml, final, data, log);
            try
            {
                var descriptor = new MlNetModelPackager(clock).Save(ml, final, inputSchema, packageFolder, runId, InputExample(request, header, features), onnxFile: onnx);
                log($"model packaged: {string.Join(", ", descriptor.FileHashes.Keys)}");
                return new MlNetTrainingResult(foldMetrics, mean, importance, profile, descriptor, fitTime, confusion);
            }
            finally
            {
                if (onnx is not null)
                {
                    File.Delete(onnx);
                }
            }
        }
        finally
        {
            if (foldsCopy is not null)
            {
                File.Delete(foldsCopy.Path);
            }
        }
    }

    /// <summary>ONNX where the pipeline converts (trees and linear models do; some text featurizers do not); never fatal.</summary>
    private static string? ExportOnnx(MLContext ml, ITransformer model, IDataView data, Action<string> log)
    {
        var path = Path.Combine(Path.GetTempPath(), "mlops-onnx-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            using (var stream = File.Create(path))
            {
                ml.Model.ConvertToOnnx(model, data, stream);
            }

            return path;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The converter throws assorted exception types for parts it cannot express; the ML.NET package stands alone.
            File.Delete(path);
            log($"no ONNX export for this pipeline: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>The first data row's feature values, as the package's input example (what a caller sends to predict).</summary>
    private static Dictionary<string, object?> InputExample(MlNetTrainingRequest request, string[] header, List<string> features)
    {
        var line = File.ReadLines(request.DataPath).Skip(request.HasHeader ? 1 : 0).First(l => l.Length > 0);
        var values = line.Split(request.Separator);
        var example = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            var index = Array.IndexOf(header, feature);
            var raw = index >= 0 && index < values.Length ? values[index].Trim().Trim('"') : null;
            example[feature] = raw is not null && !request.Categorical.Contains(feature) && !request.Text.Contains(feature)
                && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? (float)number : raw;
        }

        return example;
    }

    /// <summary>Counts of (actual, predicted) classes on the last held-out split; null for regression.</summary>
    private static IReadOnlyList<IReadOnlyList<double>>? ConfusionMatrix(MLContext ml, MlTask task, IDataView predictions) => task switch
    {
        MlTask.Binary when predictions.Schema.GetColumnOrNull("Probability") is not null =>
            ml.BinaryClassification.Evaluate(predictions, TrainerFactory.Label).ConfusionMatrix.Counts,
        MlTask.Binary => ml.BinaryClassification.EvaluateNonCalibrated(predictions, TrainerFactory.Label).ConfusionMatrix.Counts,
        MlTask.Multiclass => ml.MulticlassClassification.Evaluate(predictions, TrainerFactory.Label).ConfusionMatrix.Counts,
        _ => null,
    };

    private static DataKind LabelKind(MlTask task) => task switch
    {
        MlTask.Binary => DataKind.Boolean,
        MlTask.Multiclass => DataKind.String,
        _ => DataKind.Single,
    };

    private static IEstimator<ITransformer> BuildPipeline(MLContext ml, MlNetTrainingRequest request, List<string> features, HashSet<string> textColumns)
    {
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        foreach (var column in features)
        {
            if (request.Categorical.Contains(column))
            {
                pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(column + "__onehot", column));
                parts.Add(column + "__onehot");
            }
            else if (textColumns.Contains(column))
            {
                pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(column + "__text", column));
                parts.Add(column + "__text");
            }
            else
            {
                // Missing numbers become the column mean instead of NaN, which most learners cannot use.
                pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(column + "__filled", column));
                parts.Add(column + "__filled");
            }
        }

        pipeline = pipeline.Append(ml.Transforms.Concatenate(TrainerFactory.Features, [.. parts]));
        if (TrainerFactory.NeedsNormalization(request.Trainer))
        {
            pipeline = pipeline.Append(ml.Transforms.NormalizeMinMax(TrainerFactory.Features));
        }

        pipeline = pipeline.Append(TrainerFactory.Create(ml, request.Trainer, request.Task, request.Hyperparameters, request.Seed));
        if (request.Task == MlTask.Multiclass)
        {
            pipeline = pipeline.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        }

        return pipeline;
    }

    private static List<(IDataView Train, IDataView Test)> Splits(MLContext ml, MlNetTrainingRequest request, IDataView data, int columnCount,
        TextLoader.Column[] columns, FoldsCopy? foldsCopy, Func<IDataView, IDataView> prepare)
    {
        if (!request.KFold)
        {
            var split = ml.Data.TrainTestSplit(data, request.HoldoutFraction, seed: request.Seed);
            return [(split.TrainSet, split.TestSet)];
        }

        if (foldsCopy is null)
        {
            return ml.Data.CrossValidationSplit(data, request.Folds, seed: request.Seed).Select(s => (s.TrainSet, s.TestSet)).ToList();
        }

        // Each split is two range filters over the copy's 0/1 fold columns, read from disk as ML.NET streams it,
        // so a large dataset is never held in memory by this step.
        var foldColumns = Enumerable.Range(0, foldsCopy.Count).Select(k => new TextLoader.Column(FoldColumn + k.ToString(CultureInfo.InvariantCulture), DataKind.Single, columnCount + k));
        var all = prepare(ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns, .. foldColumns],
            Separators = [request.Separator],
            HasHeader = request.HasHeader,
            AllowQuoting = true,
        }).Load(foldsCopy.Path));
        return Enumerable.Range(0, foldsCopy.Count).Select(k =>
        {
            var column = FoldColumn + k.ToString(CultureInfo.InvariantCulture);
            return (ml.Data.FilterRowsByColumn(all, column, 0, 0.5), ml.Data.FilterRowsByColumn(all, column, 0.5, 2));
        }).ToList();
    }

    /// <summary>A temporary copy of the data with one 0/1 column per fold ("is this row in fold k's test set").</summary>
    private sealed record FoldsCopy(string Path, int Count);

    private static FoldsCopy WriteWithFoldColumns(MlNetTrainingRequest request, CancellationToken cancellationToken)
    {
        var folds = ReadFolds(request.FoldsFile!, cancellationToken);
        var count = folds.Values.Max() + 1;
        var path = Path.Combine(Path.GetTempPath(), "mlops-folds-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            using var writer = new StreamWriter(path);
            var row = 0;
            var headerDone = !request.HasHeader;
            foreach (var line in File.ReadLines(request.DataPath))
            {
                if (!headerDone)
                {
                    writer.WriteLine(line + string.Concat(Enumerable.Range(0, count).Select(k => request.Separator + FoldColumn + k.ToString(CultureInfo.InvariantCulture))));
                    headerDone = true;
                    continue;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                if (!folds.TryGetValue(row, out var fold))
                {
                    throw MlopsException.Invalid($"dataset.folds_file: row {row} of the data has no fold.");
                }

                if ((row & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                writer.WriteLine(line + string.Concat(Enumerable.Range(0, count).Select(k => request.Separator + (k == fold ? "1" : "0"))));
                row++;
            }

            return new FoldsCopy(path, count);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static Dictionary<int, int> ReadFolds(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw MlopsException.Invalid($"dataset.folds_file: the file '{path}' does not exist.");
        }

        var folds = new Dictionary<int, int>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var row) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var fold) || fold < 0)
            {
                throw MlopsException.Invalid($"dataset.folds_file: line {lineNumber} must be 'row,fold' with non-negative integers.");
            }

            folds[row] = fold;
        }

        return folds;
    }

    private static Dictionary<string, double> Evaluate(MLContext ml, MlTask task, IDataView predictions)
    {
        switch (task)
        {
            case MlTask.Binary:
                var hasProbability = predictions.Schema.GetColumnOrNull("Probability") is not null;
                if (hasProbability)
                {
                    var b = ml.BinaryClassification.Evaluate(predictions, TrainerFactory.Label);
                    return new() { ["auc"] = b.AreaUnderRocCurve, ["accuracy"] = b.Accuracy, ["f1"] = b.F1Score, ["log_loss"] = b.LogLoss, ["auprc"] = b.AreaUnderPrecisionRecallCurve };
                }

                var n = ml.BinaryClassification.EvaluateNonCalibrated(predictions, TrainerFactory.Label);
                return new() { ["auc"] = n.AreaUnderRocCurve, ["accuracy"] = n.Accuracy, ["f1"] = n.F1Score, ["auprc"] = n.AreaUnderPrecisionRecallCurve };
            case MlTask.Multiclass:
                var m = ml.MulticlassClassification.Evaluate(predictions, TrainerFactory.Label);
                return new() { ["macro_accuracy"] = m.MacroAccuracy, ["micro_accuracy"] = m.MicroAccuracy, ["log_loss"] = m.LogLoss };
            default:
                var r = ml.Regression.Evaluate(predictions, TrainerFactory.Label);
                return new() { ["rmse"] = r.RootMeanSquaredError, ["mae"] = r.MeanAbsoluteError, ["r2"] = r.RSquared };
        }
    }

    /// <summary>
    /// Permutation feature importance on held-out rows: how much the primary metric worsens when one input slot is
    /// shuffled. Slots of one-hot or text columns are summed back to their column.
    /// </summary>
    private static Dictionary<string, double> FeatureImportance(MLContext ml, MlTask task, ITransformer model, IDataView test, List<string> features, Action<string> log)
    {
        try
        {
            // PFI permutes slots of the predictor's feature vector, so it runs on the data as the predictor sees it.
            var steps = ((IEnumerable<ITransformer>)model).ToList();
            var index = steps.FindLastIndex(t => t is ISingleFeaturePredictionTransformer<object>);
            if (index < 0)
            {
                log("feature importance is not available for this model");
                return [];
            }

            var predictor = (ISingleFeaturePredictionTransformer<object>)steps[index];
            var prepared = new TransformerChain<ITransformer>([.. steps.Take(index)]).Transform(test);
            var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
            prepared.Schema[TrainerFactory.Features].GetSlotNames(ref slotNames);
            var names = slotNames.DenseValues().Select(n => n.ToString()).ToArray();
            double[] drops = task switch
            {
                MlTask.Binary => [.. ml.BinaryClassification.PermutationFeatureImportance(predictor, prepared, TrainerFactory.Label).Select(m => -m.AreaUnderRocCurve.Mean)],
                MlTask.Multiclass => [.. ml.MulticlassClassification.PermutationFeatureImportance(predictor, prepared, TrainerFactory.Label).Select(m => -m.MacroAccuracy.Mean)],
                _ => [.. ml.Regression.PermutationFeatureImportance(predictor, prepared, TrainerFactory.Label).Select(m => m.RootMeanSquaredError.Mean)],
            };

            // Slots of one-hot or text columns are summed back to their column.
            var byColumn = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var slot = 0; slot < drops.Length; slot++)
            {
                var name = slot < names.Length ? names[slot] : "slot" + slot.ToString(CultureInfo.InvariantCulture);
                var column = features.FirstOrDefault(f => name == f || name.StartsWith(f + "__", StringComparison.Ordinal) || name.StartsWith(f + ".", StringComparison.Ordinal)) ?? name;
                byColumn[column] = byColumn.GetValueOrDefault(column) + drops[slot];
            }

            return byColumn.OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidCastException)
        {
            log($"feature importance is not available for this model: {e.Message}");
            return [];
        }
    }

}

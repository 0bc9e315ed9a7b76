using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning.Serving;
using Mlops.Infrastructure.Learning.Serving.Onnx;
using Mlops.Infrastructure.Learning.Training;
using Mlops.Infrastructure.Models;

namespace Mlops.Infrastructure.Tests.Learning.Serving;

/// <summary>
/// The ONNX Runtime predictor on the ONNX exports of models trained from the shipped data, checked against the ML.NET
/// predictor serving the same package: the same columns, the same labels, and scores within float rounding.
/// </summary>
public sealed class OnnxPredictorTests(LightGbmBreastCancerTraining breastCancer, ServingModels models)
    : IClassFixture<LightGbmBreastCancerTraining>, IClassFixture<ServingModels>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_binary_lightgbm_model_answers_as_the_ml_net_predictor_for_a_batch_and_single_rows()
    {
        using var pair = Pair.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var rows = Enumerable.Range(0, pair.RowCount).ToArray();

        var result = pair.AssertSameAnswers(rows);

        Assert.Equal(["PredictedLabel", "Score", "Probability"], result.Columns.Select(c => c.Name));
        var labels = Assert.IsType<BooleanColumn>(result.Columns[0]).Values;
        Assert.Contains(true, labels);
        Assert.Contains(false, labels);
        foreach (var row in new[] { 0, 1, 57, 300, 568 })
        {
            pair.AssertSameAnswers([row]);
        }
    }

    [Fact]
    public void A_regression_fasttree_model_answers_as_the_ml_net_predictor()
    {
        using var pair = Pair.Load(models.DiabetesFolder, SampleData.PathOf("diabetes.csv"));

        var result = pair.AssertSameAnswers([.. Enumerable.Range(0, 1000).Select(i => (i * 7) % pair.RowCount)]);
        pair.AssertSameAnswers([5]);

        Assert.Equal(["Score"], result.Columns.Select(c => c.Name));
    }

    [Fact]
    public void A_multiclass_model_answers_with_class_names_and_one_score_column_per_class_named_as_ml_net_names_them()
    {
        using var pair = Pair.Load(models.IrisFolder, models.IrisCsv);

        var result = pair.AssertSameAnswers([.. Enumerable.Range(0, pair.RowCount)]);
        pair.AssertSameAnswers([0]);
        pair.AssertSameAnswers([149]);

        // The class names come from the slot names ML.NET's converter records in the graph.
        Assert.Equal(["PredictedLabel", "Score.setosa", "Score.versicolor", "Score.virginica"], result.Columns.Select(c => c.Name));
        Assert.Equal(["setosa", "versicolor", "virginica"], Assert.IsType<TextColumn>(result.Columns[0]).Values.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_pipeline_ml_net_cannot_convert_has_no_onnx_flavor_and_the_onnx_runtime_says_so()
    {
        // ML.NET's converter cannot express the text featurizer, so training packages this model without model.onnx.
        Assert.False(File.Exists(Path.Combine(models.MixedFolder, ModelFlavor.OnnxModelFile)));

        var error = Assert.Throws<MlopsException>(() => new OnnxModelRuntime().Load(models.MixedFolder, null));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("has no onnx flavor", error.Message, StringComparison.Ordinal);
        Assert.Contains("flavors present: mlnet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_categorical_text_input_is_fed_as_a_string_tensor_and_answers_as_ml_net_including_unseen_and_missing_categories()
    {
        var csv = _temp.Combine("colours.csv");
        // The mixed data without its free-text column: ML.NET converts one-hot encoding to ONNX, not text featurizing.
        File.WriteAllLines(csv, File.ReadLines(models.MixedCsv).Select(line => line.Split(',')).Select(f => $"{f[0]},{f[2]},{f[3]}"));
        var folder = _temp.Combine("colours");
        var request = new MlNetTrainingRequest(csv, "label", null, ["colour"], [], [], ',', true, null, MlTask.Binary, MlTrainer.FastTree,
            new Dictionary<string, object>(), false, 5, 0.2, 42);
        new MlNetTrainer(TimeProvider.System).Train(request, folder, "run-colours", _ => { }, (_, _) => { }, CancellationToken.None);
        using var pair = Pair.Load(folder, csv);
        var batch = pair.Batch([0, 1, 2]);
        var odd = new ScoringBatch(3, new Dictionary<string, ScoringColumn>(batch.Columns) { ["colour"] = new TextColumn("colour", ["purple", null, "red"]) });

        pair.AssertSameAnswers([.. Enumerable.Range(0, pair.RowCount)]);
        Pair.AssertClose(pair.MlNet.Predict(odd), pair.Onnx.Predict(odd));
    }

    [Fact]
    public void A_sealed_onnx_file_that_is_not_a_model_fails_naming_the_file()
    {
        var folder = _temp.Combine("garbage");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, ModelFlavor.OnnxModelFile), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 251))]);
        ModelPackage.Seal(folder, new ModelDescriptor
        {
            UtcTimeCreated = DateTimeOffset.UnixEpoch,
            Flavors = ModelDescriptor.FlavorMap(ModelFlavor.ForOnnx()),
            Signature = new ModelSignature([new ColumnSpec("x", ColumnType.Float)], [new ColumnSpec("Score", ColumnType.Float)]),
        });

        var error = Assert.Throws<MlopsException>(() => new OnnxModelRuntime().Load(folder, null));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("model.onnx: ONNX Runtime could not load the model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_numbers_are_replaced_by_the_exported_pipeline_as_ml_net_replaces_them()
    {
        using var pair = Pair.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var batch = pair.Batch([.. Enumerable.Range(0, 40)]);
        foreach (var (column, i) in batch.Columns.Values.Cast<NumberColumn>().Select((c, i) => (c, i)))
        {
            column.Values[i % 40] = float.NaN;
            column.Values[(i * 7 + 3) % 40] = float.NaN;
        }

        Pair.AssertClose(pair.MlNet.Predict(batch), pair.Onnx.Predict(batch));
    }

    [Fact]
    public void Sixteen_threads_scoring_at_once_get_the_answers_of_sequential_calls()
    {
        using var pair = Pair.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var batches = Enumerable.Range(0, 16 * 30).Select(i =>
        {
            var size = i % 5 == 0 ? 200 : 1 + (i % 7);
            return pair.Batch([.. Enumerable.Range((i * 37) % pair.RowCount, size).Select(r => r % pair.RowCount)]);
        }).ToArray();
        var sequential = batches.Select(pair.Onnx.Predict).ToArray();
        var concurrent = new ScoringResult[batches.Length];
        using var start = new Barrier(16);

        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = t; i < batches.Length; i += 16)
            {
                concurrent[i] = pair.Onnx.Predict(batches[i]);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (var i = 0; i < batches.Length; i++)
        {
            Pair.AssertClose(sequential[i], concurrent[i], tolerance: 0);
        }
    }

    [Fact]
    public void A_package_whose_onnx_file_was_changed_fails_the_hash_check_before_onnx_runtime_reads_it()
    {
        var folder = CopyPackage(breastCancer.PackageFolder, "tampered");
        var onnx = Path.Combine(folder, ModelFlavor.OnnxModelFile);
        var bytes = File.ReadAllBytes(onnx);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(onnx, bytes);

        var error = Assert.Throws<MlopsException>(() => new OnnxModelRuntime().Load(folder, null));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("model.onnx: content hash mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_with_the_registered_mlmodel_hash_works_and_with_another_fails()
    {
        var hash = ModelPackage.HashFile(Path.Combine(breastCancer.PackageFolder, "MLmodel"));
        using var predictor = new OnnxModelRuntime().Load(breastCancer.PackageFolder, hash);

        var error = Assert.Throws<MlopsException>(() => new OnnxModelRuntime().Load(breastCancer.PackageFolder, new string('0', 64)));

        Assert.IsType<OnnxPredictor>(predictor);
        Assert.StartsWith("MLmodel: content hash mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_batches_are_refused_naming_the_column_and_the_next_batch_scores()
    {
        using var pair = Pair.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var good = pair.Batch([0, 1]);
        ScoringBatch With(string name, ScoringColumn? column)
        {
            var columns = good.Columns.ToDictionary();
            if (column is null)
            {
                columns.Remove(name);
            }
            else
            {
                columns[name] = column;
            }

            return new ScoringBatch(2, columns);
        }

        var missing = Assert.Throws<MlopsException>(() => pair.Onnx.Predict(With("mean_radius", null)));
        var text = Assert.Throws<MlopsException>(() => pair.Onnx.Predict(With("mean_area", new TextColumn("mean_area", ["1", "2"]))));
        var short_ = Assert.Throws<MlopsException>(() => pair.Onnx.Predict(With("worst_area", new NumberColumn("worst_area", [1f]))));

        Assert.Equal("The batch has no column 'mean_radius', which the model needs.", missing.Message);
        Assert.Equal("The column 'mean_area' must hold numbers for this model.", text.Message);
        Assert.Equal("The column 'worst_area' has 1 values; the batch of 2 rows needs 2.", short_.Message);
        Assert.All(new[] { missing, text, short_ }, e => Assert.Equal(ErrorKind.InvalidArgument, e.Kind));
        Pair.AssertClose(pair.MlNet.Predict(good), pair.Onnx.Predict(good));
    }

    [Fact]
    public void The_batch_columns_may_come_in_any_order()
    {
        using var pair = Pair.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var batch = pair.Batch([.. Enumerable.Range(100, 30)]);
        var reversed = new ScoringBatch(batch.RowCount, batch.Columns.Reverse().ToDictionary());

        Pair.AssertClose(pair.Onnx.Predict(batch), pair.Onnx.Predict(reversed), tolerance: 0);
    }

    [Fact]
    public void An_empty_batch_gives_empty_columns_and_a_disposed_predictor_refuses_to_score()
    {
        using var pair = Pair.Load(models.IrisFolder, models.IrisCsv);

        var result = pair.Onnx.Predict(pair.Batch([]));
        pair.Onnx.Dispose();

        Assert.Equal(0, result.RowCount);
        Assert.Equal(["PredictedLabel", "Score.setosa", "Score.versicolor", "Score.virginica"], result.Columns.Select(c => c.Name));
        Assert.Throws<ObjectDisposedException>(() => pair.Onnx.Predict(pair.Batch([0])));
    }

    [Fact]
    public void The_slot_names_read_from_the_graph_are_the_class_names_in_score_order()
    {
        var loaded = OnnxModelLoader.Load(models.IrisFolder);
        using var session = loaded.Session;

        Assert.Equal(["setosa", "versicolor", "virginica"], loaded.SlotNames["Score"]);
        Assert.Equal(4, loaded.SlotNames["Features"].Length);
    }

    [Fact]
    public void The_session_keeps_only_the_graph_outputs_the_signature_serves()
    {
        // The converter also exports every input, the label and the features vector, through nodes ONNX Runtime would run on every call.
        var loaded = OnnxModelLoader.Load(breastCancer.PackageFolder);
        using var session = loaded.Session;

        Assert.Equal(["PredictedLabel.output", "Probability.output", "Score.output"], session.OutputMetadata.Keys.Order(StringComparer.Ordinal));
    }

    private string CopyPackage(string source, string name)
    {
        var folder = _temp.Combine(name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    /// <summary>One package served by both runtimes, and the rows of a CSV as batches for it.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly ScoringCsv _csv;

        private Pair(IPredictor mlNet, IPredictor onnx, ScoringCsv csv)
        {
            MlNet = mlNet;
            Onnx = onnx;
            _csv = csv;
        }

        public IPredictor MlNet { get; }

        public IPredictor Onnx { get; }

        public int RowCount => _csv.RowCount;

        public static Pair Load(string folder, string csv)
        {
            var mlNet = new ModelRuntime(ServingFlavor.MlNet).Load(folder, null);
            var onnx = new ModelRuntime(ServingFlavor.Onnx).Load(folder, null);
            Assert.IsType<MlNetPredictor>(mlNet);
            Assert.IsType<OnnxPredictor>(onnx);
            Assert.Equal(mlNet.Signature.Inputs, onnx.Signature.Inputs);
            Assert.Equal(mlNet.Signature.Outputs, onnx.Signature.Outputs);
            return new Pair(mlNet, onnx, ScoringCsv.Read(csv, mlNet.Signature));
        }

        public ScoringBatch Batch(int[] rows) => _csv.Batch(rows);

        /// <summary>Scores the rows with both runtimes, asserts they agree, and returns the ONNX answer.</summary>
        public ScoringResult AssertSameAnswers(int[] rows)
        {
            var onnx = Onnx.Predict(Batch(rows));
            AssertClose(MlNet.Predict(Batch(rows)), onnx);
            return onnx;
        }

        /// <summary>
        /// Same columns in the same order and types; labels equal; numbers within <paramref name="tolerance"/> of the
        /// larger of 1 and their size (ML.NET sums trees in double, ONNX Runtime in float).
        /// </summary>
        public static void AssertClose(ScoringResult expected, ScoringResult actual, double tolerance = 1e-5)
        {
            Assert.Equal(expected.RowCount, actual.RowCount);
            Assert.Equal(expected.Columns.Select(c => (c.Name, c.GetType())), actual.Columns.Select(c => (c.Name, c.GetType())));
            foreach (var (want, got) in expected.Columns.Zip(actual.Columns))
            {
                switch (want, got)
                {
                    case (NumberColumn w, NumberColumn g):
                        for (var row = 0; row < w.Values.Length; row++)
                        {
                            var allowed = tolerance * Math.Max(1, Math.Abs(w.Values[row]));
                            Assert.True(Math.Abs(w.Values[row] - g.Values[row]) <= allowed, $"{w.Name}, row {row}: ML.NET {w.Values[row]:R}, ONNX {g.Values[row]:R}");
                        }

                        break;
                    case (BooleanColumn w, BooleanColumn g):
                        Assert.Equal(w.Values, g.Values);
                        break;
                    case (TextColumn w, TextColumn g):
                        Assert.Equal(w.Values, g.Values);
                        break;
                }
            }
        }

        public void Dispose()
        {
            MlNet.Dispose();
            Onnx.Dispose();
        }
    }

    /// <summary>A CSV's columns read as a signature's inputs: numbers (an empty field is NaN) or text.</summary>
    private sealed class ScoringCsv(IReadOnlyDictionary<string, Array> columns, int rowCount)
    {
        public int RowCount { get; } = rowCount;

        public static ScoringCsv Read(string path, ModelSignature signature)
        {
            var lines = File.ReadLines(path).Where(l => l.Length > 0).ToArray();
            var header = lines[0].Split(',');
            var fields = lines.Skip(1).Select(l => l.Split(',')).ToArray();
            var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
            foreach (var input in signature.Inputs)
            {
                var index = Array.IndexOf(header, input.Name);
                columns[input.Name] = input.Type == ColumnType.String
                    ? fields.Select(f => f[index]).ToArray()
                    : fields.Select(f => f[index].Length == 0 ? float.NaN : float.Parse(f[index], CultureInfo.InvariantCulture)).ToArray();
            }

            return new ScoringCsv(columns, fields.Length);
        }

        public ScoringBatch Batch(int[] rows) => new(rows.Length, columns.ToDictionary(
            c => c.Key,
            c => c.Value switch
            {
                float[] numbers => (ScoringColumn)new NumberColumn(c.Key, [.. rows.Select(r => numbers[r])]),
                string[] texts => new TextColumn(c.Key, [.. rows.Select(r => texts[r])]),
                _ => throw new InvalidOperationException(c.Key),
            }));
    }
}

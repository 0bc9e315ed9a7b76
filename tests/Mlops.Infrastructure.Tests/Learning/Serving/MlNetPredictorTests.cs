using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning;
using Mlops.Infrastructure.Learning.Serving;
using Mlops.Infrastructure.Learning.Training;

namespace Mlops.Infrastructure.Tests.Learning.Serving;

/// <summary>
/// The serving runtime on models trained from the shipped data: every answer is checked against ML.NET's own
/// Transform of the same rows, for single rows, 1,000-row batches, missing numbers, text columns, vector inputs and
/// concurrent callers.
/// </summary>
public sealed class MlNetPredictorTests(LightGbmBreastCancerTraining breastCancer, ServingModels models)
    : IClassFixture<LightGbmBreastCancerTraining>, IClassFixture<ServingModels>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_binary_model_predicts_every_row_of_a_1000_row_batch_as_ml_net_transform_does()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var rows = Enumerable.Range(0, 1000).Select(i => i % model.RowCount).ToArray();

        var result = model.Predictor.Predict(model.Batch(rows));

        Assert.Equal(["PredictedLabel", "Score", "Probability"], result.Columns.Select(c => c.Name));
        Assert.IsType<BooleanColumn>(result.Columns[0]);
        Assert.Equal(1000, result.RowCount);
        model.AssertMatchesTransform(result, rows);
        var labels = ((BooleanColumn)result.Columns[0]).Values;
        Assert.Contains(true, labels);
        Assert.Contains(false, labels);
    }

    [Fact]
    public void A_binary_model_predicts_single_rows_as_ml_net_transform_does()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));

        for (var row = 0; row < 60; row++)
        {
            var result = model.Predictor.Predict(model.Batch([row]));

            Assert.Equal(1, result.RowCount);
            model.AssertMatchesTransform(result, [row]);
        }
    }

    [Fact]
    public void The_batch_columns_may_come_in_any_order()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var rows = Enumerable.Range(100, 30).ToArray();
        var batch = model.Batch(rows);
        var reversed = new ScoringBatch(batch.RowCount, batch.Columns.Reverse().ToDictionary());

        model.AssertMatchesTransform(model.Predictor.Predict(reversed), rows);
    }

    [Fact]
    public void A_model_that_is_not_a_row_to_row_mapper_is_scored_through_transform_with_the_same_answers()
    {
        var model = Served.Load(models.IrisFolder, models.IrisCsv);
        var rows = Enumerable.Range(0, model.RowCount).ToArray();
        using var predictor = new MlNetPredictor(model.Loaded with { Model = new WithoutRowMapping(model.Loaded.Model) });

        AssertSameResult(model.Predictor.Predict(model.Batch(rows)), predictor.Predict(model.Batch(rows)));
        AssertSameResult(model.Predictor.Predict(model.Batch([120])), predictor.Predict(model.Batch([120])));
    }

    [Fact]
    public void A_multiclass_model_returns_class_names_and_one_score_column_per_class()
    {
        var model = Served.Load(models.IrisFolder, models.IrisCsv);
        var rows = Enumerable.Range(0, model.RowCount).ToArray();

        var result = model.Predictor.Predict(model.Batch(rows));

        Assert.Equal(["PredictedLabel", "Score.setosa", "Score.versicolor", "Score.virginica"], result.Columns.Select(c => c.Name));
        model.AssertMatchesTransform(result, rows);
        var labels = Assert.IsType<TextColumn>(result.Columns[0]).Values;
        Assert.Equal(["setosa", "versicolor", "virginica"], labels.Distinct().Order(StringComparer.Ordinal));
        var actual = File.ReadLines(models.IrisCsv).Skip(1).Select(l => l.Split(',')[4]).ToArray();
        Assert.True(labels.Zip(actual).Count(p => p.First == p.Second) > 135, "training-row accuracy");
        for (var row = 0; row < rows.Length; row++)
        {
            Assert.Equal(1, result.Columns.Skip(1).Sum(c => ((NumberColumn)c).Values[row]), 3);
        }
    }

    [Fact]
    public void A_multiclass_model_predicts_single_rows_as_ml_net_transform_does()
    {
        var model = Served.Load(models.IrisFolder, models.IrisCsv);

        foreach (var row in new[] { 0, 49, 50, 99, 100, 149 })
        {
            model.AssertMatchesTransform(model.Predictor.Predict(model.Batch([row])), [row]);
        }
    }

    [Fact]
    public void A_regression_model_predicts_as_ml_net_transform_does()
    {
        var model = Served.Load(models.DiabetesFolder, SampleData.PathOf("diabetes.csv"));
        var rows = Enumerable.Range(0, 1000).Select(i => (i * 7) % model.RowCount).ToArray();

        var result = model.Predictor.Predict(model.Batch(rows));
        var single = model.Predictor.Predict(model.Batch([5]));

        Assert.Equal(["Score"], result.Columns.Select(c => c.Name));
        model.AssertMatchesTransform(result, rows);
        model.AssertMatchesTransform(single, [5]);
    }

    [Fact]
    public void Missing_numbers_are_replaced_by_the_pipeline_as_ml_net_transform_does()
    {
        // "NaN" fields make ML.NET's own loader read missing values, as a JSON null becomes NaN in a scoring batch.
        var source = File.ReadAllLines(SampleData.PathOf("breast_cancer.csv"));
        var path = _temp.Combine("with-missing.csv");
        File.WriteAllLines(path, [source[0], .. source.Skip(1).Take(40).Select((line, i) => BlankFields(line, i))]);
        var model = Served.Load(breastCancer.PackageFolder, path);
        var rows = Enumerable.Range(0, model.RowCount).ToArray();
        var batch = model.Batch(rows);
        Assert.Contains(batch.Columns.Values.OfType<NumberColumn>(), c => c.Values.Any(float.IsNaN));

        var result = model.Predictor.Predict(batch);

        model.AssertMatchesTransform(result, rows);
        Assert.All(((NumberColumn)result.Columns[1]).Values, score => Assert.True(float.IsFinite(score)));
    }

    [Fact]
    public void A_model_with_a_categorical_and_a_text_column_predicts_as_ml_net_transform_does()
    {
        var model = Served.Load(models.MixedFolder, models.MixedCsv);
        var rows = Enumerable.Range(0, model.RowCount).ToArray();

        var result = model.Predictor.Predict(model.Batch(rows));

        Assert.Equal(["PredictedLabel", "Score", "Probability"], result.Columns.Select(c => c.Name));
        model.AssertMatchesTransform(result, rows);
        model.AssertMatchesTransform(model.Predictor.Predict(model.Batch([3])), [3]);
    }

    [Fact]
    public void An_unseen_category_and_a_missing_text_are_scored_like_ml_net_scores_them()
    {
        var path = _temp.Combine("odd.csv");
        File.WriteAllLines(path, ["colour,note,x,label", "purple,great value,1.5,1", "red,,0.5,0", "blue,words never seen,2,1"]);
        var model = Served.Load(models.MixedFolder, path);
        var batch = model.Batch([0, 1, 2]);
        var note = (TextColumn)batch.Columns["note"];
        // The loader reads the empty field as empty text; a null from a caller must score the same.
        var withNull = new ScoringBatch(3, new Dictionary<string, ScoringColumn>(batch.Columns)
        {
            ["note"] = note with { Values = [note.Values[0], null, note.Values[2]] },
        });

        model.AssertMatchesTransform(model.Predictor.Predict(batch), [0, 1, 2]);
        model.AssertMatchesTransform(model.Predictor.Predict(withNull), [0, 1, 2]);
    }

    [Fact]
    public void A_vector_input_is_fed_from_one_number_column_holding_its_values_row_after_row()
    {
        var (folder, rows) = PackageVectorModel();
        var loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(folder);
        Assert.Equal("vector of 30", loaded.Descriptor.Signature!.Inputs.Single().Note);
        var features = rows.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToArray();
        using var predictor = new MlNetModelRuntime().Load(folder, null);
        var flat = new NumberColumn("Features", [.. features.SelectMany(f => f)]);
        var batch = new ScoringBatch(features.Length, new Dictionary<string, ScoringColumn> { ["Features"] = flat });

        var result = predictor.Predict(batch);

        var expected = loaded.Model.Transform(rows);
        Assert.Equal(expected.GetColumn<bool>("PredictedLabel"), ((BooleanColumn)result.Columns[0]).Values);
        Assert.Equal(expected.GetColumn<float>("Score"), ((NumberColumn)result.Columns[1]).Values);
        Assert.Equal(expected.GetColumn<float>("Probability"), ((NumberColumn)result.Columns[2]).Values);
    }

    [Fact]
    public void The_columnar_data_view_gives_ml_net_transform_the_same_rows_as_its_own_loader()
    {
        var model = Served.Load(models.MixedFolder, models.MixedCsv);
        var rows = Enumerable.Range(0, model.RowCount).ToArray();
        var view = new ColumnarDataView(model.Loaded.InputSchema, model.Batch(rows));

        var viaView = model.Loaded.Model.Transform(view);
        var viaLoader = model.Loaded.Model.Transform(model.Rows);

        Assert.Equal(model.RowCount, view.GetRowCount());
        Assert.Equal(viaLoader.GetColumn<float>("Score"), viaView.GetColumn<float>("Score"));
        Assert.Equal(viaLoader.GetColumn<bool>("PredictedLabel"), viaView.GetColumn<bool>("PredictedLabel"));
    }

    [Fact]
    public void Eight_threads_predicting_at_once_get_the_answers_of_sequential_calls()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var requests = Enumerable.Range(0, 8 * 40).Select(i =>
        {
            var start = (i * 37) % model.RowCount;
            var size = i % 5 == 0 ? 100 : 1 + (i % 7);
            return Enumerable.Range(start, size).Select(r => r % model.RowCount).ToArray();
        }).ToArray();
        var batches = requests.Select(model.Batch).ToArray();
        var sequential = batches.Select(model.Predictor.Predict).ToArray();
        var concurrent = new ScoringResult[batches.Length];
        using var start = new Barrier(8);

        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = t; i < batches.Length; i += 8)
            {
                concurrent[i] = model.Predictor.Predict(batches[i]);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (var i = 0; i < batches.Length; i++)
        {
            AssertSameResult(sequential[i], concurrent[i]);
        }
    }

    [Fact]
    public void Loading_with_the_registered_mlmodel_hash_works_and_with_another_fails_before_ml_net_reads_the_model()
    {
        var runtime = new MlNetModelRuntime();
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(breastCancer.PackageFolder, "MLmodel"))));
        using var predictor = runtime.Load(breastCancer.PackageFolder, hash);

        var error = Assert.Throws<MlopsException>(() => runtime.Load(breastCancer.PackageFolder, new string('0', 64)));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.StartsWith("MLmodel: content hash mismatch", error.Message, StringComparison.Ordinal);
        Assert.Equal(30, predictor.Signature.Inputs.Count);
    }

    [Fact]
    public void A_batch_without_a_column_the_model_needs_fails_naming_it_and_the_next_batch_scores()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));
        var batch = model.Batch([0]);
        var columns = batch.Columns.Where(c => c.Key != "mean_radius").ToDictionary();

        var error = Assert.Throws<MlopsException>(() => model.Predictor.Predict(new ScoringBatch(1, columns)));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'mean_radius'", error.Message, StringComparison.Ordinal);
        model.AssertMatchesTransform(model.Predictor.Predict(batch), [0]);
    }

    [Fact]
    public void An_empty_batch_gives_empty_columns_and_a_disposed_predictor_refuses_to_score()
    {
        var model = Served.Load(breastCancer.PackageFolder, SampleData.PathOf("breast_cancer.csv"));

        var result = model.Predictor.Predict(model.Batch([]));
        model.Predictor.Dispose();

        Assert.Equal(0, result.RowCount);
        Assert.Equal(3, result.Columns.Count);
        Assert.Throws<ObjectDisposedException>(() => model.Predictor.Predict(model.Batch([0])));
    }

    private static string BlankFields(string line, int row)
    {
        // Every third row loses two of its 30 features, different ones from row to row.
        var fields = line.Split(',');
        if (row % 3 == 0)
        {
            fields[row % 30] = "NaN";
            fields[(row * 7 + 3) % 30] = "NaN";
        }

        return string.Join(',', fields);
    }

    private (string Folder, IDataView Rows) PackageVectorModel()
    {
        var ml = new MLContext(seed: 3);
        var path = SampleData.PathOf("breast_cancer.csv");
        var features = new TextLoader.Column("Features", DataKind.Single, 0, 29);
        var data = ml.Data.LoadFromTextFile(path, [features, new TextLoader.Column("Label", DataKind.Boolean, 30)], separatorChar: ',', hasHeader: true);
        var inputs = ml.Data.CreateTextLoader([features], separatorChar: ',', hasHeader: true);
        var model = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression())
            .Fit(data);
        var folder = _temp.Combine("vector-model");
        new MlNetModelPackager(TimeProvider.System).Save(ml, model, inputs.GetOutputSchema(), folder, "run-v");
        return (folder, inputs.Load(path));
    }

    private static void AssertSameResult(ScoringResult expected, ScoringResult actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        foreach (var (first, second) in expected.Columns.Zip(actual.Columns))
        {
            Assert.Equal(ValuesOf(first), ValuesOf(second));
        }
    }

    private static object?[] ValuesOf(ScoringColumn column) => column switch
    {
        NumberColumn n => [.. n.Values.Cast<object?>()],
        BooleanColumn b => [.. b.Values.Cast<object?>()],
        TextColumn t => [.. t.Values],
        _ => throw new InvalidOperationException(column.GetType().Name),
    };

    /// <summary>A model that only offers Transform, as a transformer that cannot map single rows does.</summary>
    private sealed class WithoutRowMapping(ITransformer inner) : ITransformer
    {
        public bool IsRowToRowMapper => false;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inner.GetOutputSchema(inputSchema);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => inner.Transform(input);

        public void Save(ModelSaveContext ctx) => throw new NotSupportedException();
    }

    /// <summary>A served model next to ML.NET's reading of a CSV of inputs for it, the reference every answer is checked against.</summary>
    private sealed class Served
    {
        private readonly Dictionary<string, Array> _columns = new(StringComparer.Ordinal);

        private Served(LoadedMlNetModel loaded, IPredictor predictor, IDataView rows)
        {
            Loaded = loaded;
            Predictor = predictor;
            Rows = rows;
            foreach (var column in loaded.InputSchema)
            {
                _columns[column.Name] = column.Type is TextDataViewType
                    ? rows.GetColumn<ReadOnlyMemory<char>>(column.Name).Select(v => v.ToString()).ToArray()
                    : rows.GetColumn<float>(column.Name).ToArray();
            }

            RowCount = _columns.Values.First().Length;
        }

        public LoadedMlNetModel Loaded { get; }

        public IPredictor Predictor { get; }

        public IDataView Rows { get; }

        public int RowCount { get; }

        /// <summary>The package served through <see cref="MlNetModelRuntime"/>, and <paramref name="csv"/>'s input columns as ML.NET's loader reads them.</summary>
        public static Served Load(string folder, string csv)
        {
            var ml = new MLContext(seed: 1);
            var loaded = new MlNetModelLoader(ml).Load(folder);
            var header = File.ReadLines(csv).First().Split(',');
            var columns = loaded.InputSchema
                .Select(c => new TextLoader.Column(c.Name, c.Type is TextDataViewType ? DataKind.String : DataKind.Single, Array.IndexOf(header, c.Name)))
                .ToArray();
            var rows = ml.Data.CreateTextLoader(new TextLoader.Options { Columns = columns, Separators = [','], HasHeader = true, AllowQuoting = true }).Load(csv);
            return new Served(loaded, new MlNetModelRuntime().Load(folder, null), rows);
        }

        public ScoringBatch Batch(int[] rows) => new(rows.Length, _columns.ToDictionary(
            c => c.Key,
            c => c.Value switch
            {
                float[] numbers => (ScoringColumn)new NumberColumn(c.Key, [.. rows.Select(r => numbers[r])]),
                string[] texts => new TextColumn(c.Key, [.. rows.Select(r => texts[r])]),
                _ => throw new InvalidOperationException(c.Key),
            }));

        /// <summary>Every result column equals, value for value, what ML.NET's Transform gives for the same rows.</summary>
        public void AssertMatchesTransform(ScoringResult result, int[] rows)
        {
            var predictions = Loaded.Model.Transform(Rows);
            var expected = new List<(string Name, object?[] Values)>();
            foreach (var output in Loaded.Descriptor.Signature!.Outputs)
            {
                var column = predictions.Schema[output.Name];
                switch (column.Type)
                {
                    case BooleanDataViewType:
                        expected.Add((output.Name, Pick(predictions.GetColumn<bool>(output.Name).Cast<object?>(), rows)));
                        break;
                    case TextDataViewType:
                        expected.Add((output.Name, Pick(predictions.GetColumn<ReadOnlyMemory<char>>(output.Name).Select(v => (object?)v.ToString()), rows)));
                        break;
                    case VectorDataViewType vector:
                        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
                        column.GetSlotNames(ref slotNames);
                        var names = slotNames.DenseValues().Select(n => n.ToString()).ToArray();
                        var vectors = predictions.GetColumn<VBuffer<float>>(output.Name).Select(v => v.DenseValues().ToArray()).ToArray();
                        for (var slot = 0; slot < vector.Size; slot++)
                        {
                            expected.Add((output.Name + "." + names[slot], Pick(vectors.Select(v => (object?)v[slot]), rows)));
                        }

                        break;
                    default:
                        expected.Add((output.Name, Pick(predictions.GetColumn<float>(output.Name).Cast<object?>(), rows)));
                        break;
                }
            }

            Assert.Equal(rows.Length, result.RowCount);
            Assert.Equal(expected.Select(e => e.Name), result.Columns.Select(c => c.Name));
            foreach (var ((name, values), column) in expected.Zip(result.Columns))
            {
                var actual = ValuesOf(column);
                Assert.Equal(values.Length, actual.Length);
                var differs = Enumerable.Range(0, values.Length).FirstOrDefault(i => !Equals(values[i], actual[i]), -1);
                Assert.True(differs < 0, $"{name}, batch row {differs}: ML.NET gives {Describe(values, differs)}, the predictor {Describe(actual, differs)}");
            }
        }

        private static object?[] Pick(IEnumerable<object?> all, int[] rows)
        {
            var values = all.ToArray();
            return [.. rows.Select(r => values[r])];
        }

        private static string Describe(object?[] values, int index) =>
            index < 0 ? "" : Convert.ToString(values[index], CultureInfo.InvariantCulture) ?? "null";
    }
}

/// <summary>
/// The models these tests serve, each trained once with a single held-out split: iris with its classes named,
/// diabetes regression, and a binary model over a categorical, a free-text and a number column.
/// </summary>
public sealed class ServingModels : IDisposable
{
    private readonly TempFolder _temp = new();

    public ServingModels()
    {
        IrisCsv = _temp.Combine("iris-named.csv");
        string[] names = ["setosa", "versicolor", "virginica"];
        File.WriteAllLines(IrisCsv, File.ReadLines(SampleData.PathOf("iris.csv")).Where(l => l.Length > 0).Select((line, i) =>
        {
            var comma = line.LastIndexOf(',');
            return i == 0 ? line : line[..(comma + 1)] + names[int.Parse(line[(comma + 1)..], CultureInfo.InvariantCulture)];
        }));
        MixedCsv = _temp.Combine("mixed.csv");
        WriteMixedCsv(MixedCsv, 300);

        IrisFolder = Train(IrisCsv, MlTask.Multiclass, MlTrainer.LightGbm, []);
        DiabetesFolder = Train(SampleData.PathOf("diabetes.csv"), MlTask.Regression, MlTrainer.FastTree, []);
        MixedFolder = Train(MixedCsv, MlTask.Binary, MlTrainer.FastTree, ["colour"], ["note"]);
    }

    public string IrisCsv { get; }

    public string IrisFolder { get; }

    public string DiabetesFolder { get; }

    public string MixedCsv { get; }

    public string MixedFolder { get; }

    public void Dispose() => _temp.Dispose();

    private string Train(string csv, MlTask task, MlTrainer trainer, string[] categorical, string[]? text = null)
    {
        var folder = _temp.Combine(Path.GetFileNameWithoutExtension(csv) + "-" + task);
        var request = new MlNetTrainingRequest(csv, "label", null, categorical, text ?? [], [], ',', true, null, task, trainer,
            new Dictionary<string, object>(), false, 5, 0.2, 42);
        new MlNetTrainer(TimeProvider.System).Train(request, folder, "run-serving", _ => { }, (_, _) => { }, CancellationToken.None);
        return folder;
    }

    /// <summary>Rows whose label depends on a colour and on the words of a note, plus a noise column; seeded, so the same on every run.</summary>
    private static void WriteMixedCsv(string path, int rows)
    {
        var random = new Random(11);
        string[] colours = ["red", "green", "blue"];
        string[] good = ["excellent service", "very happy", "great value"];
        string[] bad = ["terrible delay", "very unhappy", "broken item"];
        var text = new StringBuilder("colour,note,x,label\n");
        for (var i = 0; i < rows; i++)
        {
            var colour = colours[random.Next(3)];
            var positive = random.NextDouble() < (colour == "red" ? 0.8 : colour == "blue" ? 0.2 : 0.5);
            var note = (positive ? good : bad)[random.Next(3)];
            text.Append(CultureInfo.InvariantCulture, $"{colour},{note},{random.NextDouble():0.###},{(positive ? 1 : 0)}\n");
        }

        File.WriteAllText(path, text.ToString());
    }
}

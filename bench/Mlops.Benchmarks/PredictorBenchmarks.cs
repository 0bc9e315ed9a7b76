using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Application.Ports;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning;
using Mlops.Infrastructure.Learning.Serving;
using Mlops.Infrastructure.Learning.Training;

namespace Mlops.Benchmarks;

/// <summary>
/// Scoring a LightGBM model trained on the shipped breast cancer data (30 number inputs; PredictedLabel, Score and
/// Probability out), 1 row and 100 rows per call. <see cref="Predict"/> is what serving runs (pooled row-to-row
/// mappers); <see cref="TransformAndCursor"/> is the alternative it was measured against: ML.NET's Transform over a
/// <see cref="ColumnarDataView"/> of the batch, read with a cursor.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PredictorBenchmarks
{
    private string _folder = "";
    private IPredictor? _predictor;
    private LoadedMlNetModel? _loaded;
    private ScoringBatch? _batch;

    [Params(1, 100)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mlops-predictor-bench-").FullName;
        var data = Path.Combine(RepositoryRoot(), "samples", "data", "breast_cancer.csv");
        var request = new MlNetTrainingRequest(data, "label", null, [], [], [], ',', true, null, MlTask.Binary, MlTrainer.LightGbm,
            new Dictionary<string, object>(), false, 5, 0.2, 42);
        var package = Path.Combine(_folder, "package");
        new MlNetTrainer(TimeProvider.System).Train(request, package, "bench", _ => { }, (_, _) => { }, CancellationToken.None);
        _predictor = new MlNetModelRuntime().Load(package, null);
        _loaded = new MlNetModelLoader(new MLContext(seed: 1)).Load(package);

        var lines = File.ReadLines(data).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Take(Rows).Select(l => l.Split(',')).ToArray();
        var columns = new Dictionary<string, ScoringColumn>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length - 1; i++)
        {
            columns[header[i]] = new NumberColumn(header[i], [.. rows.Select(r => float.Parse(r[i], CultureInfo.InvariantCulture))]);
        }

        _batch = new ScoringBatch(rows.Length, columns);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _predictor?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public ScoringResult Predict() => _predictor!.Predict(_batch!);

    [Benchmark]
    public float[] TransformAndCursor()
    {
        var scored = _loaded!.Model.Transform(new ColumnarDataView(_loaded.InputSchema, _batch!));
        var label = scored.Schema["PredictedLabel"];
        var score = scored.Schema["Score"];
        var probability = scored.Schema["Probability"];
        using var cursor = scored.GetRowCursor([label, score, probability]);
        var labelGetter = cursor.GetGetter<bool>(label);
        var scoreGetter = cursor.GetGetter<float>(score);
        var probabilityGetter = cursor.GetGetter<float>(probability);
        var labels = new bool[_batch!.RowCount];
        var scores = new float[_batch.RowCount];
        var probabilities = new float[_batch.RowCount];
        for (var row = 0; cursor.MoveNext(); row++)
        {
            labelGetter(ref labels[row]);
            scoreGetter(ref scores[row]);
            probabilityGetter(ref probabilities[row]);
        }

        return probabilities;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }
}

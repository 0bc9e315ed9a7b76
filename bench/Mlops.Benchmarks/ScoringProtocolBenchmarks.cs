using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Mlops.Application.Serving;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Benchmarks;

/// <summary>
/// The serving hot path around the model: reading a request for a 30-feature model (the breast-cancer sample's shape)
/// in MLflow's scoring protocol, and writing a binary classifier's answer (PredictedLabel, Score, Probability).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ScoringProtocolBenchmarks
{
    private const int Features = 30;
    private ScoringSchema _schema = null!;
    private byte[] _splitOneRow = [];
    private byte[] _recordsOneRow = [];
    private byte[] _splitThousandRows = [];
    private ScoringResult _oneRowResult = null!;
    private readonly ArrayBufferWriter<byte> _output = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        var names = Enumerable.Range(0, Features).Select(i => $"feature_{i}").ToArray();
        _schema = ScoringSchema.From(new ModelSignature([.. names.Select(n => new ColumnSpec(n, ColumnType.Float))], []));
        var random = new Random(42);
        string Row() => string.Join(", ", names.Select(_ => Math.Round(random.NextDouble() * 1000, 4).ToString(CultureInfo.InvariantCulture)));
        var columns = string.Join(", ", names.Select(n => $"\"{n}\""));

        _splitOneRow = Encoding.UTF8.GetBytes($$$"""{"dataframe_split": {"columns": [{{{columns}}}], "data": [[{{{Row()}}}]]}}""");
        _splitThousandRows = Encoding.UTF8.GetBytes(
            $$$"""{"dataframe_split": {"columns": [{{{columns}}}], "data": [{{{string.Join(", ", Enumerable.Range(0, 1000).Select(_ => $"[{Row()}]"))}}}]}}""");
        var record = string.Join(", ", names.Select(n => $"\"{n}\": {Math.Round(random.NextDouble() * 1000, 4).ToString(CultureInfo.InvariantCulture)}"));
        _recordsOneRow = Encoding.UTF8.GetBytes($$"""{"dataframe_records": [{{{record}}}]}""");
        _oneRowResult = new ScoringResult(1,
        [
            new BooleanColumn("PredictedLabel", [true]),
            new NumberColumn("Score", [3.2194216f]),
            new NumberColumn("Probability", [0.96153843f]),
        ]);
    }

    /// <summary>The floor: the same bytes through Utf8JsonReader alone, nothing converted or kept.</summary>
    [Benchmark]
    public int TokenizeSplitOneRow()
    {
        var reader = new Utf8JsonReader(_splitOneRow);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark]
    public ScoringBatch ParseSplitOneRow() => ScoringRequestParser.Parse(_splitOneRow, "application/json", _schema);

    [Benchmark]
    public ScoringBatch ParseRecordsOneRow() => ScoringRequestParser.Parse(_recordsOneRow, "application/json", _schema);

    /// <summary>Mean time per row of a 1,000-row request.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public ScoringBatch ParseSplitThousandRows() => ScoringRequestParser.Parse(_splitThousandRows, "application/json", _schema);

    [Benchmark]
    public int WriteOneRowThreeColumns()
    {
        _output.ResetWrittenCount();
        ScoringResponseWriter.Write(_output, _oneRowResult);
        return _output.WrittenCount;
    }
}

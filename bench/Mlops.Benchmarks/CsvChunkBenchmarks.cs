using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning.Serving;

namespace Mlops.Benchmarks;

/// <summary>
/// Where <c>mlops predict --input big.csv</c> spends its time, stage by stage, on one chunk of 4,096 breast cancer rows
/// (the chunk size PredictCommand uses): reading the lines, parsing them into a batch, scoring with each runtime, and
/// writing the scored rows. Each stage repeats what PredictCommand does for a chunk (same calls, same formatting), so
/// the sum per row approximates the command's cost per row without the process start-up and model load.
/// </summary>
[MemoryDiagnoser]
[ShortRunInProcess]
[MinColumn]
[MedianColumn]
public class CsvChunkBenchmarks
{
    private const int ChunkRows = 4096;

    private byte[] _file = [];
    private string _header = "";
    private List<string> _rows = [];
    private ScoringSchema? _schema;
    private ScoringBatch? _batch;
    private ScoringResult? _result;
    private IPredictor? _mlNet;
    private IPredictor? _onnx;

    [GlobalSetup]
    public void Setup()
    {
        var folder = BreastCancerPackage.Folder();
        _mlNet = new ModelRuntime(ServingFlavor.MlNet).Load(folder, null);
        _onnx = new ModelRuntime(ServingFlavor.Onnx).Load(folder, null);
        _schema = ScoringSchema.From(_mlNet.Signature);
        var lines = File.ReadLines(BreastCancerPackage.DataPath).Where(l => l.Length > 0).ToArray();
        _header = lines[0];
        _rows = [.. Enumerable.Range(0, ChunkRows).Select(i => lines[1 + (i % (lines.Length - 1))])];
        _file = Encoding.UTF8.GetBytes(string.Join('\n', _rows) + "\n");
        _batch = Parse();
        _result = _mlNet.Predict(_batch);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mlNet?.Dispose();
        _onnx?.Dispose();
    }

    /// <summary>PredictCommand reads line by line with ReadLineAsync.</summary>
    [Benchmark]
    public async Task<int> ReadLines()
    {
        using var reader = new StreamReader(new MemoryStream(_file), Encoding.UTF8);
        var chunk = new List<string>(ChunkRows);
        while (await reader.ReadLineAsync() is { } line)
        {
            chunk.Add(line);
        }

        return chunk.Count;
    }

    /// <summary>PredictCommand joins the chunk's lines under the header and parses them as a text/csv request body.</summary>
    [Benchmark]
    public ScoringBatch Parse()
    {
        var body = Encoding.UTF8.GetBytes(_header + "\n" + string.Join('\n', _rows) + "\n");
        return ScoringRequestParser.Parse(body, "text/csv", _schema!, _rows.Count);
    }

    [Benchmark]
    public ScoringResult PredictMlNet() => _mlNet!.Predict(_batch!);

    [Benchmark]
    public ScoringResult PredictOnnx() => _onnx!.Predict(_batch!);

    /// <summary>PredictCommand writes each input line with the outputs appended, one WriteLineAsync per row.</summary>
    [Benchmark]
    public async Task Write()
    {
        await using var writer = new StreamWriter(Stream.Null, new UTF8Encoding(false));
        var line = new StringBuilder();
        for (var row = 0; row < _rows.Count; row++)
        {
            line.Clear().Append(_rows[row]);
            foreach (var column in _result!.Columns)
            {
                line.Append(',').Append(column switch
                {
                    NumberColumn n => float.IsNaN(n.Values[row]) ? "" : n.Values[row].ToString("R", CultureInfo.InvariantCulture),
                    BooleanColumn b => b.Values[row] ? "true" : "false",
                    _ => "",
                });
            }

            await writer.WriteLineAsync(line);
        }
    }
}

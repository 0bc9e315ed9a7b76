using BenchmarkDotNet.Attributes;
using Mlops.Application.Ports;
using Mlops.Domain.Serving;
using Mlops.Infrastructure.Learning.Serving;

namespace Mlops.Benchmarks;

/// <summary>
/// Model time per call of the two serving runtimes on the same package (LightGBM breast cancer, 30 inputs, 3 outputs)
/// at batch sizes 1, 8, 64 and 1024. Divide by <see cref="Rows"/> for the cost per row: if a batch of 64 costs much
/// less per row than 64 single calls, adaptive micro-batching of concurrent single-row requests would raise throughput.
/// </summary>
// Min and median next to the mean: the machine is shared, and the least disturbed runs say most about the model.
[MemoryDiagnoser]
[ShortRunInProcess]
[MinColumn]
[MedianColumn]
public class RuntimeBatchSizeBenchmarks
{
    private IPredictor? _predictor;
    private ScoringBatch? _batch;

    [Params(ServingFlavor.MlNet, ServingFlavor.Onnx)]
    public ServingFlavor Runtime { get; set; }

    [Params(1, 8, 64, 1024)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _predictor = new ModelRuntime(Runtime).Load(BreastCancerPackage.Folder(), null);
        _batch = BreastCancerPackage.Batch(Rows);
    }

    [GlobalCleanup]
    public void Cleanup() => _predictor?.Dispose();

    [Benchmark]
    public ScoringResult Predict() => _predictor!.Predict(_batch!);
}

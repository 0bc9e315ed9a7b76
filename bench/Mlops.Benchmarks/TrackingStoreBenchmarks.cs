using BenchmarkDotNet.Attributes;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Benchmarks;

/// <summary>The store's hot paths on a real SQLite file: batch append, filtered search, metric history.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TrackingStoreBenchmarks
{
    private const int SearchRuns = 2000;
    private string _folder = "";
    private SqliteDatabase _database = null!;
    private SqliteTrackingStore _store = null!;
    private string _appendRunId = "";
    private string _historyRunId = "";
    private string _experimentId = "";
    private long _step;
    private RunQuery _filteredQuery = null!;
    private RunQuery _orderedQuery = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("mlops-bench-").FullName;
        _database = new SqliteDatabase(Path.Combine(_folder, "bench.db"));
        _store = new SqliteTrackingStore(_database);
        _experimentId = await _store.CreateExperimentAsync("bench", null, [], 1, CancellationToken.None);
        _appendRunId = await NewRunAsync("append");
        _historyRunId = await NewRunAsync("history");
        for (var offset = 0; offset < 50_000; offset += 1000)
        {
            var points = Enumerable.Range(offset, 1000).Select(i => new Metric("loss", 1.0 / (i + 1), i, i)).ToList();
            await _store.LogBatchAsync(new LogBatch(_historyRunId, points, [], []), CancellationToken.None);
        }

        var random = new Random(42);
        string[] rates = ["0.01", "0.001", "0.1"];
        for (var i = 0; i < SearchRuns; i++)
        {
            var runId = await NewRunAsync("r" + i);
            var parameters = new List<Param> { new("lr", rates[i % 3]) };
            parameters.AddRange(Enumerable.Range(1, 9).Select(j => new Param("p" + j, random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            var metrics = new List<Metric> { new("acc", random.NextDouble(), 1, 0) };
            metrics.AddRange(Enumerable.Range(1, 9).Select(j => new Metric("m" + j, random.NextDouble(), 1, 0)));
            await _store.LogBatchAsync(new LogBatch(runId, metrics, parameters, []), CancellationToken.None);
        }

        _filteredQuery = new RunQuery([_experimentId], SearchFilterParser.Parse("metrics.acc > 0.5 and params.lr = '0.01'", SearchTarget.Runs), [], ViewType.ActiveOnly, 1000, 0);
        _orderedQuery = new RunQuery([_experimentId], null, OrderByParser.Parse(["metrics.acc DESC"], SearchTarget.Runs), ViewType.ActiveOnly, 100, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>1000 metric points (10 keys) appended in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public Task LogBatch1000Metrics()
    {
        var start = _step;
        _step += 1000;
        var points = new List<Metric>(1000);
        for (var i = 0; i < 1000; i++)
        {
            points.Add(new Metric("m" + (i % 10), i * 0.001, start + i, start + i));
        }

        return _store.LogBatchAsync(new LogBatch(_appendRunId, points, [], []), CancellationToken.None);
    }

    [Benchmark]
    public Task<StorePage<Run>> SearchFilteredOf2000Runs() => _store.SearchRunsAsync(_filteredQuery, CancellationToken.None);

    [Benchmark]
    public Task<StorePage<Run>> SearchTop100ByMetricOf2000Runs() => _store.SearchRunsAsync(_orderedQuery, CancellationToken.None);

    [Benchmark]
    public Task<StorePage<Metric>> MetricHistoryOf50000Points() => _store.GetMetricHistoryAsync(_historyRunId, "loss", 0, 100_000, CancellationToken.None);

    private async Task<string> NewRunAsync(string name)
    {
        var id = Guid.NewGuid().ToString("N");
        var info = new RunInfo(id, _experimentId, name, "bench", RunStatus.Running, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null,
            ArtifactUri.ForRun("mlflow-artifacts:/" + _experimentId, id), LifecycleStage.Active);
        await _store.CreateRunAsync(info, [], CancellationToken.None);
        return id;
    }
}

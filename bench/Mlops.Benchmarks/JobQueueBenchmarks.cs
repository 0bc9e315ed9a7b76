using BenchmarkDotNet.Attributes;
using Mlops.Domain.Jobs;
using Mlops.Infrastructure.Jobs;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Benchmarks;

/// <summary>
/// Queue throughput: empty jobs claimed and completed, by 1 and by 4 concurrent workers, on a real SQLite file.
/// Each worker uses its own SqliteDatabase (its own write gate), as separate worker processes would.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class JobQueueBenchmarks
{
    private const int JobsPerInvoke = 400;
    private string _folder = "";
    private SqliteDatabase[] _databases = [];
    private SqliteJobQueue[] _queues = [];

    [Params(1, 4)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("mlops-queue-bench-").FullName;
        var path = Path.Combine(_folder, "queue.db");
        _databases = Enumerable.Range(0, Workers).Select(_ => new SqliteDatabase(path)).ToArray();
        _queues = _databases.Select(d => new SqliteJobQueue(d)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [IterationSetup]
    public void Enqueue()
    {
        for (var i = 0; i < JobsPerInvoke; i++)
        {
            _queues[0].EnqueueAsync(new NewJob("noop", "{}"), 1, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    /// <summary>Mean time per job (claim + complete); jobs per second = 1 / mean.</summary>
    [Benchmark(OperationsPerInvoke = JobsPerInvoke)]
    public Task ClaimAndComplete() =>
        Task.WhenAll(_queues.Select((queue, worker) => Task.Run(async () =>
        {
            var id = "bench-" + worker;
            while (await queue.ClaimAsync(["default"], id, TimeSpan.FromMinutes(1), 2, CancellationToken.None) is { } job)
            {
                await queue.CompleteAsync(job.Id, id, null, 3, CancellationToken.None);
            }
        })));
}

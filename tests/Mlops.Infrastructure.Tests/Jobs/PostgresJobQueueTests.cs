using Mlops.Application.Ports;
using Mlops.Domain.Jobs;
using Mlops.Infrastructure.Jobs;
using Mlops.Infrastructure.Persistence.Postgres;
using Mlops.Infrastructure.Tests.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Jobs;

/// <summary>
/// The job queue contract on a fresh PostgreSQL database. A second <see cref="PostgresDatabase"/> has its own
/// connection pool, so it competes for rows like a worker on another machine does.
/// </summary>
[RequiresPostgres]
public sealed class PostgresJobQueueTests(PostgresTestDatabase database) : JobQueueContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private readonly List<PostgresDatabase> _handles = [];

    protected override IJobQueue CreateQueue() => new PostgresJobQueue(Open());

    protected override IJobQueue CreateQueueOnSameDatabase()
    {
        _ = Queue;
        return new PostgresJobQueue(Open());
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
    }

    [Fact]
    public async Task Claims_each_job_exactly_once_with_16_workers_on_separate_pools()
    {
        var jobs = new List<Job>();
        for (var i = 0; i < 200; i++)
        {
            jobs.Add(await EnqueueAsync());
        }

        var queues = Enumerable.Range(0, 16).Select(_ => CreateQueueOnSameDatabase()).ToArray();
        var claimed = await Task.WhenAll(queues.Select((queue, w) => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (await queue.ClaimAsync([QueueName], $"w{w}", Lease, T0, Ct) is { } job)
            {
                mine.Add(job.Id);
                Assert.True(await queue.CompleteAsync(job.Id, $"w{w}", null, T0, Ct));
            }

            return mine;
        })));

        var all = claimed.SelectMany(c => c).ToList();
        Assert.Equal(jobs.Select(j => j.Id).Order(), all.Order());
    }

    [Fact]
    public async Task Stores_statuses_as_lowercase_words()
    {
        var job = await EnqueueAsync();
        await Queue.CancelAsync(job.Id, T0, Ct);

        Assert.Equal("cancelled", database.Scalar($"SELECT status FROM jobs WHERE job_id = {job.Id}"));
    }

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }
}

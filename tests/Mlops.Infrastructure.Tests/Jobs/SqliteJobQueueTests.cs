using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Infrastructure.Jobs;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Jobs;

/// <summary>
/// The job queue contract on a fresh SQLite file. A second <see cref="SqliteDatabase"/> on the same file has
/// its own connection pool and write gate, so it competes for the file like another process does.
/// </summary>
public sealed class SqliteJobQueueTests : JobQueueContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _folder.Combine("mlops.db");

    protected override IJobQueue CreateQueue() => new SqliteJobQueue(OpenDatabase());

    protected override IJobQueue CreateQueueOnSameDatabase()
    {
        _ = Queue;
        return new SqliteJobQueue(OpenDatabase());
    }

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Keeps_jobs_and_their_logs_when_the_file_is_opened_again()
    {
        var job = await EnqueueAsync();
        await Queue.ClaimAsync([QueueName], "w1", Lease, T0, Ct);
        await Queue.AppendLogAsync(job.Id, ["before the restart"], T0, Ct);

        var reopened = new SqliteJobQueue(OpenDatabase());
        await reopened.AppendLogAsync(job.Id, ["after the restart"], T0 + 1, Ct);

        Assert.Equal(await Queue.GetAsync(job.Id, Ct), await reopened.GetAsync(job.Id, Ct));
        Assert.Equal(["before the restart", "after the restart"], (await reopened.GetLogAsync(job.Id, 0, 10, Ct)).Select(l => l.Text));
        Assert.True(await reopened.CompleteAsync(job.Id, "w1", null, T0 + 2, Ct));
    }

    [Fact]
    public async Task Stores_statuses_as_lowercase_words()
    {
        var job = await EnqueueAsync();
        await Queue.CancelAsync(job.Id, T0, Ct);

        Assert.Equal("cancelled", Scalar($"SELECT status FROM jobs WHERE job_id = {job.Id}"));
    }

    private SqliteDatabase OpenDatabase()
    {
        var database = new SqliteDatabase(DatabasePath);
        _databases.Add(database);
        return database;
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

using Mlops.Application.Ports;
using Mlops.Domain.Optimization;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>
/// The study store contract on a fresh PostgreSQL database. A second <see cref="PostgresDatabase"/> has its own
/// connection pool, so it competes for rows like a server on another machine does.
/// </summary>
[RequiresPostgres]
public sealed class PostgresStudyStoreTests(PostgresTestDatabase database) : StudyStoreContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private readonly List<PostgresDatabase> _handles = [];

    protected override IStudyStore CreateStore() => new PostgresStudyStore(Open());

    protected override IStudyStore CreateStoreOnSameDatabase()
    {
        _ = Store;
        return new PostgresStudyStore(Open());
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
    }

    [Fact]
    public async Task Stores_statuses_and_states_as_lowercase_words()
    {
        var study = await CreateAsync("words");
        await AddAsync(study.Id);
        await AddAsync(study.Id);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Pruned, null, null, T0, Ct);
        await Store.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Completed, Ct);

        Assert.Equal("completed", database.Scalar($"SELECT status FROM studies WHERE study_id = {study.Id}"));
        Assert.Equal("pruned", database.Scalar($"SELECT state FROM trials WHERE study_id = {study.Id} AND number = 0"));
        Assert.Equal("running", database.Scalar($"SELECT state FROM trials WHERE study_id = {study.Id} AND number = 1"));
    }

    [Fact]
    public async Task Cuts_a_very_long_error_message_short()
    {
        var study = await CreateAsync("long-error");
        await AddAsync(study.Id);
        var error = new string('e', 4_000) + new string('x', 10_000);

        await Store.FinishTrialAsync(study.Id, 0, TrialState.Failed, null, error, T0, Ct);

        var stored = (await Store.GetTrialAsync(study.Id, 0, Ct))!.Error!;
        Assert.StartsWith(new string('e', 4_000), stored, StringComparison.Ordinal);
        Assert.True(stored.Length < error.Length, $"{stored.Length} characters kept of {error.Length}");
    }

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }
}

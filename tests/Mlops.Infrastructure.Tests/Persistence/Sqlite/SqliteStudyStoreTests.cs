using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

/// <summary>
/// The study store contract on a fresh SQLite file, plus what only SQLite can show. A second
/// <see cref="SqliteDatabase"/> on the same file has its own connection pool and write gate, so it competes for
/// the file like another process does.
/// </summary>
public sealed class SqliteStudyStoreTests : StudyStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _folder.Combine("mlops.db");

    protected override IStudyStore CreateStore() => new SqliteStudyStore(OpenDatabase());

    protected override IStudyStore CreateStoreOnSameDatabase()
    {
        _ = Store;
        return new SqliteStudyStore(OpenDatabase());
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
    public async Task Keeps_studies_and_trials_when_the_file_is_opened_again()
    {
        var space = new SearchSpace([
            new CategoricalDistribution("booster", ["gbdt", "dart"]),
            new FloatDistribution("learning_rate", 1e-4, 0.5, Log: true),
            new IntDistribution("leaves", 2, 64, Step: 2),
            new FloatDistribution("drop_rate", 0.1, 0.9) { Condition = new ParameterCondition("booster", ["dart"]) },
        ]);
        var study = await Store.CreateStudyAsync(
            new NewStudy(Name("persisted"), [StudyDirection.Maximize, StudyDirection.Minimize], space, new SamplerSpec("tpe", 3), new PrunerSpec("median", new Dictionary<string, double> { ["n_warmup_steps"] = 2 }),
                Objective: "{}", ExperimentId: "5", ParentRunId: "abc"), T0, Ct);
        await AddAsync(study.Id, x: 0.125);
        await AddAsync(study.Id, x: 0.25, now: T0 + 1);
        await Store.ReportAsync(study.Id, 0, 0, double.NaN, Ct);
        await Store.ReportAsync(study.Id, 0, 1, 0.5, Ct);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [0.9, 12.5], null, T0 + 10, Ct);
        await Store.SetTrialLinksAsync(study.Id, 1, "run-1", 99, Ct);
        await Store.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Stopped, Ct);
        var before = await Store.ListTrialsAsync(study.Id, Ct);

        var reopened = new SqliteStudyStore(OpenDatabase());

        var read = (await reopened.GetStudyAsync(study.Name, Ct))!;
        Assert.Equal(study.Id, read.Id);
        Assert.Equal(Shape(space), Shape(read.Space));
        Assert.Equal([StudyDirection.Maximize, StudyDirection.Minimize], read.Directions);
        Assert.Equal(new SamplerSpec("tpe", 3), read.Sampler);
        Assert.Equal(new Dictionary<string, double> { ["n_warmup_steps"] = 2 }, read.Pruner.Options);
        Assert.Equal(StudyStatus.Stopped, read.Status);
        Assert.Equal(("{}", "5", "abc"), (read.Objective, read.ExperimentId, read.ParentRunId));
        var after = await reopened.ListTrialsAsync(study.Id, Ct);
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            AssertSameTrial(before[i], after[i]);
        }

        Assert.True(double.IsNaN(after[0].Intermediate[0]));
        Assert.Equal(2, (await reopened.AddTrialAsync(study.Id, TrialLimits.None, _ => new Dictionary<string, double> { ["x"] = 1 }, T0 + 20, Ct))!.Number);
        Assert.True(await reopened.FinishTrialAsync(study.Id, 1, TrialState.Pruned, null, null, T0 + 21, Ct));
    }

    [Fact]
    public async Task Stores_statuses_and_states_as_lowercase_words()
    {
        var study = await CreateAsync("words");
        await AddAsync(study.Id);
        await AddAsync(study.Id);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Pruned, null, null, T0, Ct);
        await Store.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Completed, Ct);

        Assert.Equal("completed", Scalar($"SELECT status FROM studies WHERE study_id = {study.Id}"));
        Assert.Equal("pruned", Scalar($"SELECT state FROM trials WHERE study_id = {study.Id} AND number = 0"));
        Assert.Equal("running", Scalar($"SELECT state FROM trials WHERE study_id = {study.Id} AND number = 1"));
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

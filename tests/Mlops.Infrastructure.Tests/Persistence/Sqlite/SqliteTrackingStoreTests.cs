using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

/// <summary>The tracking store contract on a fresh SQLite file, plus what only SQLite can show.</summary>
public sealed class SqliteTrackingStoreTests : TrackingStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _folder.Combine("mlops.db");

    protected override ITrackingStore CreateStore() => new SqliteTrackingStore(OpenDatabase());

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Keeps_data_when_the_file_is_opened_again()
    {
        var experimentId = await NewExperimentAsync();
        var info = await NewRunAsync(experimentId, "persisted");
        await Store.LogBatchAsync(new LogBatch(info.RunId, [new("m", double.NaN, T0, 0)], [new("p", "1")], [new("t", "1")]), Ct);

        var reopened = new SqliteTrackingStore(OpenDatabase());

        var run = await reopened.GetRunAsync(info.RunId, Ct);
        Assert.Equal(info, run!.Info);
        Assert.True(double.IsNaN(Assert.Single(run.LatestMetrics).Value));
        Assert.Equal([new Param("p", "1")], run.Params);
    }

    [Fact]
    public async Task Stores_one_dataset_row_for_repeated_inputs()
    {
        var experimentId = await NewExperimentAsync();
        var first = await NewRunAsync(experimentId);
        var second = await NewRunAsync(experimentId);

        await Store.LogInputsAsync(first.RunId, [Input("mnist", "d1", "train")], Ct);
        await Store.LogInputsAsync(first.RunId, [Input("mnist", "d1", "train")], Ct);
        await Store.LogInputsAsync(second.RunId, [Input("mnist", "d1", "eval")], Ct);

        Assert.Equal(1L, Count("SELECT COUNT(*) FROM datasets WHERE name = 'mnist'"));
        Assert.Equal(2L, Count("SELECT COUNT(*) FROM inputs"));
        Assert.Equal(2L, Count("SELECT COUNT(*) FROM input_tags"));
    }

    [Fact]
    public async Task Stores_identical_metric_points_as_one_row()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var point = new Metric("m", 1, T0, 0);

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point, point), Ct);
        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point), Ct);

        Assert.Equal(1L, Count("SELECT COUNT(*) FROM metrics"));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM latest_metrics"));
    }

    [Fact]
    public async Task Binds_filter_values_as_parameters()
    {
        var experimentId = await NewExperimentAsync();
        await NewRunAsync(experimentId, "r", tags: [new("t", "x' OR '1'='1")]);

        var page = await Store.SearchRunsAsync(Query([experimentId], "tags.t = 'nothing'' OR ''1''=''1'"), Ct);
        var exact = await Store.SearchRunsAsync(Query([experimentId], "tags.t = 'x'' OR ''1''=''1'"), Ct);

        Assert.Empty(page.Items);
        Assert.Single(exact.Items);
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM runs"));
    }

    private SqliteDatabase OpenDatabase()
    {
        var database = new SqliteDatabase(DatabasePath);
        _databases.Add(database);
        return database;
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}

using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Registry;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

/// <summary>The registry store contract on a fresh SQLite file, plus what only SQLite can show.</summary>
public sealed class SqliteModelRegistryStoreTests : RegistryStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _folder.Combine("mlops.db");

    protected override IModelRegistryStore CreateStore() => new SqliteModelRegistryStore(OpenDatabase());

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Keeps_registry_data_when_the_file_is_opened_again()
    {
        var name = Name("persisted");
        await Store.CreateModelAsync(name, "d", [new("k", "v")], T0, Ct);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);
        await Store.TransitionStageAsync(name, 1, ModelStage.Staging, false, T0, Ct);

        var reopened = new SqliteModelRegistryStore(OpenDatabase());

        var model = (await reopened.GetModelAsync(name, Ct))!;
        Assert.Equal("d", model.Description);
        Assert.Equal([new ModelAlias("champion", 1)], model.Aliases);
        Assert.Equal(ModelStage.Staging, (await reopened.GetVersionByAliasAsync(name, "champion", Ct))!.CurrentStage);
        Assert.Equal(2, (await NewVersionAsync(name)).Version);
    }

    [Fact]
    public async Task Removes_every_row_of_a_deleted_model_but_keeps_its_audit_entry()
    {
        var name = Name("gone");
        await Store.CreateModelAsync(name, "", [new("k", "v")], T0, Ct);
        await NewVersionAsync(name, tags: [new("vk", "vv")]);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 2, T0, Ct);

        await Store.DeleteModelAsync(name, T0, "", Ct);

        Assert.Equal(0L, Count("SELECT COUNT(*) FROM registered_models"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM registered_model_tags"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM model_versions"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM model_version_tags"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM registered_model_aliases"));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM registry_audit"));
    }

    [Fact]
    public async Task Numbers_versions_distinctly_when_two_database_handles_share_the_file()
    {
        var name = Name("shared");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        IModelRegistryStore[] stores = [Store, new SqliteModelRegistryStore(OpenDatabase())];

        var versions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            stores[i % 2].CreateVersionAsync(name, $"mlflow-artifacts:/shared/{i}", null, null, "", "", [], T0, Ct))));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), versions.Select(v => v.Version).Order());
        Assert.Equal(20L, Count("SELECT COUNT(DISTINCT version) FROM model_versions"));
    }

    [Fact]
    public async Task Binds_registry_filter_values_as_parameters()
    {
        var name = Name("x' OR '1'='1");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await Store.CreateModelAsync(Name("other"), "", [], T0, Ct);

        var injected = await Store.SearchModelsAsync(ModelQuery($"name = '{Name("nothing")}'' OR ''1''=''1'"), Ct);
        var exact = await Store.SearchModelsAsync(ModelQuery($"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'"), Ct);

        Assert.Empty(injected.Items);
        Assert.Equal(name, Assert.Single(exact.Items).Name);
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

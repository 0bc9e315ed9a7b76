using Mlops.Application.Ports;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>The registry store contract on a fresh PostgreSQL database, plus what only this backend can show.</summary>
[RequiresPostgres]
public sealed class PostgresModelRegistryStoreTests(PostgresTestDatabase database) : RegistryStoreContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private readonly List<PostgresDatabase> _handles = [];

    protected override IModelRegistryStore CreateStore() => new PostgresModelRegistryStore(Open());

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
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

        Assert.Equal(0L, Count($"SELECT COUNT(*) FROM registered_models WHERE name = '{name}'"));
        Assert.Equal(0L, Count($"SELECT COUNT(*) FROM model_versions v WHERE NOT EXISTS (SELECT 1 FROM registered_models m WHERE m.model_pk = v.model_pk)"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM model_version_tags t WHERE NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.mv_pk = t.mv_pk)"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM registered_model_aliases a WHERE NOT EXISTS (SELECT 1 FROM registered_models m WHERE m.model_pk = a.model_pk)"));
        Assert.Equal(1L, Count($"SELECT COUNT(*) FROM registry_audit WHERE name = '{name}'"));
    }

    [Fact]
    public async Task Numbers_versions_distinctly_when_many_handles_register_at_once()
    {
        var name = Name("shared");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresModelRegistryStore(Open())).ToArray();

        var versions = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
            stores[i % stores.Length].CreateVersionAsync(name, $"mlflow-artifacts:/shared/{i}", null, null, "", "", [], T0, Ct))));

        Assert.Equal(Enumerable.Range(1, 32).Select(i => (long)i), versions.Select(v => v.Version).Order());
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

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }

    private long Count(string sql) => (long)database.Scalar(sql)!;
}

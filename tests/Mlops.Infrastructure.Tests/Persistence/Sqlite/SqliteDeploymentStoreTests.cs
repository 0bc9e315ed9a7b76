using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Deployments;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

/// <summary>
/// The deployment store contract on a fresh SQLite file, plus what only SQLite can show. A second
/// <see cref="SqliteDatabase"/> on the same file has its own connection pool and write gate, so it competes for
/// the file like another process does.
/// </summary>
public sealed class SqliteDeploymentStoreTests : DeploymentStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _folder.Combine("mlops.db");

    protected override IDeploymentStore CreateStore() => new SqliteDeploymentStore(OpenDatabase());

    protected override IDeploymentStore CreateStoreOnSameDatabase()
    {
        _ = Store;
        return new SqliteDeploymentStore(OpenDatabase());
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
    public async Task Keeps_endpoints_revisions_and_history_when_the_file_is_opened_again()
    {
        var name = (await CreateAsync("persisted")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Deploy(e, "models:/churn/1", Note(1, "first"), new ResolvedModel("churn", 1), replicas: 4), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(e, 1, Note(2)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Canary(e, "models:/churn/2", 25, Note(3), new ResolvedModel("churn", 2)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkFailed(e, 2, "OOMKilled", Note(4)), Ct);
        var gone = (await CreateAsync("gone")).Name;
        await Store.UpdateEndpointAsync(gone, e => EndpointRules.Undeploy(e, Note(5)), Ct);
        var before = (await Store.GetEndpointAsync(name, Ct))!;
        var goneBefore = (await Store.GetEndpointAsync(gone, Ct))!;

        var reopened = new SqliteDeploymentStore(OpenDatabase());

        AssertSameEndpoint(before, await reopened.GetEndpointAsync(name, Ct));
        AssertSameEndpoint(goneBefore, await reopened.GetEndpointAsync(gone, Ct));
        Assert.Equal([name], (await reopened.ListEndpointsAsync(10, 0, includeDeleted: false, Ct)).Items.Select(e => e.Name));
        var scaled = await reopened.UpdateEndpointAsync(name, e => EndpointRules.Scale(e, 1, 8, Note(6)), Ct);
        Assert.Equal(5, scaled.History[^1].Sequence);
        AssertSameEndpoint(scaled, await Store.GetEndpointAsync(name, Ct));
    }

    [Fact]
    public async Task Stores_states_roles_and_change_kinds_as_wire_words()
    {
        var name = (await CreateAsync("words")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Canary(e, "models:/churn/2", 5, Note(3)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Undeploy(e, Note(4)), Ct);

        Assert.Equal("deleted", Scalar($"SELECT state FROM endpoints WHERE name = '{name}'"));
        Assert.Equal("canary retired", Scalar(
            $"SELECT r.role || ' ' || r.state FROM endpoint_revisions r JOIN endpoints e USING (endpoint_id) WHERE e.name = '{name}' AND r.number = 2"));
        Assert.Equal("deployed,health_check_passed,canary_started,undeployed", Scalar(
            $"SELECT group_concat(kind, ',') FROM (SELECT h.kind FROM endpoint_history h JOIN endpoints e USING (endpoint_id) WHERE e.name = '{name}' ORDER BY h.sequence)"));
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

using Mlops.Application.Ports;
using Mlops.Domain.Deployments;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>
/// The deployment store contract on a fresh PostgreSQL database. A second <see cref="PostgresDatabase"/> has its
/// own connection pool, so it competes for rows like a server on another machine does.
/// </summary>
[RequiresPostgres]
public sealed class PostgresDeploymentStoreTests(PostgresTestDatabase database) : DeploymentStoreContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private readonly List<PostgresDatabase> _handles = [];

    protected override IDeploymentStore CreateStore() => new PostgresDeploymentStore(Open());

    protected override IDeploymentStore CreateStoreOnSameDatabase()
    {
        _ = Store;
        return new PostgresDeploymentStore(Open());
    }

    public void Dispose()
    {
        foreach (var handle in _handles)
        {
            handle.Dispose();
        }
    }

    [Fact]
    public async Task Stores_states_roles_and_change_kinds_as_wire_words()
    {
        var name = (await CreateAsync("words")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Canary(e, "models:/churn/2", 5, Note(3)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Undeploy(e, Note(4)), Ct);

        Assert.Equal("deleted", database.Scalar($"SELECT state FROM endpoints WHERE name = '{name}'"));
        Assert.Equal("canary retired", database.Scalar(
            $"SELECT r.role || ' ' || r.state FROM endpoint_revisions r JOIN endpoints e USING (endpoint_id) WHERE e.name = '{name}' AND r.number = 2"));
        Assert.Equal("deployed,health_check_passed,canary_started,undeployed", database.Scalar(
            $"SELECT string_agg(h.kind, ',' ORDER BY h.sequence) FROM endpoint_history h JOIN endpoints e USING (endpoint_id) WHERE e.name = '{name}'"));
    }

    private PostgresDatabase Open()
    {
        var handle = database.Open();
        _handles.Add(handle);
        return handle;
    }
}

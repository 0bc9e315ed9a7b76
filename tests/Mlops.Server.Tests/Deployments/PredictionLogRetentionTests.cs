using Mlops.Application.Ports;
using Mlops.Application.Serving;
using Mlops.Domain.Deployments;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Server.Tests.Deployments;

/// <summary>The prediction log retention deletes old records of every endpoint, undeployed ones included, and keeps the rest.</summary>
public sealed class PredictionLogRetentionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-retention-").FullName;
    private readonly SqliteDatabase _database;

    public PredictionLogRetentionTests() => _database = new SqliteDatabase(Path.Combine(_folder, "mlops.db"));

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Deletes_records_older_than_the_retention()
    {
        var log = new SqlitePredictionLog(_database);
        var endpoints = new SqliteDeploymentStore(_database);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await endpoints.CreateEndpointAsync(EndpointRules.Create("live", now), CancellationToken.None);
        var gone = await endpoints.CreateEndpointAsync(EndpointRules.Create("gone", now), CancellationToken.None);
        await endpoints.UpdateEndpointAsync(gone.Name, e => EndpointRules.Undeploy(e, new ChangeNote("t", now)), CancellationToken.None);
        var old = now - (long)TimeSpan.FromDays(2).TotalMilliseconds;
        await log.AppendAsync([Record("live", old, "a"), Record("live", now, "b"), Record("gone", old, "c")], CancellationToken.None);
        var deleted = await new PredictionLogRetention(log, endpoints, TimeProvider.System).ApplyAsync(TimeSpan.FromDays(1), CancellationToken.None);

        Assert.Equal(2, deleted);
        var left = (await log.ListAsync(new PredictionQuery("live"), CancellationToken.None)).Items.Select(r => r.RequestId)
            .Concat((await log.ListAsync(new PredictionQuery("gone"), CancellationToken.None)).Items.Select(r => r.RequestId));
        Assert.Equal(["b"], left);
    }

    private static PredictionRecord Record(string endpoint, long at, string id) => new(endpoint, 1, RevisionRole.Primary, id, at, 1, 1, "{}", "{}");
}

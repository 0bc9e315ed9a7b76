using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>
/// What every <see cref="IDeploymentStore"/> adapter must do, written once and run against each adapter. A subclass
/// supplies a store over a database of its own, and a second, independent store on the same database that stands
/// for another server process. The rules come from <see cref="EndpointRules"/>; the store only has to keep what they
/// produce exactly. Every endpoint name starts with a per-test prefix and listings only look at the endpoints a test
/// created, so the suite also holds on a database shared by earlier tests.
/// </summary>
public abstract class DeploymentStoreContract
{
    protected const long T0 = 1_700_000_000_000;

    private IDeploymentStore? _store;

    private readonly string _prefix = "ep-" + Guid.NewGuid().ToString("N")[..12] + "-";

    /// <summary>Creates the store under test. Called at most once per test, on first use.</summary>
    protected abstract IDeploymentStore CreateStore();

    /// <summary>
    /// A second store on the database of <see cref="CreateStore"/>, sharing nothing with it in memory (its own
    /// connections and locks), as another server process would.
    /// </summary>
    protected abstract IDeploymentStore CreateStoreOnSameDatabase();

    protected IDeploymentStore Store => _store ??= CreateStore();

    protected static CancellationToken Ct => CancellationToken.None;

    // ---------------------------------------------------------------- settings

    [Fact]
    public async Task Keeps_settings_through_updates_and_a_second_store()
    {
        var name = (await CreateAsync("settings")).Name;

        var configured = await Store.UpdateEndpointAsync(name, e => EndpointRules.Configure(e, new EndpointSettings(0.125, true), Note(1, "watch")), Ct);
        var deployed = await Store.UpdateEndpointAsync(name, e => EndpointRules.Deploy(e, "models:/churn@champion", Note(2), new ResolvedModel("churn", 3)), Ct);
        var other = await CreateStoreOnSameDatabase().GetEndpointAsync(name, Ct);

        Assert.Equal(new EndpointSettings(0.125, true), configured.Settings);
        Assert.Equal(new EndpointSettings(0.125, true), deployed.Settings);
        Assert.Equal(new EndpointSettings(0.125, true), other!.Settings);
        Assert.Equal(ChangeKind.Configured, other.History[0].Kind);
        Assert.Equal(EndpointSettings.Default, (await CreateAsync("defaults")).Settings);
    }

    // ---------------------------------------------------------------- creating and reading

    [Fact]
    public async Task Creates_an_endpoint_and_gets_it_by_name()
    {
        var endpoint = EndpointRules.Create(Name("create"), T0);

        var created = await Store.CreateEndpointAsync(endpoint, Ct);
        var read = await Store.GetEndpointAsync(endpoint.Name, Ct);

        AssertSameEndpoint(endpoint, created);
        AssertSameEndpoint(endpoint, read);
        Assert.Equal(EndpointState.Active, read!.State);
        Assert.Empty(read.Revisions);
        Assert.Empty(read.History);
    }

    [Fact]
    public async Task Creates_an_endpoint_with_the_revisions_and_history_it_already_has()
    {
        var endpoint = EndpointRules.MarkLive(
            EndpointRules.Deploy(EndpointRules.Create(Name("prebuilt"), T0), "models:/churn/3", Note(1), new ResolvedModel("churn", 3), replicas: 2),
            1, Note(2));

        var created = await Store.CreateEndpointAsync(endpoint, Ct);

        AssertSameEndpoint(endpoint, created);
        AssertSameEndpoint(endpoint, await Store.GetEndpointAsync(endpoint.Name, Ct));
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_name()
    {
        Assert.Null(await Store.GetEndpointAsync(Name("missing"), Ct));
    }

    [Fact]
    public async Task Rejects_a_taken_name_with_already_exists_and_keeps_the_first_endpoint()
    {
        var first = await CreateAsync("taken");
        await Store.UpdateEndpointAsync(first.Name, e => EndpointRules.Deploy(e, "models:/churn/1", Note(1)), Ct);
        var before = await Store.GetEndpointAsync(first.Name, Ct);

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.CreateEndpointAsync(EndpointRules.Create(first.Name, T0 + 99), Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Contains(first.Name, error.Message, StringComparison.Ordinal);
        AssertSameEndpoint(before!, await Store.GetEndpointAsync(first.Name, Ct));
    }

    [Fact]
    public async Task Rejects_the_name_of_an_undeployed_endpoint_with_already_exists()
    {
        var first = await CreateAsync("gone");
        await Store.UpdateEndpointAsync(first.Name, e => EndpointRules.Undeploy(e, Note(1)), Ct);

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.CreateEndpointAsync(EndpointRules.Create(first.Name, T0 + 2), Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Equal(EndpointState.Deleted, (await Store.GetEndpointAsync(first.Name, Ct))!.State);
    }

    [Fact]
    public async Task Lists_endpoints_in_name_order_in_pages_and_hides_deleted_ones_unless_asked()
    {
        var c = await CreateAsync("c");
        var a = await CreateAsync("a");
        var b = await CreateAsync("b");
        await Store.UpdateEndpointAsync(a.Name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        await Store.UpdateEndpointAsync(b.Name, e => EndpointRules.Undeploy(e, Note(3)), Ct);

        var active = await Store.ListEndpointsAsync(100_000, 0, includeDeleted: false, Ct);
        var all = await Store.ListEndpointsAsync(100_000, 0, includeDeleted: true, Ct);

        Assert.False(active.HasMore);
        Assert.False(all.HasMore);
        Assert.Equal([a.Name, c.Name], Mine(active.Items).Select(e => e.Name));
        Assert.Equal([a.Name, b.Name, c.Name], Mine(all.Items).Select(e => e.Name));
        Assert.All(active.Items, e => Assert.Equal(EndpointState.Active, e.State));
        Assert.Equal(all.Items.Select(e => e.Name).Order(StringComparer.Ordinal), all.Items.Select(e => e.Name));
        AssertSameEndpoint((await Store.GetEndpointAsync(a.Name, Ct))!, Mine(active.Items)[0]);
        AssertSameEndpoint((await Store.GetEndpointAsync(b.Name, Ct))!, Mine(all.Items)[1]);

        var first = await Store.ListEndpointsAsync(2, 0, includeDeleted: true, Ct);
        var second = await Store.ListEndpointsAsync(2, 2, includeDeleted: true, Ct);
        var last = await Store.ListEndpointsAsync(1, all.Items.Count - 1, includeDeleted: true, Ct);
        var beyond = await Store.ListEndpointsAsync(10, all.Items.Count, includeDeleted: true, Ct);

        Assert.Equal(all.Items.Take(2).Select(e => e.Name), first.Items.Select(e => e.Name));
        Assert.True(first.HasMore);
        Assert.Equal(all.Items.Skip(2).Take(2).Select(e => e.Name), second.Items.Select(e => e.Name));
        Assert.Equal(all.Items.Count > 4, second.HasMore);
        Assert.Equal(all.Items[^1].Name, Assert.Single(last.Items).Name);
        Assert.False(last.HasMore);
        Assert.Empty(beyond.Items);
        Assert.False(beyond.HasMore);
    }

    // ---------------------------------------------------------------- updating

    [Fact]
    public async Task Round_trips_a_whole_lifecycle_exactly()
    {
        var name = (await CreateAsync("lifecycle")).Name;
        Func<Endpoint, Endpoint>[] steps =
        [
            e => EndpointRules.Deploy(e, "models:/churn/1", Note(1, "first model"), new ResolvedModel("churn", 1), replicas: 2),
            e => EndpointRules.MarkLive(e, 1, Note(2)),
            e => EndpointRules.Canary(e, "models:/churn@challenger", 10, Note(3, "try the challenger"), new ResolvedModel("churn", 2), replicas: 3),
            e => EndpointRules.MarkLive(e, 2, Note(4)),
            e => EndpointRules.Promote(e, Note(5, "the challenger wins")),
            e => EndpointRules.Rollback(e, Note(6, "latency regression")),
            e => EndpointRules.MarkFailed(e, 3, "readiness probe timed out after 30 s", Note(7)),
        ];
        var expected = (await Store.GetEndpointAsync(name, Ct))!;

        foreach (var step in steps)
        {
            expected = step(expected);
            var saved = await Store.UpdateEndpointAsync(name, step, Ct);

            AssertSameEndpoint(expected, saved);
            AssertSameEndpoint(expected, await Store.GetEndpointAsync(name, Ct));
        }

        var final = (await Store.GetEndpointAsync(name, Ct))!;
        Assert.Equal(3, final.Revisions.Count);
        Assert.Equal(7, final.History.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], final.History.Select(c => c.Sequence));
        Assert.Equal(
            [ChangeKind.Deployed, ChangeKind.HealthCheckPassed, ChangeKind.CanaryStarted, ChangeKind.HealthCheckPassed, ChangeKind.Promoted,
             ChangeKind.RolledBack, ChangeKind.HealthCheckFailed],
            final.History.Select(c => c.Kind));
        Assert.Equal((RevisionState.Retired, RevisionRole.Primary, 0), (final.Revisions[0].State, final.Revisions[0].Role, final.Revisions[0].Weight));
        Assert.Equal((RevisionState.Live, RevisionRole.Primary, 100), (final.Revisions[1].State, final.Revisions[1].Role, final.Revisions[1].Weight));
        Assert.Equal(100, final.Revisions[1].RequestedWeight);
        Assert.Equal(RevisionState.Failed, final.Revisions[2].State);
        Assert.Equal(1, final.Revisions[2].RestoredFrom);
        Assert.Equal("readiness probe timed out after 30 s", final.Revisions[2].Error);
        Assert.Equal(new ResolvedModel("churn", 1), final.Revisions[2].ResolvedModel);
        Assert.Equal(2, final.Primary!.Number);
    }

    [Fact]
    public async Task Keeps_a_shadow_a_scale_and_an_undeploy_exactly()
    {
        var name = (await CreateAsync("shadow")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "runs:/0123456789abcdef0123456789abcdef/model", Note(1)), 1, Note(2)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Shadow(e, "models:/churn/4", Note(3), new ResolvedModel("churn", 4)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(e, 2, Note(4)), Ct);
        await Store.UpdateEndpointAsync(name, e => EndpointRules.Scale(e, 2, 64, Note(5, "load test")), Ct);
        var before = (await Store.GetEndpointAsync(name, Ct))!;

        var undeployed = await Store.UpdateEndpointAsync(name, e => EndpointRules.Undeploy(e, Note(6)), Ct);

        var expected = EndpointRules.Undeploy(before, Note(6));
        AssertSameEndpoint(expected, undeployed);
        AssertSameEndpoint(expected, await Store.GetEndpointAsync(name, Ct));
        Assert.Equal(EndpointState.Deleted, undeployed.State);
        Assert.Null(undeployed.History[^1].Revision);
        Assert.Equal(64, undeployed.Revisions[1].Replicas);
        Assert.All(undeployed.Revisions, r => Assert.Equal(RevisionState.Retired, r.State));
    }

    [Fact]
    public async Task Leaves_the_endpoint_unchanged_when_the_change_throws()
    {
        var name = (await CreateAsync("throws")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        var before = (await Store.GetEndpointAsync(name, Ct))!;

        var broken = await Assert.ThrowsAsync<MlopsException>(() => Store.UpdateEndpointAsync(name, e => EndpointRules.Promote(e, Note(3)), Ct));
        var thrown = await Assert.ThrowsAsync<MlopsException>(() => Store.UpdateEndpointAsync(name, e =>
        {
            _ = EndpointRules.Scale(e, 1, 5, Note(4));
            throw MlopsException.Invalid("changed my mind");
        }, Ct));

        Assert.Equal(ErrorKind.Conflict, broken.Kind);
        Assert.Equal(ErrorKind.InvalidArgument, thrown.Kind);
        Assert.Equal("changed my mind", thrown.Message);
        AssertSameEndpoint(before, await Store.GetEndpointAsync(name, Ct));
        var next = await Store.UpdateEndpointAsync(name, e => EndpointRules.Scale(e, 1, 5, Note(5)), Ct);
        Assert.Equal(before.History.Count + 1, next.History[^1].Sequence);
    }

    [Fact]
    public async Task Refuses_a_change_that_removes_or_rewrites_what_is_stored()
    {
        var name = (await CreateAsync("rewrite")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        var before = (await Store.GetEndpointAsync(name, Ct))!;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateEndpointAsync(name, e => e with { History = [] }, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateEndpointAsync(name, e => e with { Revisions = [] }, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateEndpointAsync(name,
            e => e with { Revisions = [e.Revisions[0] with { ModelUri = "models:/other/1" }] }, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateEndpointAsync(name, e => e with { Name = Name("renamed") }, Ct));

        AssertSameEndpoint(before, await Store.GetEndpointAsync(name, Ct));
        Assert.Null(await Store.GetEndpointAsync(Name("renamed"), Ct));
    }

    [Fact]
    public async Task Reports_not_found_when_updating_an_unknown_endpoint_without_calling_the_change()
    {
        var called = false;

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.UpdateEndpointAsync(Name("missing"), e =>
        {
            called = true;
            return e;
        }, Ct));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(Name("missing"), error.Message, StringComparison.Ordinal);
        Assert.False(called);
        Assert.Null(await Store.GetEndpointAsync(Name("missing"), Ct));
    }

    [Fact]
    public async Task Applies_every_one_of_many_concurrent_updates()
    {
        var name = (await CreateAsync("race")).Name;
        await Store.UpdateEndpointAsync(name, e => EndpointRules.MarkLive(EndpointRules.Deploy(e, "models:/churn/1", Note(1)), 1, Note(2)), Ct);
        IDeploymentStore[] stores = [Store, CreateStoreOnSameDatabase()];

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            stores[i % 2].UpdateEndpointAsync(name, e => EndpointRules.Scale(e, e.Primary!.Number, e.Primary.Replicas + 1, Note(10 + i, $"scale {i}")), Ct))));

        var final = (await Store.GetEndpointAsync(name, Ct))!;
        Assert.Equal(17, final.Primary!.Replicas);
        Assert.Equal(18, final.History.Count);
        Assert.Equal(Enumerable.Range(1, 18), final.History.Select(c => c.Sequence));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"scale {i}").Order(StringComparer.Ordinal),
            final.History.Skip(2).Select(c => c.Reason).Order(StringComparer.Ordinal));
        Assert.Equal(
            Enumerable.Range(1, 16).Select(n => $"revision 1 scales from {n} to {n + 1} replicas"),
            final.History.Skip(2).Select(c => c.Detail));
    }

    [Fact]
    public async Task Keeps_the_changes_of_each_endpoint_on_their_own()
    {
        var first = (await CreateAsync("own-1")).Name;
        var second = (await CreateAsync("own-2")).Name;

        await Store.UpdateEndpointAsync(first, e => EndpointRules.Deploy(e, "models:/churn/1", Note(1)), Ct);
        await Store.UpdateEndpointAsync(second, e => EndpointRules.Deploy(e, "models:/fraud/7", Note(2)), Ct);
        await Store.UpdateEndpointAsync(first, e => EndpointRules.MarkFailed(e, 1, "crash loop", Note(3)), Ct);

        var a = (await Store.GetEndpointAsync(first, Ct))!;
        var b = (await Store.GetEndpointAsync(second, Ct))!;
        Assert.Equal([RevisionState.Failed], a.Revisions.Select(r => r.State));
        Assert.Equal([RevisionState.Pending], b.Revisions.Select(r => r.State));
        Assert.Equal("models:/fraud/7", b.Revisions[0].ModelUri);
        Assert.Equal([1, 2], a.History.Select(c => c.Sequence));
        Assert.Equal([1], b.History.Select(c => c.Sequence));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>An endpoint name no other test uses.</summary>
    protected string Name(string suffix) => _prefix + suffix;

    protected Task<Endpoint> CreateAsync(string suffix, long createdAt = T0) =>
        Store.CreateEndpointAsync(EndpointRules.Create(Name(suffix), createdAt), Ct);

    protected static ChangeNote Note(int tick, string reason = "") => new("alice@example.com", T0 + tick, reason);

    /// <summary>The endpoints of this test, in the order given.</summary>
    protected List<Endpoint> Mine(IEnumerable<Endpoint> endpoints) => [.. endpoints.Where(e => e.Name.StartsWith(_prefix, StringComparison.Ordinal))];

    /// <summary>The whole endpoint: every field, every revision and every history entry, in order.</summary>
    protected static void AssertSameEndpoint(Endpoint expected, Endpoint? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.Name, expected.State, expected.CreatedAt), (actual.Name, actual.State, actual.CreatedAt));
        Assert.Equal(expected.Revisions, actual.Revisions);
        Assert.Equal(expected.History, actual.History);
    }
}

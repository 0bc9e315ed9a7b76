using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Domain.Tests.Deployments;

public sealed class EndpointRulesTests
{
    private const string Champion = "models:/churn@champion";
    private const string Four = "models:/churn/4";
    private const string Five = "models:/churn/5";

    private static ChangeNote Note(string reason = "test", long at = 1_000) => new("alice", at, reason);

    private static Endpoint Fresh() => EndpointRules.Create("churn", 500);

    /// <summary>An endpoint serving <see cref="Champion"/> as live revision 1.</summary>
    private static Endpoint Serving(string uri = Champion) => Live(EndpointRules.Deploy(Fresh(), uri, Note("first")));

    private static Endpoint Live(Endpoint endpoint) => EndpointRules.MarkLive(endpoint, endpoint.Revisions[^1].Number, Note("healthy"));

    private static IEnumerable<(int Number, int Weight)> Split(Endpoint endpoint) =>
        EndpointRules.TrafficSplit(endpoint).Select(r => (r.Number, r.Weight));

    private static MlopsException Refuses(ErrorKind kind, Action action, string fragment)
    {
        var error = Assert.Throws<MlopsException>(action);
        Assert.Equal(kind, error.Kind);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [InlineData("a")]
    [InlineData("churn")]
    [InlineData("churn-v2")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bc")]
    public void Accepts_a_url_safe_name(string name) => Assert.Equal(name, EndpointRules.CheckName(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Churn")]
    [InlineData("1churn")]
    [InlineData("-churn")]
    [InlineData("churn_v2")]
    [InlineData("churn.v2")]
    [InlineData("churn/v2")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bcd")]
    public void Refuses_a_name_that_does_not_fit_in_a_url(string? name) =>
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.CheckName(name), "lowercase letters");

    [Theory]
    [InlineData("models:/churn/4", "models:/churn/4")]
    [InlineData("models:/churn@champion", "models:/churn@champion")]
    [InlineData("models:/churn/production", "models:/churn/Production")]
    [InlineData("runs:/abc123/model", "runs:/abc123/model")]
    public void Accepts_model_uris_in_their_canonical_form(string uri, string canonical) =>
        Assert.Equal(canonical, EndpointRules.CheckModelUri(uri));

    [Theory]
    [InlineData("")]
    [InlineData("s3://bucket/model")]
    [InlineData("models:/churn")]
    [InlineData("runs:/")]
    public void Refuses_other_model_uris(string uri) =>
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.CheckModelUri(uri), "Invalid model URI");

    [Fact]
    public void A_new_endpoint_is_active_with_no_revisions_and_no_traffic()
    {
        var endpoint = Fresh();

        Assert.Equal(EndpointState.Active, endpoint.State);
        Assert.Empty(endpoint.Revisions);
        Assert.Empty(endpoint.History);
        Assert.Equal(500, endpoint.CreatedAt);
        Assert.Empty(EndpointRules.TrafficSplit(endpoint));
    }

    [Fact]
    public void Deploy_creates_a_pending_primary_that_takes_no_traffic_until_it_is_healthy()
    {
        var deployed = EndpointRules.Deploy(Fresh(), Champion, Note("launch", 2_000), new ResolvedModel("churn", 3), replicas: 2);

        var revision = Assert.Single(deployed.Revisions);
        Assert.Equal(
            new Revision(1, Champion, new ResolvedModel("churn", 3), RevisionRole.Primary, 0, 100, 2, RevisionState.Pending, 2_000, "alice", "launch"),
            revision);
        Assert.Empty(EndpointRules.TrafficSplit(deployed));

        var live = EndpointRules.MarkLive(deployed, 1, Note());

        Assert.Equal([(1, 100)], Split(live));
        Assert.Equal([ChangeKind.Deployed, ChangeKind.HealthCheckPassed], live.History.Select(c => c.Kind));
    }

    [Fact]
    public void Deploy_over_a_live_endpoint_makes_the_new_model_the_only_live_revision()
    {
        var withCanaryAndShadow = Live(EndpointRules.Shadow(Live(EndpointRules.Canary(Serving(), Four, 10, Note())), Five, Note()));

        var redeployed = Live(EndpointRules.Deploy(withCanaryAndShadow, "models:/churn/6", Note()));

        Assert.Equal([(4, 100)], Split(redeployed));
        Assert.Empty(EndpointRules.ShadowTargets(redeployed));
        Assert.All(redeployed.Revisions.Take(3), r => Assert.Equal(RevisionState.Retired, r.State));
    }

    [Fact]
    public void Deploy_refuses_a_resolved_model_that_contradicts_the_uri()
    {
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Deploy(Fresh(), Four, Note(), new ResolvedModel("churn", 5)), "cannot resolve");
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Deploy(Fresh(), Champion, Note(), new ResolvedModel("fraud", 1)), "cannot resolve");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Deploy_refuses_replicas_out_of_range(int replicas) =>
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Deploy(Fresh(), Four, Note(), replicas: replicas), "1 to 64 replicas");

    [Fact]
    public void Every_change_names_who_made_it()
    {
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Deploy(Fresh(), Four, new ChangeNote(" ", 1)), "who made it");
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Deploy(Fresh(), Four, new ChangeNote("bob", 1, new string('x', 1001))), "reason");
    }

    [Fact]
    public void A_live_canary_takes_its_percent_from_the_primary()
    {
        var canary = EndpointRules.Canary(Serving(), Four, 10, Note());

        Assert.Equal([(1, 100)], Split(canary));
        var live = Live(canary);

        Assert.Equal([(1, 90), (2, 10)], Split(live));
        Assert.Equal(RevisionRole.Canary, live.Revisions[1].Role);
    }

    [Fact]
    public void A_second_canary_replaces_the_first_when_it_goes_live()
    {
        var first = Live(EndpointRules.Canary(Serving(), Four, 10, Note()));

        var second = Live(EndpointRules.Canary(first, Five, 30, Note()));

        Assert.Equal([(1, 70), (3, 30)], Split(second));
        Assert.Equal(RevisionState.Retired, second.Revisions[1].State);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(-5)]
    public void Canary_refuses_a_percent_outside_1_to_99(int percent) =>
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Canary(Serving(), Four, percent, Note()), "1 to 99 %");

    [Fact]
    public void Canary_and_shadow_need_a_live_primary()
    {
        var pending = EndpointRules.Deploy(Fresh(), Champion, Note());
        var failed = EndpointRules.MarkFailed(pending, 1, "timeout", Note());

        Refuses(ErrorKind.Conflict, () => EndpointRules.Canary(Fresh(), Four, 10, Note()), "no live primary");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Canary(failed, Four, 10, Note()), "no live primary");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Shadow(Fresh(), Four, Note()), "no live primary");
    }

    [Fact]
    public void A_live_shadow_gets_a_copy_of_the_traffic_and_no_weight()
    {
        var shadowed = Live(EndpointRules.Shadow(Serving(), Four, Note()));

        Assert.Equal([(1, 100)], Split(shadowed));
        var shadow = Assert.Single(EndpointRules.ShadowTargets(shadowed));
        Assert.Equal((2, 0, RevisionRole.Shadow), (shadow.Number, shadow.Weight, shadow.Role));
    }

    [Fact]
    public void Promoting_a_canary_makes_it_the_primary_at_100_percent_and_retires_the_old_primary()
    {
        var canary = Live(EndpointRules.Canary(Serving(), Four, 25, Note()));

        var promoted = EndpointRules.Promote(canary, Note("metrics look good"));

        Assert.Equal([(2, 100)], Split(promoted));
        Assert.Equal(RevisionRole.Primary, promoted.Revisions[1].Role);
        Assert.Equal(RevisionState.Retired, promoted.Revisions[0].State);
        Assert.Equal(2, promoted.Revisions.Count);
        Assert.Equal((ChangeKind.Promoted, 2, "metrics look good"), (promoted.History[^1].Kind, promoted.History[^1].Revision!.Value, promoted.History[^1].Reason));
    }

    [Fact]
    public void Promoting_a_shadow_keeps_no_other_weighted_revision()
    {
        var both = Live(EndpointRules.Shadow(Live(EndpointRules.Canary(Serving(), Four, 25, Note())), Five, Note()));

        var promoted = EndpointRules.Promote(both, Note(), revision: 3);

        Assert.Equal([(3, 100)], Split(promoted));
        Assert.Empty(EndpointRules.ShadowTargets(promoted));
    }

    [Fact]
    public void Promoting_a_canary_leaves_a_shadow_shadowing()
    {
        var both = Live(EndpointRules.Shadow(Live(EndpointRules.Canary(Serving(), Four, 25, Note())), Five, Note()));

        var promoted = EndpointRules.Promote(both, Note());

        Assert.Equal([(2, 100)], Split(promoted));
        Assert.Equal(3, Assert.Single(EndpointRules.ShadowTargets(promoted)).Number);
    }

    [Fact]
    public void Promote_refuses_when_there_is_nothing_to_promote()
    {
        var pendingCanary = EndpointRules.Canary(Serving(), Four, 10, Note());

        Refuses(ErrorKind.Conflict, () => EndpointRules.Promote(Serving(), Note()), "no live canary or shadow");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Promote(Serving(), Note(), revision: 1), "only a live canary or shadow");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Promote(pendingCanary, Note(), revision: 2), "still pending");
        Refuses(ErrorKind.NotFound, () => EndpointRules.Promote(Live(pendingCanary), Note(), revision: 9), "no revision 9");
    }

    [Fact]
    public void Rollback_after_canary_and_promote_restores_the_earlier_model_as_a_new_revision()
    {
        var promoted = EndpointRules.Promote(Live(EndpointRules.Canary(Serving(), Four, 10, Note())), Note());

        var rolledBack = EndpointRules.Rollback(promoted, Note("error rate up"));

        var restoring = rolledBack.Revisions[^1];
        Assert.Equal((3, Champion, RevisionState.Pending, 1), (restoring.Number, restoring.ModelUri, restoring.State, restoring.RestoredFrom!.Value));
        Assert.Equal([(2, 100)], Split(rolledBack));

        var live = Live(rolledBack);

        Assert.Equal([(3, 100)], Split(live));
        Assert.Equal(Champion, EndpointRules.TrafficSplit(live)[0].ModelUri);
        Assert.Equal([RevisionState.Retired, RevisionState.Retired, RevisionState.Live], live.Revisions.Select(r => r.State));
    }

    [Fact]
    public void Rollback_restores_the_replicas_and_resolved_version_of_the_earlier_primary()
    {
        var first = Live(EndpointRules.Deploy(Fresh(), Champion, Note(), new ResolvedModel("churn", 3), replicas: 4));
        var second = Live(EndpointRules.Deploy(first, Five, Note()));

        var restored = Live(EndpointRules.Rollback(second, Note()));

        var primary = restored.Primary!;
        Assert.Equal((Champion, new ResolvedModel("churn", 3), 4), (primary.ModelUri, primary.ResolvedModel, primary.Replicas));
    }

    [Fact]
    public void Rolling_back_twice_returns_to_the_later_model()
    {
        var second = Live(EndpointRules.Deploy(Serving(), Five, Note()));

        var twice = Live(EndpointRules.Rollback(Live(EndpointRules.Rollback(second, Note())), Note()));

        Assert.Equal(Five, twice.Primary!.ModelUri);
        Assert.Equal([1, 2, 3, 4], EndpointRules.PrimaryLineage(twice));
    }

    [Fact]
    public void Rollback_refuses_without_a_previous_primary()
    {
        var canary = Live(EndpointRules.Canary(Serving(), Four, 10, Note()));

        Refuses(ErrorKind.Conflict, () => EndpointRules.Rollback(Fresh(), Note()), "no previous primary");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Rollback(Serving(), Note()), "no previous primary");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Rollback(canary, Note()), "no previous primary");
    }

    [Fact]
    public void A_failed_health_check_keeps_the_old_split_and_never_takes_traffic()
    {
        var canary = Live(EndpointRules.Canary(Serving(), Four, 20, Note()));
        var before = EndpointRules.TrafficSplit(canary);

        var failed = EndpointRules.MarkFailed(EndpointRules.Deploy(canary, Five, Note()), 3, "readiness probe timed out", Note());

        Assert.Equal(before, EndpointRules.TrafficSplit(failed));
        var revision = failed.Revisions[^1];
        Assert.Equal((RevisionState.Failed, 0, "readiness probe timed out"), (revision.State, revision.Weight, revision.Error));
        Assert.Equal(ChangeKind.HealthCheckFailed, failed.History[^1].Kind);
    }

    [Fact]
    public void A_failed_rollback_keeps_the_current_primary()
    {
        var second = Live(EndpointRules.Deploy(Serving(), Five, Note()));

        var failed = EndpointRules.MarkFailed(EndpointRules.Rollback(second, Note()), 3, "crash loop", Note());

        Assert.Equal([(2, 100)], Split(failed));
        Assert.Equal(Five, failed.Primary!.ModelUri);
    }

    [Fact]
    public void Health_checks_answer_only_for_a_pending_revision()
    {
        Refuses(ErrorKind.Conflict, () => EndpointRules.MarkLive(Serving(), 1, Note()), "only a pending revision");
        Refuses(ErrorKind.Conflict, () => EndpointRules.MarkFailed(Serving(), 1, "x", Note()), "only a pending revision");
        Refuses(ErrorKind.NotFound, () => EndpointRules.MarkLive(Serving(), 2, Note()), "no revision 2");
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.MarkFailed(EndpointRules.Deploy(Fresh(), Four, Note()), 1, " ", Note()), "why");
    }

    [Fact]
    public void Nothing_but_scale_and_undeploy_happens_while_a_revision_is_pending()
    {
        var pending = EndpointRules.Canary(Serving(), Four, 10, Note());

        Refuses(ErrorKind.Conflict, () => EndpointRules.Deploy(pending, Five, Note()), "still pending");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Canary(pending, Five, 5, Note()), "still pending");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Shadow(pending, Five, Note()), "still pending");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Rollback(pending, Note()), "still pending");
        Assert.Equal(3, EndpointRules.Scale(pending, 2, 3, Note()).Revisions[1].Replicas);
        Assert.Equal(EndpointState.Deleted, EndpointRules.Undeploy(pending, Note()).State);
    }

    [Fact]
    public void Scale_changes_the_replicas_of_one_revision_and_records_it()
    {
        var scaled = EndpointRules.Scale(Serving(), 1, 8, Note("black friday"));

        Assert.Equal(8, scaled.Revisions[0].Replicas);
        var change = scaled.History[^1];
        Assert.Equal((ChangeKind.Scaled, 1, "alice", "black friday"), (change.Kind, change.Revision!.Value, change.By, change.Reason));
        Assert.Contains("from 1 to 8", change.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_refuses_bad_replicas_unknown_and_finished_revisions()
    {
        var replaced = Live(EndpointRules.Deploy(Serving(), Four, Note()));

        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Scale(Serving(), 1, 0, Note()), "1 to 64");
        Refuses(ErrorKind.InvalidArgument, () => EndpointRules.Scale(Serving(), 1, 65, Note()), "1 to 64");
        Refuses(ErrorKind.NotFound, () => EndpointRules.Scale(Serving(), 7, 2, Note()), "no revision 7");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Scale(replaced, 1, 2, Note()), "is retired");
    }

    [Fact]
    public void Undeploy_retires_everything_keeps_the_history_and_empties_the_split()
    {
        var busy = Live(EndpointRules.Shadow(Live(EndpointRules.Canary(Serving(), Four, 10, Note())), Five, Note()));

        var gone = EndpointRules.Undeploy(busy, Note("decommissioned"));

        Assert.Equal(EndpointState.Deleted, gone.State);
        Assert.Empty(EndpointRules.TrafficSplit(gone));
        Assert.Empty(EndpointRules.ShadowTargets(gone));
        Assert.All(gone.Revisions, r => Assert.Equal((RevisionState.Retired, 0), (r.State, r.Weight)));
        Assert.Equal(busy.History.Count + 1, gone.History.Count);
        Assert.Equal(ChangeKind.Undeployed, gone.History[^1].Kind);
    }

    [Fact]
    public void A_deleted_endpoint_takes_no_further_operation()
    {
        var gone = EndpointRules.Undeploy(Serving(), Note());

        Refuses(ErrorKind.Conflict, () => EndpointRules.Deploy(gone, Four, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Canary(gone, Four, 10, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Shadow(gone, Four, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Promote(gone, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Rollback(gone, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Scale(gone, 1, 2, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.Undeploy(gone, Note()), "undeployed");
        Refuses(ErrorKind.Conflict, () => EndpointRules.MarkLive(gone, 1, Note()), "undeployed");
    }

    [Fact]
    public void History_records_who_when_and_why_for_every_change_in_order()
    {
        var endpoint = EndpointRules.Deploy(Fresh(), Champion, new ChangeNote("alice", 10, "launch"));
        endpoint = EndpointRules.MarkLive(endpoint, 1, new ChangeNote("deployer", 20, "probe ok"));
        endpoint = EndpointRules.Canary(endpoint, Four, 5, new ChangeNote("bob", 30, "try v4"));

        Assert.Equal(
            [(1, ChangeKind.Deployed, "alice", 10L, "launch"), (2, ChangeKind.HealthCheckPassed, "deployer", 20L, "probe ok"), (3, ChangeKind.CanaryStarted, "bob", 30L, "try v4")],
            endpoint.History.Select(c => (c.Sequence, c.Kind, c.By, c.At, c.Reason)));
        Assert.Equal(("bob", 30L, "try v4"), (endpoint.Revisions[1].CreatedBy, endpoint.Revisions[1].CreatedAt, endpoint.Revisions[1].Reason));
    }

    [Fact]
    public void Wire_names_are_lowercase()
    {
        Assert.Equal("canary", RevisionRole.Canary.ToWire());
        Assert.Equal("failed", RevisionState.Failed.ToWire());
        Assert.Equal("deleted", EndpointState.Deleted.ToWire());
        Assert.Equal("health_check_failed", ChangeKind.HealthCheckFailed.ToWire());
    }
}

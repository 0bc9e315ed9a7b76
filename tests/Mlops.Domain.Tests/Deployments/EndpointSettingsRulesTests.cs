using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Domain.Tests.Deployments;

/// <summary>Endpoint settings (prediction logging, alias following) and the alias-following rule.</summary>
public sealed class EndpointSettingsRulesTests
{
    private const string Champion = "models:/churn@champion";

    private static readonly ResolvedModel s_v4 = new("churn", 4);
    private static readonly ResolvedModel s_v5 = new("churn", 5);

    private static ChangeNote Note(string reason = "test") => new("alice", 1_000, reason);

    private static Endpoint Live(Endpoint endpoint) => EndpointRules.MarkLive(endpoint, endpoint.Revisions[^1].Number, Note("healthy"));

    /// <summary>An endpoint serving the champion (resolved to version 4) and following it.</summary>
    private static Endpoint Following(string uri = Champion) =>
        EndpointRules.Configure(Live(EndpointRules.Deploy(EndpointRules.Create("churn", 500), uri, Note(), s_v4, 3)),
            new EndpointSettings(0, FollowAlias: true), Note("follow"));

    [Fact]
    public void Configure_records_the_change_and_keeps_the_revisions()
    {
        var before = Live(EndpointRules.Deploy(EndpointRules.Create("churn", 500), Champion, Note(), s_v4));

        var after = EndpointRules.Configure(before, new EndpointSettings(0.25, true), Note("watch a quarter"));

        Assert.Equal(new EndpointSettings(0.25, true), after.Settings);
        Assert.Equal(before.Revisions, after.Revisions);
        Assert.Equal(ChangeKind.Configured, after.History[^1].Kind);
        Assert.Null(after.History[^1].Revision);
        Assert.Equal("prediction logging at 25 %; follows the primary's alias", after.History[^1].Detail);
        Assert.Equal(EndpointSettings.Default, before.Settings);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Configure_refuses_a_sample_rate_outside_0_to_1(double rate)
    {
        var endpoint = Live(EndpointRules.Deploy(EndpointRules.Create("churn", 500), Champion, Note(), s_v4));

        var error = Assert.Throws<MlopsException>(() => EndpointRules.Configure(endpoint, new EndpointSettings(rate, false), Note()));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("sample rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undeployed_endpoint_cannot_be_configured()
    {
        var gone = EndpointRules.Undeploy(Live(EndpointRules.Deploy(EndpointRules.Create("churn", 500), Champion, Note(), s_v4)), Note());

        Assert.Equal(ErrorKind.Conflict, Assert.Throws<MlopsException>(() => EndpointRules.Configure(gone, EndpointSettings.Default, Note())).Kind);
    }

    [Fact]
    public void Following_a_moved_alias_deploys_the_new_version_as_a_pending_primary_with_the_same_replicas()
    {
        var endpoint = Following();

        var followed = EndpointRules.FollowAlias(endpoint, s_v5, Note("champion moved"));

        var pending = followed.Pending!;
        Assert.Equal(Champion, pending.ModelUri);
        Assert.Equal(s_v5, pending.ResolvedModel);
        Assert.Equal(RevisionRole.Primary, pending.Role);
        Assert.Equal(3, pending.Replicas);
        Assert.Equal(ChangeKind.Deployed, followed.History[^1].Kind);
        Assert.Equal([1], EndpointRules.TrafficSplit(followed).Select(r => r.Number));
    }

    [Fact]
    public void Following_changes_nothing_when_it_is_off_pinned_current_pending_or_a_rollout_is_live()
    {
        var off = Live(EndpointRules.Deploy(EndpointRules.Create("churn", 500), Champion, Note(), s_v4));
        var pinned = Following("models:/churn/4");
        var current = Following();
        var pending = EndpointRules.Deploy(Following(), "models:/churn/4", Note(), s_v4);
        var canary = Live(EndpointRules.Canary(Following(), "models:/churn/4", 10, Note(), s_v4));

        Assert.Same(off, EndpointRules.FollowAlias(off, s_v5, Note()));
        Assert.Same(pinned, EndpointRules.FollowAlias(pinned, s_v5, Note()));
        Assert.Same(current, EndpointRules.FollowAlias(current, s_v4, Note()));
        Assert.Same(pending, EndpointRules.FollowAlias(pending, s_v5, Note()));
        Assert.Same(canary, EndpointRules.FollowAlias(canary, s_v5, Note()));
    }

    [Fact]
    public void A_version_that_failed_its_health_check_is_not_followed_again()
    {
        var followed = EndpointRules.FollowAlias(Following(), s_v5, Note());
        var failed = EndpointRules.MarkFailed(followed, followed.Pending!.Number, "does not load", Note());

        Assert.Same(failed, EndpointRules.FollowAlias(failed, s_v5, Note()));
        Assert.NotNull(EndpointRules.FollowAlias(failed, new ResolvedModel("churn", 6), Note()).Pending);
    }

    [Theory]
    [InlineData("models:/churn@champion", true)]
    [InlineData("models:/churn/Production", true)]
    [InlineData("models:/churn/latest", true)]
    [InlineData("models:/churn/4", false)]
    [InlineData("runs:/abc/model", false)]
    public void Only_aliases_stages_and_latest_move(string uri, bool moving) => Assert.Equal(moving, EndpointRules.IsMoving(uri));
}

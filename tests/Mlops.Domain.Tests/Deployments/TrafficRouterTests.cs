using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Domain.Tests.Deployments;

public sealed class TrafficRouterTests
{
    private static Revision Live(int number, int weight, RevisionRole role = RevisionRole.Primary) =>
        new(number, $"models:/churn/{number}", null, role, weight, weight, 1, RevisionState.Live, 0, "alice", "");

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.5, 1)]
    [InlineData(0.8999, 1)]
    [InlineData(0.9, 2)]
    [InlineData(0.95, 2)]
    [InlineData(0.999999, 2)]
    public void Picks_each_revision_for_a_band_as_wide_as_its_weight(double draw, int expected)
    {
        var router = new TrafficRouter([Live(1, 90), Live(2, 10, RevisionRole.Canary)]);

        Assert.Equal(expected, router.Pick(draw).Number);
    }

    [Fact]
    public void Picks_proportionally_over_an_even_grid_of_draws()
    {
        var router = new TrafficRouter([Live(1, 75), Live(2, 25, RevisionRole.Canary)]);

        var picks = Enumerable.Range(0, 1000).Select(i => router.Pick(i / 1000.0).Number).ToList();

        Assert.Equal(750, picks.Count(n => n == 1));
        Assert.Equal(250, picks.Count(n => n == 2));
    }

    [Fact]
    public void A_single_revision_answers_every_draw()
    {
        var router = new TrafficRouter([Live(3, 100)]);

        Assert.All(new[] { 0.0, 0.3, 0.999999999 }, draw => Assert.Equal(3, router.Pick(draw).Number));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Refuses_a_draw_outside_zero_to_one(double draw) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrafficRouter([Live(1, 100)]).Pick(draw));

    [Fact]
    public void Refuses_a_split_that_does_not_sum_to_100()
    {
        Assert.Throws<ArgumentException>(() => new TrafficRouter([Live(1, 90)]));
        Assert.Throws<ArgumentException>(() => new TrafficRouter([Live(1, 100), Live(2, 0)]));
    }

    [Fact]
    public void An_undeployed_endpoint_routes_nowhere()
    {
        var endpoint = EndpointRules.Create("churn", 0);

        var error = Assert.Throws<MlopsException>(() => TrafficRouter.For(endpoint).Pick(0.5));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public void Built_for_an_endpoint_it_routes_the_split_and_lists_the_shadows()
    {
        var note = new ChangeNote("alice", 1);
        var endpoint = EndpointRules.Deploy(EndpointRules.Create("churn", 0), "models:/churn/1", note);
        endpoint = EndpointRules.MarkLive(endpoint, 1, note);
        endpoint = EndpointRules.MarkLive(EndpointRules.Canary(endpoint, "models:/churn/2", 40, note), 2, note);
        endpoint = EndpointRules.MarkLive(EndpointRules.Shadow(endpoint, "models:/churn/3", note), 3, note);

        var router = TrafficRouter.For(endpoint);

        Assert.Equal(1, router.Pick(0.59).Number);
        Assert.Equal(2, router.Pick(0.6).Number);
        Assert.Equal(3, Assert.Single(router.Shadows).Number);
    }
}

using CsCheck;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Tests.Optimization.Samplers;

public sealed class SearchSpacePropertyTests
{
    private static readonly Gen<(ParameterDistribution Distribution, double Value)> s_distributionAndAnyValue =
        from distribution in SamplerHarness.Distribution("p")
        from value in Gen.OneOf(Gen.Double[-1e7, 1e7], Gen.Double[-10, 10], Gen.Double[-1e-3, 1e-3])
        select (distribution, value);

    [Fact]
    public void Snap_always_lands_inside_the_distribution()
    {
        s_distributionAndAnyValue.Sample((distribution, value) => distribution switch
        {
            FloatDistribution f => f.Contains(f.Snap(value)),
            IntDistribution i => i.Contains(i.Snap(value)),
            _ => true,
        });
    }

    [Fact]
    public void Internal_values_round_trip_through_their_external_form()
    {
        s_distributionAndAnyValue.Sample((distribution, value) =>
        {
            var inside = distribution switch
            {
                FloatDistribution f => f.Snap(value),
                IntDistribution i => i.Snap(value),
                CategoricalDistribution c => Math.Abs(Math.Floor(value)) % c.Choices.Count,
                _ => throw new InvalidOperationException(),
            };
            var external = distribution.ToExternal(inside);
            return distribution.ToInternal(external) == inside && distribution.ToExternal(distribution.ToInternal(external)).Equals(external);
        });
    }

    [Fact]
    public void Random_proposals_always_lie_inside_the_space()
    {
        (from space in SamplerHarness.Space
         from seed in Gen.Long
         from trial in Gen.Int[0, 100_000]
         select (space, seed, trial))
        .Sample((space, seed, trial) =>
        {
            var values = new RandomSampler(seed).Sample(SamplerHarness.Context(space, [], trial));
            SamplerHarness.AssertValidProposal(space, values);
        });
    }

    [Fact]
    public void Snap_keeps_the_top_of_a_stepped_float_inside_its_range()
    {
        // 0.3 / 0.1 is 2.9999999999999996, and 3 * 0.1 is 0.30000000000000004: one past the high end.
        var tenths = new FloatDistribution("x", 0, 0.3, Step: 0.1);

        Assert.True(tenths.Contains(tenths.Snap(0.3)));
        Assert.True(tenths.Contains(tenths.Snap(1e9)));
    }

    [Fact]
    public void The_grid_sampler_visits_every_point_of_generated_grids_exactly_once()
    {
        (from space in SamplerHarness.GridSpace
         from seed in Gen.Long
         select (space, seed))
        .Sample((space, seed) =>
        {
            var size = GridSampler.GridSize(space);
            Assert.InRange(size, 1, 12 * 12 * 12);
            var trials = SamplerHarness.Run(new GridSampler(seed), space, (int)size, _ => 0);
            foreach (var trial in trials)
            {
                SamplerHarness.AssertValidProposal(space, trial.Params);
            }

            Assert.Equal(size, trials.Select(t => string.Join(",", t.Params.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value:R}"))).Distinct().Count());
        }, iter: 60);
    }

    [Fact]
    public void Tpe_proposals_always_lie_inside_the_space()
    {
        (from space in SamplerHarness.Space
         from seed in Gen.Long
         from multivariate in Gen.Bool
         select (space, seed, multivariate))
        .Sample((space, seed, multivariate) =>
        {
            var sampler = new TpeSampler(seed, new TpeOptions { StartupTrials = 4, Multivariate = multivariate });
            var trials = SamplerHarness.Run(sampler, space, 12, values => values.Values.Sum(v => Math.Sin(v)));
            foreach (var trial in trials)
            {
                SamplerHarness.AssertValidProposal(space, trial.Params);
            }
        }, iter: 40);
    }
}

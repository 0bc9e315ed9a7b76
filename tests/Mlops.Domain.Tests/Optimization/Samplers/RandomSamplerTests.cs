using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Tests.Optimization.Samplers;

public sealed class RandomSamplerTests
{
    private static readonly SearchSpace s_mixed = new(
    [
        new FloatDistribution("lr", 1e-4, 1, Log: true),
        new FloatDistribution("dropout", 0, 0.5, Step: 0.1),
        new IntDistribution("layers", 1, 10, Step: 3),
        new IntDistribution("units", 8, 512, Log: true),
        new CategoricalDistribution("optimizer", ["adam", "sgd", "rmsprop"]),
    ]);

    [Fact]
    public void Same_seed_gives_the_same_proposals_and_other_seeds_differ()
    {
        var first = SamplerHarness.Run(new RandomSampler(42), s_mixed, 20, _ => 0);
        var again = SamplerHarness.Run(new RandomSampler(42), s_mixed, 20, _ => 0);
        var other = SamplerHarness.Run(new RandomSampler(43), s_mixed, 20, _ => 0);

        Assert.Equal(first.Select(t => t.Params), again.Select(t => t.Params));
        Assert.NotEqual(first.Select(t => t.Params["lr"]), other.Select(t => t.Params["lr"]));
    }

    [Fact]
    public void A_proposal_depends_on_the_trial_number_not_on_the_history()
    {
        var sampler = new RandomSampler(7);
        var history = SamplerHarness.Run(sampler, s_mixed, 5, _ => 1);

        var withHistory = sampler.Sample(SamplerHarness.Context(s_mixed, history, 5));
        var withoutHistory = sampler.Sample(SamplerHarness.Context(s_mixed, [], 5));

        Assert.Equal(withHistory, withoutHistory);
    }

    [Fact]
    public void Proposals_respect_bounds_steps_log_scales_and_choices()
    {
        var trials = SamplerHarness.Run(new RandomSampler(1), s_mixed, 300, _ => 0);

        foreach (var trial in trials)
        {
            SamplerHarness.AssertValidProposal(s_mixed, trial.Params);
        }

        Assert.Equal([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], trials.Select(t => Math.Round(t.Params["dropout"], 10)).Distinct().Order());
        Assert.Equal([1.0, 4, 7, 10], trials.Select(t => t.Params["layers"]).Distinct().Order());
        Assert.Equal([0.0, 1, 2], trials.Select(t => t.Params["optimizer"]).Distinct().Order());
    }

    [Fact]
    public void Integers_are_uniform_over_their_step_grid()
    {
        var space = new SearchSpace([new IntDistribution("n", 0, 10, Step: 5)]);

        var counts = SamplerHarness.Run(new RandomSampler(3), space, 3000, _ => 0)
            .GroupBy(t => t.Params["n"])
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal([0.0, 5, 10], counts.Keys.Order());
        Assert.All(counts.Values, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void Log_scaled_floats_are_uniform_in_log_space()
    {
        var space = new SearchSpace([new FloatDistribution("lr", 1e-4, 1, Log: true)]);

        var logs = SamplerHarness.Run(new RandomSampler(5), space, 2000, _ => 0).Select(t => Math.Log10(t.Params["lr"])).ToList();

        // Uniform on [-4, 0]: each quarter gets about a quarter of the draws.
        for (var quarter = -4; quarter < 0; quarter++)
        {
            Assert.InRange(logs.Count(l => l >= quarter && l < quarter + 1), 420, 580);
        }
    }
}

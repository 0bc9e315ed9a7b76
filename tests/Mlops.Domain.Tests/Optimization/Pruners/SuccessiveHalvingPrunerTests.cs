using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using static Mlops.Domain.Tests.Optimization.Pruners.PrunerTrials;

namespace Mlops.Domain.Tests.Optimization.Pruners;

public sealed class SuccessiveHalvingPrunerTests
{
    private static List<TrialSnapshot> AtStepOne(params double[] values) =>
        [.. values.Select((v, i) => Curve(100 + i, TrialState.Running, 1, v))];

    [Fact]
    public void Promotes_the_top_quarter_at_a_rung_and_prunes_the_rest()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);

        // With itself, 8 trials reached the rung: the best 2 go on.
        var seven = AtStepOne(1, 2, 3, 4, 5, 6, 7);
        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 1.5), seven));
        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, 2.5), seven));

        // With 12, the best 3 go on.
        var eleven = AtStepOne(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 2.5), eleven));
        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, 3.5), eleven));
    }

    [Fact]
    public void Promotes_only_the_best_while_fewer_than_eta_trials_reached_the_rung()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);

        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 5.0), []));
        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 0.5), AtStepOne(1, 2)));
        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, 1.5), AtStepOne(1, 2)));
    }

    [Fact]
    public void Promotes_the_largest_values_when_maximising()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);
        var seven = AtStepOne(1, 2, 3, 4, 5, 6, 7);

        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 6.5), seven, StudyDirection.Maximize));
        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, 5.5), seven, StudyDirection.Maximize));
    }

    [Fact]
    public void Places_rungs_at_the_minimum_resource_times_powers_of_the_reduction_factor()
    {
        // Rungs at 2 × 3^(1 + k): steps 6, 18, 54.
        var pruner = new SuccessiveHalvingPruner(minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1);
        List<TrialSnapshot> leaders = [.. Enumerable.Range(0, 3).Select(i => Curve(100 + i, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 60)]))];

        Assert.Equal([6, 18, 54], PrunedSteps(pruner, leaders, step => 9.0));
        Assert.Equal([18, 54], PrunedSteps(pruner, leaders, step => step <= 6 ? 0 : 9.0));
        Assert.Equal([54], PrunedSteps(pruner, leaders, step => step <= 18 ? 0 : 9.0));
    }

    [Fact]
    public void Decides_every_rung_that_one_report_crosses()
    {
        // Rungs at steps 1, 2, 4, 8; the trial reports first at step 8.
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2);
        var late = At(0, TrialState.Running, new() { [8] = 5 });
        List<TrialSnapshot> worseEverywhere = [.. Enumerable.Range(0, 4).Select(i => Curve(100 + i, TrialState.Complete, 1, [.. Enumerable.Repeat(10.0, 8)]))];
        List<TrialSnapshot> betterAtFirstRung = [.. Enumerable.Range(0, 4).Select(i => Curve(100 + i, TrialState.Complete, 1, [0.0, .. Enumerable.Repeat(10.0, 7)]))];
        List<TrialSnapshot> betterAtLastRung = [.. Enumerable.Range(0, 4).Select(i => Curve(100 + i, TrialState.Complete, 1, [.. Enumerable.Repeat(10.0, 7), 0.0]))];

        Assert.False(Asks(pruner, late, worseEverywhere));
        Assert.True(Asks(pruner, late, betterAtFirstRung));
        Assert.True(Asks(pruner, late, betterAtLastRung));
    }

    [Theory]
    [InlineData(TrialState.Running)]
    [InlineData(TrialState.Complete)]
    [InlineData(TrialState.Pruned)]
    [InlineData(TrialState.Failed)]
    public void Counts_every_trial_that_reached_the_rung_whatever_its_state(TrialState state)
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);

        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, 1.5), [Curve(1, state, 1, 1.0)]));
    }

    [Fact]
    public void Ignores_trials_that_did_not_reach_the_rung()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 4, reductionFactor: 4);

        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 9, 9, 9, 1.5), [Curve(1, TrialState.Pruned, 1, 0, 0, 0)]));
    }

    [Fact]
    public void Defaults_to_an_automatic_minimum_resource_estimated_from_completed_trials()
    {
        var pruner = new SuccessiveHalvingPruner();
        var bad = Curve(0, TrialState.Running, 1, 9, 9, 9, 9);
        var running = Curve(1, TrialState.Running, 1, [.. Enumerable.Repeat(0.0, 400)]);
        var done20 = Curve(2, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 20)]);
        var done400 = Curve(3, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 400)]);

        Assert.Equal(0, pruner.MinResource);

        // Nothing is pruned before a trial completes.
        Assert.False(AsksAt(pruner, bad, [running], step: 1));

        // 20 steps give a minimum resource of 1 (rungs 1, 4, 16); 400 steps give 4 (rungs 4, 16, 64).
        Assert.True(AsksAt(pruner, bad, [done20], step: 1));
        Assert.False(AsksAt(pruner, bad, [done400], step: 1));
        Assert.True(AsksAt(pruner, bad, [done400], step: 4));
    }

    [Fact]
    public void Prunes_NaN_at_a_rung_and_leaves_NaN_out_of_the_competition()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);

        Assert.True(Asks(pruner, Curve(0, TrialState.Running, 1, double.NaN), []));
        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 0, double.NaN), []));
        Assert.False(Asks(pruner, Curve(0, TrialState.Running, 1, 5), [Curve(1, TrialState.Pruned, 1, double.NaN)]));
    }

    [Fact]
    public void Never_prunes_at_a_step_the_trial_did_not_report()
    {
        var pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4);

        Assert.False(AsksAt(pruner, Curve(0, TrialState.Running, 2, 9), AtStepOne(0, 0, 0), step: 1));
    }

    [Theory]
    [InlineData(-1, 4, 0, "minimum resource")]
    [InlineData(1, 1, 0, "reduction factor")]
    [InlineData(1, 4, -1, "early-stopping rate")]
    public void Rejects_arguments_out_of_range_naming_them(int minResource, int reductionFactor, int minEarlyStoppingRate, string named)
    {
        var error = Assert.Throws<MlopsException>(() => new SuccessiveHalvingPruner(minResource, reductionFactor, minEarlyStoppingRate));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The steps 1..60 at which a trial following <paramref name="curve"/> would be told to stop.</summary>
    private static List<int> PrunedSteps(IPruner pruner, List<TrialSnapshot> others, Func<int, double> curve)
    {
        var pruned = new List<int>();
        var intermediate = new Dictionary<int, double>();
        for (var step = 1; step <= 60; step++)
        {
            intermediate[step] = curve(step);
            if (Asks(pruner, At(0, TrialState.Running, new(intermediate)), others))
            {
                pruned.Add(step);
            }
        }

        return pruned;
    }
}

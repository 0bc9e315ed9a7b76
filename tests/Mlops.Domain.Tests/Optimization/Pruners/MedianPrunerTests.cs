using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using static Mlops.Domain.Tests.Optimization.Pruners.PrunerTrials;

namespace Mlops.Domain.Tests.Optimization.Pruners;

public sealed class MedianPrunerTests
{
    private static readonly List<TrialSnapshot> s_fiveDone = Flat(10, 1.0, 2.0, 3.0, 4.0, 5.0);

    [Fact]
    public void Prunes_a_curve_worse_than_the_median_and_keeps_a_better_one()
    {
        var pruner = new MedianPruner();

        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 8, 7), s_fiveDone));
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 8, 2.5), s_fiveDone));
    }

    [Fact]
    public void Does_not_prune_a_curve_exactly_at_the_median()
    {
        Assert.False(Asks(new MedianPruner(), Curve(5, TrialState.Running, 0, 3.0), s_fiveDone));
    }

    [Fact]
    public void Compares_the_best_value_so_far_not_the_latest()
    {
        var trial = Curve(5, TrialState.Running, 0, 0.5, 9, 9);

        Assert.False(Asks(new MedianPruner(), trial, s_fiveDone));
    }

    [Fact]
    public void Waits_until_the_startup_trials_have_completed()
    {
        var trial = Curve(9, TrialState.Running, 0, 9);
        var fourDone = s_fiveDone.Take(4).ToList();
        var notDone = new[] { Curve(6, TrialState.Running, 0, 1), Curve(7, TrialState.Pruned, 0, 1), Curve(8, TrialState.Failed, 0, 1) };

        Assert.False(Asks(new MedianPruner(startupTrials: 5), trial, [.. fourDone, .. notDone]));
        Assert.True(Asks(new MedianPruner(startupTrials: 4), trial, [.. fourDone, .. notDone]));
        Assert.True(Asks(new MedianPruner(startupTrials: 5), trial, s_fiveDone));
    }

    [Fact]
    public void Does_not_prune_before_the_warmup_steps()
    {
        var pruner = new MedianPruner(warmupSteps: 3);

        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9, 9), s_fiveDone));
        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9, 9, 9), s_fiveDone));
    }

    [Fact]
    public void Checks_only_at_the_first_reported_step_of_each_interval()
    {
        var pruner = new MedianPruner(warmupSteps: 1, intervalSteps: 3);

        // Windows start at steps 1, 4, 7: a trial reporting every step is judged at those steps only.
        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9), s_fiveDone));
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9, 9), s_fiveDone));
        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9, 9, 9, 9), s_fiveDone));
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 9, 9, 9, 9, 9, 9), s_fiveDone));

        // A trial that skipped step 4 is judged at its next report in that window.
        var skipped = At(5, TrialState.Running, new() { [0] = 9, [1] = 9, [5] = 9 });
        Assert.True(Asks(pruner, skipped, s_fiveDone));
    }

    [Fact]
    public void Works_when_maximising()
    {
        var pruner = new MedianPruner();

        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 0.5, 2.5), s_fiveDone, StudyDirection.Maximize));
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 0.5, 3.5), s_fiveDone, StudyDirection.Maximize));
    }

    [Fact]
    public void Never_prunes_at_a_step_the_trial_did_not_report()
    {
        var trial = Curve(5, TrialState.Running, 0, 9, 9);

        Assert.False(AsksAt(new MedianPruner(), trial, s_fiveDone, step: 2));
    }

    [Fact]
    public void Does_not_prune_at_a_step_no_completed_trial_reached()
    {
        var shortCurves = Flat(3, 1.0, 2.0, 3.0, 4.0, 5.0);

        Assert.False(Asks(new MedianPruner(), Curve(5, TrialState.Running, 0, 9, 9, 9, 9), shortCurves));
    }

    [Fact]
    public void Prunes_a_trial_with_only_NaN_values_and_ignores_NaN_elsewhere()
    {
        var pruner = new MedianPruner();

        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, double.NaN, double.NaN), s_fiveDone));

        // A NaN after a good value leaves the good value as the best so far.
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 1.5, double.NaN), s_fiveDone));

        // NaNs among the completed trials are left out of the median: 1, 2, 3 gives 2.
        var withNaN = Flat(2, 1.0, 2.0, 3.0, double.NaN, double.NaN);
        Assert.True(Asks(pruner, Curve(5, TrialState.Running, 0, 2.5), withNaN));
        Assert.False(Asks(pruner, Curve(5, TrialState.Running, 0, 2.5), Flat(2, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)));
    }
}

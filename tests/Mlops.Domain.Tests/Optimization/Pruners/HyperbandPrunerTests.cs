using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using static Mlops.Domain.Tests.Optimization.Pruners.PrunerTrials;

namespace Mlops.Domain.Tests.Optimization.Pruners;

public sealed class HyperbandPrunerTests
{
    [Theory]
    [InlineData(1, 20, 3, 3)]
    [InlineData(1, 26, 3, 3)]
    [InlineData(1, 27, 3, 4)]
    [InlineData(1, 243, 3, 6)]
    [InlineData(2, 20, 3, 3)]
    [InlineData(1, 100, 4, 4)]
    [InlineData(5, 5, 3, 1)]
    public void Has_floor_of_log_eta_of_the_resource_ratio_plus_one_brackets(int min, int max, int eta, int brackets)
    {
        Assert.Equal(brackets, new HyperbandPruner(min, max, eta).BracketCount);
    }

    [Fact]
    public void Assigns_brackets_deterministically_in_proportion_to_their_budgets()
    {
        var pruner = new HyperbandPruner(1, 20, 3);
        var again = new HyperbandPruner(1, 20, 3);
        var counts = new int[3];
        for (var n = 0; n < 17_000; n++)
        {
            var bracket = pruner.BracketOf(n);
            Assert.Equal(bracket, again.BracketOf(n));
            counts[bracket]++;
        }

        // Budgets for 3 brackets of factor 3: ceil(3·9/3) = 9, ceil(3·3/2) = 5, ceil(3·1/1) = 3, out of 17.
        Assert.InRange(counts[0], 8_700, 9_300);
        Assert.InRange(counts[1], 4_700, 5_300);
        Assert.InRange(counts[2], 2_800, 3_200);
        Assert.True(Enumerable.Range(0, 17).Select(pruner.BracketOf).Distinct().Count() > 1);
    }

    [Fact]
    public void Compares_a_trial_only_with_the_trials_of_its_bracket()
    {
        var pruner = new HyperbandPruner(1, 20, 3);
        var inBracket0 = Enumerable.Range(0, 1000).Where(n => pruner.BracketOf(n) == 0).ToList();
        var inBracket1 = Enumerable.Range(0, 1000).Where(n => pruner.BracketOf(n) == 1).ToList();
        List<TrialSnapshot> others =
        [
            .. inBracket0.Skip(1).Take(3).Select(n => Curve(n, TrialState.Complete, 1, [.. Enumerable.Repeat(5.0, 20)])),
            .. inBracket1.Skip(1).Take(3).Select(n => Curve(n, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 20)])),
        ];
        var trial = Curve(inBracket0[0], TrialState.Running, 1, 4.0);

        // Bracket 0 judges at step 1, where 4 beats its own peers' 5; against everyone it would lose to the 0s.
        Assert.False(Asks(pruner, trial, others));
        Assert.True(Asks(new SuccessiveHalvingPruner(1, 3, 0), trial, others));
    }

    [Fact]
    public void Starts_judging_higher_brackets_later()
    {
        var pruner = new HyperbandPruner(1, 20, 3);
        var inBracket1 = Enumerable.Range(0, 1000).Where(n => pruner.BracketOf(n) == 1).ToList();
        var inBracket2 = Enumerable.Range(0, 1000).Where(n => pruner.BracketOf(n) == 2).ToList();
        List<TrialSnapshot> others =
        [
            .. inBracket1.Skip(1).Take(3).Select(n => Curve(n, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 20)])),
            .. inBracket2.Skip(1).Take(3).Select(n => Curve(n, TrialState.Complete, 1, [.. Enumerable.Repeat(0.0, 20)])),
        ];

        // Bracket 1 has rungs at steps 3 and 9, bracket 2 at step 9 only.
        Assert.False(Asks(pruner, Curve(inBracket1[0], TrialState.Running, 1, 9, 9), others));
        Assert.True(Asks(pruner, Curve(inBracket1[0], TrialState.Running, 1, 9, 9, 9), others));
        Assert.False(Asks(pruner, Curve(inBracket2[0], TrialState.Running, 1, 9, 9, 9), others));
        Assert.True(Asks(pruner, Curve(inBracket2[0], TrialState.Running, 1, [.. Enumerable.Repeat(9.0, 9)]), others));
    }

    [Theory]
    [InlineData(0, 20, 3, "minimum resource")]
    [InlineData(10, 5, 3, "maximum resource")]
    [InlineData(1, 20, 1, "reduction factor")]
    public void Rejects_arguments_out_of_range_naming_them(int min, int max, int eta, string named)
    {
        var error = Assert.Throws<MlopsException>(() => new HyperbandPruner(min, max, eta));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}

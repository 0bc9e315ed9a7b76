using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using static Mlops.Domain.Tests.Optimization.Pruners.PrunerTrials;

namespace Mlops.Domain.Tests.Optimization.Pruners;

public sealed class PercentilePrunerTests
{
    // At step 0 the completed values are 1, 2, 3, 10: the 25th percentile is 1.75 and the 75th is 4.75.
    private static readonly List<TrialSnapshot> s_done = Flat(1, 1.0, 2.0, 3.0, 10.0);

    [Fact]
    public void Keeps_a_quarter_at_25_and_three_quarters_at_75_when_minimising()
    {
        var p25 = new PercentilePruner(25, startupTrials: 4);
        var p75 = new PercentilePruner(75, startupTrials: 4);

        Assert.False(Asks(p25, Curve(4, TrialState.Running, 0, 1.7), s_done));
        Assert.True(Asks(p25, Curve(4, TrialState.Running, 0, 1.8), s_done));
        Assert.False(Asks(p75, Curve(4, TrialState.Running, 0, 4.7), s_done));
        Assert.True(Asks(p75, Curve(4, TrialState.Running, 0, 4.8), s_done));
    }

    [Fact]
    public void Keeps_the_top_share_from_the_other_end_when_maximising()
    {
        var p25 = new PercentilePruner(25, startupTrials: 4);
        var p75 = new PercentilePruner(75, startupTrials: 4);

        Assert.True(Asks(p25, Curve(4, TrialState.Running, 0, 4.7), s_done, StudyDirection.Maximize));
        Assert.False(Asks(p25, Curve(4, TrialState.Running, 0, 4.8), s_done, StudyDirection.Maximize));
        Assert.True(Asks(p75, Curve(4, TrialState.Running, 0, 1.7), s_done, StudyDirection.Maximize));
        Assert.False(Asks(p75, Curve(4, TrialState.Running, 0, 1.8), s_done, StudyDirection.Maximize));
    }

    [Fact]
    public void Accepts_the_ends_of_the_percentile_range()
    {
        Assert.True(Asks(new PercentilePruner(0, startupTrials: 1), Curve(4, TrialState.Running, 0, 1.5), s_done));
        Assert.False(Asks(new PercentilePruner(100, startupTrials: 1), Curve(4, TrialState.Running, 0, 10), s_done));
    }

    [Theory]
    [InlineData(-1, 5, 0, 1, "percentile")]
    [InlineData(100.5, 5, 0, 1, "percentile")]
    [InlineData(double.NaN, 5, 0, 1, "percentile")]
    [InlineData(50, -1, 0, 1, "startup trials")]
    [InlineData(50, 5, -1, 1, "warmup steps")]
    [InlineData(50, 5, 0, 0, "interval steps")]
    public void Rejects_arguments_out_of_range_naming_them(double percentile, int startup, int warmup, int interval, string named)
    {
        var error = Assert.Throws<MlopsException>(() => new PercentilePruner(percentile, startup, warmup, interval));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Median_rejects_bad_arguments_too()
    {
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<MlopsException>(() => new MedianPruner(intervalSteps: 0)).Kind);
    }
}

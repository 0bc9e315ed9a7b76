using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using static Mlops.Domain.Tests.Optimization.Pruners.PrunerTrials;

namespace Mlops.Domain.Tests.Optimization.Pruners;

public sealed class NopPrunerTests
{
    [Fact]
    public void Never_prunes_even_a_hopeless_trial()
    {
        var trial = Curve(10, TrialState.Running, 0, 100, 100, double.NaN);

        Assert.False(Asks(new NopPruner(), trial, Flat(3, 1, 1, 1, 1, 1, 1)));
    }
}

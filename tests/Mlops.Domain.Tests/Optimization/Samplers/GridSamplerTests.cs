using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Tests.Optimization.Samplers;

public sealed class GridSamplerTests
{
    private static readonly SearchSpace s_flat = new(
    [
        new FloatDistribution("dropout", 0, 1, Step: 0.25),
        new IntDistribution("layers", 1, 10, Step: 3),
        new CategoricalDistribution("optimizer", ["adam", "sgd", "rmsprop"]),
    ]);

    // svm: 3 values of c times 2 kernels; tree: 4 depths; knn: nothing more. 6 + 4 + 1 = 11 points.
    private static readonly SearchSpace s_conditional = new(
    [
        new CategoricalDistribution("model", ["svm", "tree", "knn"]),
        new FloatDistribution("c", 0.5, 1.5, Step: 0.5) { Condition = new ParameterCondition("model", ["svm"]) },
        new CategoricalDistribution("kernel", ["linear", "rbf"]) { Condition = new ParameterCondition("model", ["svm"]) },
        new IntDistribution("depth", 1, 4) { Condition = new ParameterCondition("model", ["tree"]) },
    ]);

    [Fact]
    public void Counts_the_points_of_a_flat_grid()
    {
        Assert.Equal(5 * 4 * 3, GridSampler.GridSize(s_flat));
    }

    [Fact]
    public void Counts_only_the_active_combinations_of_a_conditional_grid()
    {
        Assert.Equal(11, GridSampler.GridSize(s_conditional));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Visits_every_point_once_then_reports_the_grid_exhausted(bool conditional)
    {
        var space = conditional ? s_conditional : s_flat;
        var size = (int)GridSampler.GridSize(space);
        var sampler = new GridSampler(11);

        var trials = SamplerHarness.Run(sampler, space, size, _ => 0);

        foreach (var trial in trials)
        {
            SamplerHarness.AssertValidProposal(space, trial.Params);
        }

        Assert.Equal(size, trials.Select(t => Key(t.Params)).Distinct().Count());
        var error = Assert.Throws<MlopsException>(() => sampler.Sample(SamplerHarness.Context(space, trials, size)));
        Assert.Equal(ErrorKind.LimitExceeded, error.Kind);
        Assert.Contains($"grid of {size} points is exhausted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_trials_hold_their_points()
    {
        var sampler = new GridSampler(5);
        var first = sampler.Sample(SamplerHarness.Context(s_flat, [], 0));

        var second = sampler.Sample(SamplerHarness.Context(s_flat, [SamplerHarness.Running(0, first)], 1));

        Assert.NotEqual(Key(first), Key(second));
    }

    [Fact]
    public void The_order_is_shuffled_by_the_seed()
    {
        var order = SamplerHarness.Run(new GridSampler(1), s_flat, 60, _ => 0).Select(t => Key(t.Params)).ToList();
        var again = SamplerHarness.Run(new GridSampler(1), s_flat, 60, _ => 0).Select(t => Key(t.Params)).ToList();
        var other = SamplerHarness.Run(new GridSampler(2), s_flat, 60, _ => 0).Select(t => Key(t.Params)).ToList();

        Assert.Equal(order, again);
        Assert.NotEqual(order, other);
        Assert.Equal(order.Order(), other.Order());
    }

    [Fact]
    public void Trials_off_the_grid_do_not_take_a_point()
    {
        var offGrid = new Dictionary<string, double> { ["dropout"] = 0.3, ["layers"] = 1, ["optimizer"] = 0 };
        var history = new List<TrialSnapshot> { SamplerHarness.Complete(0, offGrid, 1.0) };

        var trials = history.Concat(SamplerHarness.Run(new GridSampler(3), s_flat, 60, _ => 0)).ToList();

        Assert.Equal(60, trials.Skip(1).Select(t => Key(t.Params)).Distinct().Count());
    }

    [Fact]
    public void A_float_without_a_step_cannot_be_searched_on_a_grid()
    {
        var space = new SearchSpace([new FloatDistribution("learning_rate", 0, 1), new IntDistribution("n", 1, 3)]);

        var error = Assert.Throws<MlopsException>(() => new GridSampler(0).Sample(SamplerHarness.Context(space, [], 0)));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'learning_rate'", error.Message, StringComparison.Ordinal);
        Assert.Contains("step", error.Message, StringComparison.Ordinal);
        Assert.Throws<MlopsException>(() => GridSampler.GridSize(space));
    }

    [Fact]
    public void A_grid_too_large_to_count_is_rejected()
    {
        var space = new SearchSpace(
        [
            new IntDistribution("a", 0, 4_000_000_000),
            new IntDistribution("b", 0, 4_000_000_000),
            new IntDistribution("c", 0, 4_000_000_000),
        ]);

        var error = Assert.Throws<MlopsException>(() => GridSampler.GridSize(space));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    private static string Key(IReadOnlyDictionary<string, double> values) =>
        string.Join(",", values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value:R}"));
}

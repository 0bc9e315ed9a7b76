using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;
using Mlops.Infrastructure.Learning.Optimization;

namespace Mlops.Infrastructure.Tests.Learning;

public sealed class ForestParameterImportanceTests
{
    private static readonly SearchSpace s_space = new(
    [
        new FloatDistribution("x", -5, 5),
        new FloatDistribution("y", 1e-3, 1, Log: true),
        new CategoricalDistribution("kind", ["a", "b", "c"]),
    ]);

    /// <summary>Trials spread over the space whose objective is <paramref name="objective"/>(x, y, kind index).</summary>
    private static List<TrialSnapshot> Study(int count, Func<double, double, int, double> objective)
    {
        var random = new Random(7);
        var trials = new List<TrialSnapshot>();
        for (var n = 0; n < count; n++)
        {
            var x = -5 + (10 * random.NextDouble());
            var y = Math.Pow(10, -3 + (3 * random.NextDouble()));
            var kind = random.Next(3);
            var value = objective(x, y, kind);
            trials.Add(new TrialSnapshot(n, TrialState.Complete, new Dictionary<string, double> { ["x"] = x, ["y"] = y, ["kind"] = kind }, [value], new Dictionary<int, double>()));
        }

        return trials;
    }

    [Fact]
    public void Ranks_the_parameter_the_objective_depends_on_far_above_the_others()
    {
        var trials = Study(60, (x, y, _) => (x * x) + (0.01 * y));

        var importances = new ForestParameterImportance().Compute(s_space, trials, StudyDirection.Minimize);

        Assert.Equal("x", importances.Keys.First());
        Assert.True(importances["x"] > 0.8, $"x got {importances["x"]}");
        Assert.True(importances["x"] > 10 * importances["y"], $"x got {importances["x"]}, y got {importances["y"]}");
    }

    [Fact]
    public void Returns_one_share_per_parameter_summing_to_one_highest_first()
    {
        var trials = Study(40, (x, y, kind) => x + Math.Log(y) + kind);

        var importances = new ForestParameterImportance().Compute(s_space, trials, StudyDirection.Maximize);

        Assert.Equal(["kind", "x", "y"], importances.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1.0, importances.Values.Sum(), 9);
        Assert.All(importances.Values, v => Assert.InRange(v, 0, 1));
        Assert.Equal(importances.Values.OrderByDescending(v => v), importances.Values);
    }

    [Fact]
    public void Finds_a_categorical_parameter_that_drives_the_objective()
    {
        var trials = Study(60, (x, _, kind) => (kind == 1 ? 10 : 0) + (0.01 * x));

        var importances = new ForestParameterImportance().Compute(s_space, trials, StudyDirection.Minimize);

        Assert.Equal("kind", importances.Keys.First());
        Assert.True(importances["kind"] > 0.8, $"kind got {importances["kind"]}");
    }

    [Fact]
    public void Handles_inactive_conditional_parameters()
    {
        var space = new SearchSpace(
        [
            new CategoricalDistribution("model", ["linear", "tree"]),
            new FloatDistribution("alpha", 1e-4, 1, Log: true) { Condition = new ParameterCondition("model", ["linear"]) },
            new IntDistribution("depth", 1, 10) { Condition = new ParameterCondition("model", ["tree"]) },
        ]);
        var random = new Random(3);
        var trials = new List<TrialSnapshot>();
        for (var n = 0; n < 60; n++)
        {
            var tree = n % 2 == 1;
            var p = new Dictionary<string, double> { ["model"] = tree ? 1 : 0 };
            double value;
            if (tree)
            {
                p["depth"] = random.Next(1, 11);
                value = Math.Abs(p["depth"] - 6);
            }
            else
            {
                p["alpha"] = Math.Pow(10, -4 + (4 * random.NextDouble()));
                value = 3;
            }

            trials.Add(new TrialSnapshot(n, TrialState.Complete, p, [value], new Dictionary<int, double>()));
        }

        var importances = new ForestParameterImportance().Compute(space, trials, StudyDirection.Minimize);

        Assert.Equal("depth", importances.Keys.First());
        Assert.True(importances["depth"] > importances["alpha"]);
        Assert.Equal(1.0, importances.Values.Sum(), 9);
    }

    [Fact]
    public void Is_deterministic_for_a_seed()
    {
        var trials = Study(30, (x, y, kind) => (x * x) + y + kind);

        var first = new ForestParameterImportance(seed: 5).Compute(s_space, trials, StudyDirection.Minimize);
        var second = new ForestParameterImportance(seed: 5).Compute(s_space, trials, StudyDirection.Minimize);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Gives_equal_shares_when_the_objective_never_changes()
    {
        var trials = Study(10, (_, _, _) => 1.0);

        var importances = new ForestParameterImportance().Compute(s_space, trials, StudyDirection.Minimize);

        Assert.All(importances.Values, v => Assert.Equal(1.0 / 3, v, 9));
    }

    [Fact]
    public void Returns_nothing_with_fewer_than_two_usable_trials()
    {
        var one = Study(1, (x, _, _) => x);
        var unusable = new List<TrialSnapshot>
        {
            one[0],
            one[0] with { Number = 1, State = TrialState.Pruned, Values = null },
            one[0] with { Number = 2, Values = [double.NaN] },
        };

        Assert.Empty(new ForestParameterImportance().Compute(s_space, [], StudyDirection.Minimize));
        Assert.Empty(new ForestParameterImportance().Compute(s_space, one, StudyDirection.Minimize));
        Assert.Empty(new ForestParameterImportance().Compute(s_space, unusable, StudyDirection.Minimize));
    }

    [Fact]
    public void Works_with_just_two_trials()
    {
        var importances = new ForestParameterImportance().Compute(s_space, Study(2, (x, _, _) => x), StudyDirection.Minimize);

        Assert.Equal(3, importances.Count);
        Assert.Equal(1.0, importances.Values.Sum(), 9);
    }
}

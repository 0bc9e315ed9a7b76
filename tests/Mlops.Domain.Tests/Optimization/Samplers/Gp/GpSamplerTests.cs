using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Samplers.Gp;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Tests.Optimization.Samplers.Gp;

public sealed class GpSamplerTests
{
    private static readonly Dictionary<int, double> s_noSteps = [];

    private static readonly SearchSpace s_square = new([new FloatDistribution("x", -5, 5), new FloatDistribution("y", -5, 5)]);

    private static double Quadratic(IReadOnlyDictionary<string, double> p) => Math.Pow(p["x"] - 1.3, 2) + Math.Pow(p["y"] + 2.1, 2);

    private static List<TrialSnapshot> Run(ISampler sampler, SearchSpace space, Func<IReadOnlyDictionary<string, double>, double> objective, int trials, StudyDirection direction = StudyDirection.Minimize)
    {
        var history = new List<TrialSnapshot>();
        for (var t = 0; t < trials; t++)
        {
            var values = sampler.Sample(new SamplingContext(space, [direction], history, t));
            history.Add(new TrialSnapshot(t, TrialState.Complete, values, [objective(values)], s_noSteps));
        }

        return history;
    }

    [Fact]
    public void The_same_seed_and_history_give_the_same_trials()
    {
        var first = Run(new GpSampler(7), s_square, Quadratic, 16);
        var second = Run(new GpSampler(7), s_square, Quadratic, 16);
        var other = Run(new GpSampler(8), s_square, Quadratic, 16);

        Assert.Equal(first.Select(t => t.Params), second.Select(t => t.Params));
        Assert.NotEqual(first.Select(t => t.Params["x"]), other.Select(t => t.Params["x"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Gets_close_to_the_minimum_of_a_quadratic_in_twenty_trials(int seed)
    {
        var best = Run(new GpSampler(seed), s_square, Quadratic, 20).Min(t => t.Values![0]);

        // Random search needs hundreds of trials for this; the GP typically lands within 1e-3.
        Assert.True(best < 0.05, $"best {best}");
    }

    [Fact]
    public void Maximises_by_negating_the_objective()
    {
        var best = Run(new GpSampler(3), s_square, p => -Quadratic(p), 20, StudyDirection.Maximize).Max(t => t.Values![0]);

        Assert.True(best > -0.05, $"best {best}");
    }

    [Fact]
    public void Respects_ranges_log_scales_steps_and_choices()
    {
        var space = new SearchSpace(
        [
            new FloatDistribution("plain", -1, 2),
            new FloatDistribution("log", 1e-5, 1, Log: true),
            new FloatDistribution("stepped", 0, 1, Step: 0.25),
            new IntDistribution("int", 1, 9, Step: 2),
            new IntDistribution("logint", 1, 1000, Log: true),
            new CategoricalDistribution("choice", ["a", "b", "c"]),
            new IntDistribution("fixed", 4, 4),
        ]);
        double Objective(IReadOnlyDictionary<string, double> p) =>
            Math.Pow(Math.Log10(p["log"]) + 3, 2) + p["stepped"] + Math.Abs(p["int"] - 5) + Math.Abs(Math.Log(p["logint"]) - 3) + p["choice"] + p["plain"];

        var history = Run(new GpSampler(11), space, Objective, 30);

        foreach (var trial in history)
        {
            Assert.Equal(space.Parameters.Count, trial.Params.Count);
            foreach (var parameter in space.Parameters)
            {
                Assert.True(parameter.Contains(trial.Params[parameter.Name]), $"{parameter.Name} = {trial.Params[parameter.Name]}");
            }
        }

        // Log scales are searched in log space: the log parameter's proposals are not crowded near its upper bound.
        Assert.Contains(history, t => t.Params["log"] < 1e-3);
        Assert.Equal(3, history.Select(t => t.Params["choice"]).Distinct().Count());
    }

    [Fact]
    public void Startup_trials_cover_every_stratum_of_every_dimension()
    {
        var options = new GpOptions { StartupTrials = 8 };
        var history = Run(new GpSampler(5, options), s_square, Quadratic, 8);

        foreach (var name in new[] { "x", "y" })
        {
            var strata = history.Select(t => (int)Math.Floor((t.Params[name] + 5) / 10 * 8)).Order();
            Assert.Equal(Enumerable.Range(0, 8), strata);
        }
    }

    [Fact]
    public void A_running_trial_makes_the_next_ask_propose_a_different_point()
    {
        var sampler = new GpSampler(4);
        var history = Run(sampler, s_square, Quadratic, 14);

        var first = sampler.Sample(new SamplingContext(s_square, [StudyDirection.Minimize], history, 14));
        history.Add(new TrialSnapshot(14, TrialState.Running, first, null, s_noSteps));
        var second = sampler.Sample(new SamplingContext(s_square, [StudyDirection.Minimize], history, 15));

        var distance = Math.Sqrt(Math.Pow(first["x"] - second["x"], 2) + Math.Pow(first["y"] - second["y"], 2));
        Assert.True(distance > 0.1, $"both asks proposed about ({first["x"]}, {first["y"]})");
    }

    [Fact]
    public void Models_only_completed_trials()
    {
        // Pruned and failed trials sit in a corner with absurdly good intermediate values; a sampler that modelled
        // them would keep proposing that corner instead of finding the quadratic's minimum.
        var sampler = new GpSampler(2, new GpOptions { StartupTrials = 4 });
        var corner = new Dictionary<string, double> { ["x"] = -4.9, ["y"] = 4.9 };
        var history = new List<TrialSnapshot>();
        for (var t = 0; t < 24; t++)
        {
            if (t % 3 == 0)
            {
                history.Add(t % 2 == 0
                    ? new TrialSnapshot(t, TrialState.Pruned, corner, null, new Dictionary<int, double> { [1] = -1e9 })
                    : new TrialSnapshot(t, TrialState.Failed, corner, null, s_noSteps));
                continue;
            }

            var values = sampler.Sample(new SamplingContext(s_square, [StudyDirection.Minimize], history, t));
            Assert.True(s_square.Parameters.All(p => p.Contains(values[p.Name])));
            history.Add(new TrialSnapshot(t, TrialState.Complete, values, [Quadratic(values)], s_noSteps));
        }

        Assert.True(history.Where(t => t.State == TrialState.Complete).Min(t => t.Values![0]) < 0.05);
    }

    [Fact]
    public void Draws_conditional_parameters_only_when_they_are_active()
    {
        var space = new SearchSpace(
        [
            new CategoricalDistribution("model", ["linear", "tree"]),
            new FloatDistribution("alpha", 1e-4, 1, Log: true) { Condition = new ParameterCondition("model", ["linear"]) },
            new IntDistribution("depth", 1, 8) { Condition = new ParameterCondition("model", ["tree"]) },
            new FloatDistribution("rate", 0, 1),
        ]);
        double Objective(IReadOnlyDictionary<string, double> p) => p["rate"] + (p.TryGetValue("depth", out var depth) ? depth / 8 : 1);

        var history = Run(new GpSampler(9, new GpOptions { StartupTrials = 5 }), space, Objective, 20);

        foreach (var trial in history)
        {
            var tree = trial.Params["model"] == 1;
            Assert.Equal(tree, trial.Params.ContainsKey("depth"));
            Assert.Equal(!tree, trial.Params.ContainsKey("alpha"));
        }
    }

    [Fact]
    public void Searches_a_space_of_only_categorical_parameters()
    {
        var space = new SearchSpace([new CategoricalDistribution("a", ["x", "y", "z"]), new CategoricalDistribution("b", [1L, 2L, 3L, 4L])]);
        double Objective(IReadOnlyDictionary<string, double> p) => Math.Abs(p["a"] - 2) + Math.Abs(p["b"] - 1) + (p["a"] * 0.1);

        var history = Run(new GpSampler(6), space, Objective, 20);

        Assert.Contains(history, t => t.Params["a"] == 2 && t.Params["b"] == 1);
    }

    [Fact]
    public void Falls_back_to_random_sampling_with_several_objectives()
    {
        var sampler = new GpSampler(1);
        var history = new List<TrialSnapshot>();
        for (var t = 0; t < 15; t++)
        {
            var values = sampler.Sample(new SamplingContext(s_square, [StudyDirection.Minimize, StudyDirection.Maximize], history, t));
            history.Add(new TrialSnapshot(t, TrialState.Complete, values, [values["x"], values["y"]], s_noSteps));
        }

        Assert.All(history, t => Assert.True(s_square.Parameters.All(p => p.Contains(t.Params[p.Name]))));
    }
}

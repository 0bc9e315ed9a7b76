using CsCheck;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Tests.Optimization.Samplers;

/// <summary>Runs small sequential studies against a sampler and generates search spaces for property tests.</summary>
internal static class SamplerHarness
{
    private static readonly IReadOnlyDictionary<int, double> s_noIntermediate = new Dictionary<int, double>();

    public static SamplingContext Context(SearchSpace space, IReadOnlyList<TrialSnapshot> trials, int trialNumber, params StudyDirection[] directions) =>
        new(space, directions.Length == 0 ? [StudyDirection.Minimize] : directions, trials, trialNumber);

    public static TrialSnapshot Complete(int number, IReadOnlyDictionary<string, double> values, params double[] objectives) =>
        new(number, TrialState.Complete, values, objectives, s_noIntermediate);

    public static TrialSnapshot Running(int number, IReadOnlyDictionary<string, double> values) =>
        new(number, TrialState.Running, values, null, s_noIntermediate);

    public static TrialSnapshot Pruned(int number, IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<int, double> intermediate) =>
        new(number, TrialState.Pruned, values, null, intermediate);

    /// <summary>Asks <paramref name="count"/> trials one after another, completing each with <paramref name="objective"/>.</summary>
    public static List<TrialSnapshot> Run(ISampler sampler, SearchSpace space, int count, Func<IReadOnlyDictionary<string, double>, double> objective)
    {
        var trials = new List<TrialSnapshot>();
        for (var number = 0; number < count; number++)
        {
            var values = sampler.Sample(Context(space, trials, number));
            trials.Add(Complete(number, values, objective(values)));
        }

        return trials;
    }

    /// <summary>Every active parameter is present and inside its distribution; nothing else is present.</summary>
    public static void AssertValidProposal(SearchSpace space, IReadOnlyDictionary<string, double> values)
    {
        var active = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var parameter in space.Parameters)
        {
            if (!space.IsActive(parameter, active))
            {
                Assert.False(values.ContainsKey(parameter.Name), $"'{parameter.Name}' was proposed while inactive.");
                continue;
            }

            Assert.True(values.TryGetValue(parameter.Name, out var value), $"'{parameter.Name}' is active but missing.");
            Assert.True(parameter.Contains(value), $"'{parameter.Name}' = {value:R} is outside {parameter}.");
            active[parameter.Name] = value;
        }

        Assert.Equal(active.Count, values.Count);
    }

    /// <summary>A float, integer or categorical distribution, with log and step variants, over moderate ranges.</summary>
    public static Gen<ParameterDistribution> Distribution(string name)
    {
        var linearFloat =
            from low in Gen.Double[-1e6, 1e6]
            from width in Gen.OneOf(Gen.Const(0.0), Gen.Double[1e-3, 1e6])
            select (ParameterDistribution)new FloatDistribution(name, low, low + width);
        var logFloat =
            from low in Gen.Double[1e-6, 1e3]
            from factor in Gen.Double[1, 1e6]
            select (ParameterDistribution)new FloatDistribution(name, low, low * factor, Log: true);
        var steppedFloat =
            from low in Gen.Double[-1e3, 1e3]
            from step in Gen.Double[1e-3, 10]
            from steps in Gen.Int[0, 2000]
            from extra in Gen.OneOf(Gen.Const(0.0), Gen.Double[0, 0.999])
            select (ParameterDistribution)new FloatDistribution(name, low, low + ((steps + extra) * step), Step: step);
        var linearInt =
            from low in Gen.Long[-1_000_000_000, 1_000_000_000]
            from width in Gen.Long[0, 1_000_000_000]
            from step in Gen.Long[1, 1000]
            select (ParameterDistribution)new IntDistribution(name, low, low + width, Step: step);
        var logInt =
            from low in Gen.Long[1, 1000]
            from width in Gen.Long[0, 1_000_000]
            select (ParameterDistribution)new IntDistribution(name, low, low + width, Log: true);
        var categorical =
            from count in Gen.Int[1, 6]
            from kind in Gen.Int[0, 2]
            select (ParameterDistribution)new CategoricalDistribution(name, Choices(count, kind));
        return Gen.OneOf(linearFloat, logFloat, steppedFloat, linearInt, logInt, categorical);
    }

    /// <summary>A distribution with at most a dozen grid values: stepped floats, integers, categoricals.</summary>
    public static Gen<ParameterDistribution> GridDistribution(string name)
    {
        var steppedFloat =
            from low in Gen.Double[-100, 100]
            from step in Gen.Double[1e-3, 10]
            from steps in Gen.Int[0, 11]
            from extra in Gen.OneOf(Gen.Const(0.0), Gen.Double[0, 0.999])
            select (ParameterDistribution)new FloatDistribution(name, low, low + ((steps + extra) * step), Step: step);
        var integer =
            from low in Gen.Long[-1000, 1000]
            from step in Gen.Long[1, 50]
            from steps in Gen.Long[0, 11]
            from extra in Gen.Long[0, 49]
            select (ParameterDistribution)new IntDistribution(name, low, low + (steps * step) + Math.Min(extra, step - 1), Step: step);
        var categorical =
            from count in Gen.Int[1, 6]
            select (ParameterDistribution)new CategoricalDistribution(name, Choices(count, 0));
        return Gen.OneOf(steppedFloat, integer, categorical);
    }

    /// <summary>A grid-able space of one to three parameters, the second and third possibly conditional on the first.</summary>
    public static Gen<SearchSpace> GridSpace =>
        from first in GridDistribution("p0")
        from count in Gen.Int[0, 2]
        from others in GridDistribution("p").Array[count]
        from conditional in Gen.Bool.Array[count]
        select new SearchSpace(
            others.Select((d, i) => d with
            {
                Name = $"p{i + 1}",
                Condition = conditional[i] && first is CategoricalDistribution parent ? new ParameterCondition("p0", [parent.Choices[0]]) : null,
            }).Prepend(first));

    /// <summary>A flat space of one to four parameters.</summary>
    public static Gen<SearchSpace> Space =>
        from count in Gen.Int[1, 4]
        from distributions in Distribution("p").Array[count]
        select new SearchSpace(distributions.Select((d, i) => d with { Name = $"p{i}" }));

    private static object[] Choices(int count, int kind) => kind switch
    {
        0 => [.. Enumerable.Range(0, count).Select(i => (object)$"choice{i}")],
        1 => [.. Enumerable.Range(0, count).Select(i => (object)(i * 10L))],
        _ => [.. Enumerable.Range(0, Math.Min(count, 2)).Select(i => (object)(i == 1))],
    };
}

using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;

namespace Mlops.Domain.Tests.Optimization.Pruners;

/// <summary>Builds trials from hand-written learning curves.</summary>
internal static class PrunerTrials
{
    private static readonly Dictionary<string, double> s_noParams = [];

    /// <summary>A trial whose curve reports <paramref name="values"/> at steps <paramref name="firstStep"/>, +1, ...</summary>
    public static TrialSnapshot Curve(int number, TrialState state, int firstStep, params double[] values)
    {
        var intermediate = new Dictionary<int, double>();
        for (var i = 0; i < values.Length; i++)
        {
            intermediate[firstStep + i] = values[i];
        }

        return At(number, state, intermediate);
    }

    public static TrialSnapshot At(int number, TrialState state, Dictionary<int, double> intermediate)
    {
        var final = state == TrialState.Complete && intermediate.Count > 0 ? new[] { intermediate[intermediate.Keys.Max()] } : null;
        return new TrialSnapshot(number, state, s_noParams, final, intermediate);
    }

    /// <summary>Completed trials numbered from 0 whose curve is flat at each given value over steps 0..steps-1.</summary>
    public static List<TrialSnapshot> Flat(int steps, params double[] levels) =>
        [.. levels.Select((level, i) => Curve(i, TrialState.Complete, 0, [.. Enumerable.Repeat(level, steps)]))];

    /// <summary>Asks at the trial's last reported step, with the trial included among all trials.</summary>
    public static bool Asks(IPruner pruner, TrialSnapshot trial, IEnumerable<TrialSnapshot> others, StudyDirection direction = StudyDirection.Minimize) =>
        pruner.ShouldPrune(new PruningContext(trial, [.. others, trial], direction, trial.Intermediate.Keys.Max()));

    public static bool AsksAt(IPruner pruner, TrialSnapshot trial, IEnumerable<TrialSnapshot> others, int step, StudyDirection direction = StudyDirection.Minimize) =>
        pruner.ShouldPrune(new PruningContext(trial, [.. others, trial], direction, step));
}

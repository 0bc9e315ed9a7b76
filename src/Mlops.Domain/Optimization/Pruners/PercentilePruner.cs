using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Pruners;

/// <summary>
/// Prunes a trial whose best intermediate value so far is worse than a percentile of the values the completed
/// trials reported at the same step, with Optuna's rules (its <c>PercentilePruner</c>, v3):
/// <list type="bullet">
/// <item>nothing is pruned until <see cref="StartupTrials"/> trials have completed, nor before step
/// <see cref="WarmupSteps"/>, nor at a step the trial did not report;</item>
/// <item>checks happen once per interval: at the first reported step of each window of
/// <see cref="IntervalSteps"/> steps counted from the warmup;</item>
/// <item>"best so far" is the minimum (or maximum) of all the trial's reported values, NaNs ignored; a trial whose
/// values are all NaN is pruned;</item>
/// <item>the percentile (linear interpolation, NaNs ignored) is over completed trials only, and is taken from the
/// other end when maximising, so 25 keeps the best quarter either way; with no usable value at the step nothing is
/// pruned.</item>
/// </list>
/// Decisions depend only on the trials passed in, never on time or on earlier calls.
/// </summary>
public class PercentilePruner : IPruner
{
    public PercentilePruner(double percentile, int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1)
    {
        if (!(percentile is >= 0 and <= 100))
        {
            throw MlopsException.Invalid($"pruner: the percentile must be between 0 and 100; got {percentile.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (startupTrials < 0)
        {
            throw MlopsException.Invalid($"pruner: startup trials cannot be negative; got {startupTrials}.");
        }

        if (warmupSteps < 0)
        {
            throw MlopsException.Invalid($"pruner: warmup steps cannot be negative; got {warmupSteps}.");
        }

        if (intervalSteps < 1)
        {
            throw MlopsException.Invalid($"pruner: interval steps must be at least 1; got {intervalSteps}.");
        }

        Percentile = percentile;
        StartupTrials = startupTrials;
        WarmupSteps = warmupSteps;
        IntervalSteps = intervalSteps;
    }

    /// <summary>The share of trials kept, in percent: a trial worse than this percentile of the others is pruned.</summary>
    public double Percentile { get; }

    public int StartupTrials { get; }

    public int WarmupSteps { get; }

    public int IntervalSteps { get; }

    public bool ShouldPrune(PruningContext context)
    {
        var trial = context.Trial;
        var step = context.Step;
        if (!trial.Intermediate.ContainsKey(step) || step < WarmupSteps)
        {
            return false;
        }

        var completed = context.Trials.Where(t => t.State == TrialState.Complete && t.Number != trial.Number).ToList();
        if (completed.Count == 0 || completed.Count < StartupTrials || !IsFirstInInterval(trial, step))
        {
            return false;
        }

        var maximize = context.Direction == StudyDirection.Maximize;
        var best = BestSoFar(trial.Intermediate.Values, maximize);
        if (double.IsNaN(best))
        {
            return true;
        }

        var atStep = new List<double>();
        foreach (var other in completed)
        {
            if (other.Intermediate.TryGetValue(step, out var value) && !double.IsNaN(value))
            {
                atStep.Add(value);
            }
        }

        if (atStep.Count == 0)
        {
            return false;
        }

        var threshold = PercentileOf(atStep, maximize ? 100 - Percentile : Percentile);
        return maximize ? best < threshold : best > threshold;
    }

    /// <summary>
    /// True when no other reported step falls in the current interval window, so a trial that reports every step is
    /// checked once per window and one that skipped the window's first step is checked at its next report.
    /// </summary>
    private bool IsFirstInInterval(TrialSnapshot trial, int step)
    {
        var windowStart = ((step - WarmupSteps) / IntervalSteps * IntervalSteps) + WarmupSteps;
        var latestOther = -1;
        foreach (var s in trial.Intermediate.Keys)
        {
            if (s != step && s > latestOther)
            {
                latestOther = s;
            }
        }

        return latestOther < windowStart;
    }

    private static double BestSoFar(IEnumerable<double> values, bool maximize)
    {
        var best = double.NaN;
        foreach (var v in values)
        {
            if (!double.IsNaN(v) && (double.IsNaN(best) || (maximize ? v > best : v < best)))
            {
                best = v;
            }
        }

        return best;
    }

    /// <summary>The q-th percentile with linear interpolation between closest ranks (numpy's default).</summary>
    private static double PercentileOf(List<double> values, double q)
    {
        values.Sort();
        var position = (values.Count - 1) * q / 100;
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, values.Count - 1);
        var fraction = position - below;
        return values[below] + ((values[above] - values[below]) * fraction);
    }
}

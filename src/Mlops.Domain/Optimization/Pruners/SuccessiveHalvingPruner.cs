using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Pruners;

/// <summary>
/// Asynchronous successive halving (ASHA), with Optuna's rules (its <c>SuccessiveHalvingPruner</c>, v3). Rung k sits
/// at step <c>minResource × reductionFactor^(minEarlyStoppingRate + k)</c>. When a trial first reports at or past a
/// rung's step, its value there is compared with the values of every trial that reached the rung (running, pruned
/// and failed ones included): it is promoted if it is in the top <c>1/reductionFactor</c> of them (while fewer than
/// <c>reductionFactor</c> trials have reached the rung, only if it is the best), otherwise pruned. A NaN at a rung is
/// pruned. One report may cross several rungs; they are decided in order and the first loss prunes.
/// </summary>
/// <remarks>
/// Optuna writes each trial's rung values into the trial's system attributes as it decides. This pruner derives
/// them instead: a trial's value at a rung is its intermediate value at its first reported step at or past the
/// rung's step, which is what Optuna would have written as long as the pruner was asked after each report (the
/// study runner always asks). The pruner therefore holds no state and gives the same answer whenever it is asked.
/// Two consequences differ from Optuna only in corner cases: with <c>minResource = 0</c> (auto) the estimate is
/// recomputed from the completed trials on every call instead of being frozen at the first estimate, and the
/// curves of trials that ran before any trial completed take part in later comparisons (Optuna, which cannot
/// decide anything before the estimate, records no rung values for them).
/// </remarks>
public sealed class SuccessiveHalvingPruner : IPruner
{
    /// <param name="minResource">
    /// The first rung's step when <paramref name="minEarlyStoppingRate"/> is 0; 0 means auto, as in Optuna's default:
    /// the largest last step among completed trials divided by 100 (at least 1), and no pruning until a trial completes.
    /// </param>
    public SuccessiveHalvingPruner(int minResource = 0, int reductionFactor = 4, int minEarlyStoppingRate = 0)
    {
        if (minResource < 0)
        {
            throw MlopsException.Invalid($"pruner: the minimum resource must be 1 or more, or 0 for auto; got {minResource}.");
        }

        if (reductionFactor < 2)
        {
            throw MlopsException.Invalid($"pruner: the reduction factor must be 2 or more; got {reductionFactor}.");
        }

        if (minEarlyStoppingRate < 0)
        {
            throw MlopsException.Invalid($"pruner: the minimum early-stopping rate cannot be negative; got {minEarlyStoppingRate}.");
        }

        MinResource = minResource;
        ReductionFactor = reductionFactor;
        MinEarlyStoppingRate = minEarlyStoppingRate;
    }

    /// <summary>0 when estimated from the completed trials (auto).</summary>
    public int MinResource { get; }

    public int ReductionFactor { get; }

    public int MinEarlyStoppingRate { get; }

    public bool ShouldPrune(PruningContext context)
    {
        var trial = context.Trial;
        var step = context.Step;
        if (!trial.Intermediate.TryGetValue(step, out var value))
        {
            return false;
        }

        var minResource = MinResource > 0 ? MinResource : EstimateMinResource(context.Trials);
        if (minResource == 0)
        {
            return false;
        }

        var maximize = context.Direction == StudyDirection.Maximize;
        foreach (var rungStep in RungSteps(minResource, step))
        {
            // A rung the trial passed at an earlier report was decided then.
            if (FirstStepAtOrAfter(trial, rungStep) != step)
            {
                continue;
            }

            if (double.IsNaN(value))
            {
                return true;
            }

            var competing = new List<double> { value };
            foreach (var other in context.Trials)
            {
                if (other.Number == trial.Number || FirstStepAtOrAfter(other, rungStep) is not { } reached)
                {
                    continue;
                }

                var otherValue = other.Intermediate[reached];
                if (!double.IsNaN(otherValue))
                {
                    competing.Add(otherValue);
                }
            }

            if (!IsPromotable(value, competing, maximize))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rung steps up to <paramref name="lastStep"/>, ascending.</summary>
    private IEnumerable<long> RungSteps(long minResource, int lastStep)
    {
        var rungStep = minResource;
        for (var i = 0; i < MinEarlyStoppingRate && rungStep <= lastStep; i++)
        {
            rungStep *= ReductionFactor;
        }

        // Stopping once past the last step also keeps the product far from overflowing.
        for (; rungStep <= lastStep; rungStep *= ReductionFactor)
        {
            yield return rungStep;
        }
    }

    private bool IsPromotable(double value, List<double> competing, bool maximize)
    {
        competing.Sort();
        var rank = Math.Max((competing.Count / ReductionFactor) - 1, 0);
        return maximize ? value >= competing[competing.Count - 1 - rank] : value <= competing[rank];
    }

    private static int? FirstStepAtOrAfter(TrialSnapshot trial, long rungStep)
    {
        int? first = null;
        foreach (var s in trial.Intermediate.Keys)
        {
            if (s >= rungStep && (first is null || s < first))
            {
                first = s;
            }
        }

        return first;
    }

    private static int EstimateMinResource(IReadOnlyList<TrialSnapshot> trials)
    {
        var lastStep = (int?)null;
        foreach (var t in trials)
        {
            if (t.State == TrialState.Complete && t.Intermediate.Count > 0)
            {
                var last = t.Intermediate.Keys.Max();
                lastStep = lastStep is null ? last : Math.Max(lastStep.Value, last);
            }
        }

        return lastStep is null ? 0 : Math.Max(lastStep.Value / 100, 1);
    }
}

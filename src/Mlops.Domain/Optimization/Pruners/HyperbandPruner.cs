using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Pruners;

/// <summary>
/// Hyperband over asynchronous successive halving, with Optuna's rules (its <c>HyperbandPruner</c>, v3): there are
/// <c>floor(log_η(maxResource / minResource)) + 1</c> brackets, bracket b being a <see cref="SuccessiveHalvingPruner"/>
/// with minimum early-stopping rate b, so higher brackets judge later and less often. Each trial belongs to one
/// bracket and is compared only with the trials of its bracket.
/// </summary>
/// <remarks>
/// Brackets get trials in proportion to Hyperband's budgets, <c>ceil(n · η^s / (s + 1))</c> with
/// <c>s = n − 1 − b</c>. Optuna picks a trial's bracket from a CRC-32 of the study name and trial number; this
/// pruner hashes the trial number alone (SplitMix64), so a trial's bracket is the same in every study and on every
/// run, and spreads consecutive trials over the brackets the same way a hash does.
/// </remarks>
public sealed class HyperbandPruner : IPruner
{
    private readonly SuccessiveHalvingPruner[] _brackets;
    private readonly long[] _budgets;
    private readonly long _totalBudget;

    public HyperbandPruner(int minResource = 1, int maxResource = 20, int reductionFactor = 3)
    {
        if (minResource < 1)
        {
            throw MlopsException.Invalid($"pruner: the minimum resource must be 1 or more; got {minResource}.");
        }

        if (maxResource < minResource)
        {
            throw MlopsException.Invalid($"pruner: the maximum resource ({maxResource}) must be at least the minimum resource ({minResource}).");
        }

        if (reductionFactor < 2)
        {
            throw MlopsException.Invalid($"pruner: the reduction factor must be 2 or more; got {reductionFactor}.");
        }

        MinResource = minResource;
        MaxResource = maxResource;
        ReductionFactor = reductionFactor;

        // floor(log_η(max / min)) + 1, in integers so exact powers are not lost to rounding.
        var count = 0;
        for (long r = minResource; r <= maxResource; r *= reductionFactor)
        {
            count++;
        }

        _brackets = new SuccessiveHalvingPruner[count];
        _budgets = new long[count];
        for (var b = 0; b < count; b++)
        {
            _brackets[b] = new SuccessiveHalvingPruner(minResource, reductionFactor, b);
            var s = count - 1 - b;
            var weight = count * (long)Math.Pow(reductionFactor, s);
            _budgets[b] = (weight + s) / (s + 1);
            _totalBudget += _budgets[b];
        }
    }

    public int MinResource { get; }

    public int MaxResource { get; }

    public int ReductionFactor { get; }

    public int BracketCount => _brackets.Length;

    /// <summary>The bracket a trial belongs to: a fixed function of its number, weighted by the bracket budgets.</summary>
    public int BracketOf(int trialNumber)
    {
        var n = (long)(Mix((uint)trialNumber) % (ulong)_totalBudget);
        for (var b = 0; b < _budgets.Length; b++)
        {
            n -= _budgets[b];
            if (n < 0)
            {
                return b;
            }
        }

        return _budgets.Length - 1;
    }

    public bool ShouldPrune(PruningContext context)
    {
        var bracket = BracketOf(context.Trial.Number);
        var peers = context.Trials.Where(t => BracketOf(t.Number) == bracket).ToList();
        return _brackets[bracket].ShouldPrune(context with { Trials = peers });
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

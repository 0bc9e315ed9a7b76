namespace Mlops.Domain.Optimization.Pruners;

/// <summary>
/// The median stopping rule: a <see cref="PercentilePruner"/> at 50, so a trial is pruned when its best value so far
/// is worse than the median of the completed trials' values at the same step.
/// </summary>
public sealed class MedianPruner(int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1)
    : PercentilePruner(50, startupTrials, warmupSteps, intervalSteps);

namespace Mlops.Domain.Optimization;

/// <summary>A trial stopped early because the study's pruner judged it unpromising at <see cref="Step"/>; not a failure.</summary>
public sealed class TrialPrunedException(int step) : Exception($"Pruned at step {step}.")
{
    public int Step { get; } = step;
}

namespace Mlops.Domain.Optimization.Pruners;

/// <summary>Never prunes: every trial runs to the end. The default when a study names no pruner.</summary>
public sealed class NopPruner : IPruner
{
    public bool ShouldPrune(PruningContext context) => false;
}

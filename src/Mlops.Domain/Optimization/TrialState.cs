namespace Mlops.Domain.Optimization;

public enum TrialState
{
    Running,
    Complete,
    Pruned,
    Failed,
}

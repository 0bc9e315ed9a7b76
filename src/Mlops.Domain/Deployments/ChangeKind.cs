namespace Mlops.Domain.Deployments;

public enum ChangeKind
{
    Deployed,
    CanaryStarted,
    ShadowStarted,
    Promoted,
    RolledBack,
    Scaled,
    Undeployed,
    HealthCheckPassed,
    HealthCheckFailed,
    Configured,
}

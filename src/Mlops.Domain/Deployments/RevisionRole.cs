namespace Mlops.Domain.Deployments;

public enum RevisionRole
{
    /// <summary>Answers the requests the canary does not take.</summary>
    Primary,

    /// <summary>Answers a fixed share (1 to 99 %) of the requests.</summary>
    Canary,

    /// <summary>Receives a copy of the traffic; its answers are logged, never returned, so it carries no weight.</summary>
    Shadow,
}

namespace Mlops.Domain.Deployments;

public enum EndpointState
{
    Active,

    /// <summary>Undeployed: no revision is live, and the endpoint takes no further changes.</summary>
    Deleted,
}

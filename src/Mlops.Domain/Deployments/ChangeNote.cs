namespace Mlops.Domain.Deployments;

/// <summary>Who makes a change, when (Unix milliseconds) and why; every operation on an endpoint takes one.</summary>
public sealed record ChangeNote(string By, long At, string Reason = "");

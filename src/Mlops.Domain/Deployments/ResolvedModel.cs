namespace Mlops.Domain.Deployments;

/// <summary>
/// The registered model version a revision's URI pointed at when it was deployed. An alias or stage may move later;
/// the revision keeps serving what it was resolved to.
/// </summary>
public sealed record ResolvedModel(string Name, long Version);

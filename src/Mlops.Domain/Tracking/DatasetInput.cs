namespace Mlops.Domain.Tracking;

/// <summary>A dataset a run consumed (MLflow's DatasetInput): identified by name and digest within an experiment.</summary>
public sealed record DatasetInput(Dataset Dataset, IReadOnlyList<Tag> Tags);

public sealed record Dataset(string Name, string Digest, string SourceType, string Source, string? Schema, string? Profile);

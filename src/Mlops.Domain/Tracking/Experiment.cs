namespace Mlops.Domain.Tracking;

public sealed record Experiment(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    LifecycleStage LifecycleStage,
    long CreationTime,
    long LastUpdateTime,
    IReadOnlyList<Tag> Tags)
{
    public const string DefaultExperimentId = "0";
    public const string DefaultExperimentName = "Default";
}

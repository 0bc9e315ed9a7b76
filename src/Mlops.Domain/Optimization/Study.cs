using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization;

/// <summary>
/// A hyperparameter study: what it searches, in which direction(s), with which sampler and pruner.
/// <see cref="Objective"/> is null for external (ask/tell) studies; for training studies it is the plan the
/// application keeps (the spec template, budget and parallelism), opaque to the domain.
/// </summary>
public sealed record Study(
    long Id,
    string Name,
    IReadOnlyList<StudyDirection> Directions,
    SearchSpace Space,
    SamplerSpec Sampler,
    PrunerSpec Pruner,
    StudyStatus Status,
    long CreatedAt,
    string? Objective,
    string? ExperimentId,
    string? ParentRunId);

/// <summary>What creating a study needs; the store assigns the id.</summary>
public sealed record NewStudy(
    string Name,
    IReadOnlyList<StudyDirection> Directions,
    SearchSpace Space,
    SamplerSpec Sampler,
    PrunerSpec Pruner,
    string? Objective = null,
    string? ExperimentId = null,
    string? ParentRunId = null);

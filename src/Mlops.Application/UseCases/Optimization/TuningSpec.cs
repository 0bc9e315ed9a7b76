using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;
using Mlops.Domain.Training;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>
/// A training spec with ranges in place of fixed hyperparameters, plus its <c>tune:</c> section. Each trial is the
/// template with one point of the space filled in (<see cref="Ports.ITuningSpecReader.TrialSpec"/>).
/// </summary>
public sealed record TuningSpec(
    string Name,
    TrainingSpec Template,
    SearchSpace Space,
    StudyDirection Direction,
    TuneOptions Options);

/// <summary>The <c>tune:</c> section: budget, parallelism, deadline, sampler and pruner.</summary>
public sealed record TuneOptions(
    int Trials = 20,
    int Parallel = 2,
    TimeSpan? Timeout = null,
    string Sampler = "auto",
    long Seed = 0,
    string Pruner = "none")
{
    public const int MaxTrials = 10_000;
    public const int MaxParallel = 256;
}

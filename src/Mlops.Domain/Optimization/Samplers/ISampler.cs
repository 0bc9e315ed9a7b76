using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// Proposes the parameters of the next trial from the study's history. Implementations are deterministic for a
/// given seed and trial number (they derive their random stream from both), so a study replays the same way
/// whatever order parallel workers ask in, and thread-safe (one instance serves concurrent asks).
/// </summary>
public interface ISampler
{
    /// <summary>Internal values (see <see cref="ParameterDistribution.ToInternal"/>) for every active parameter.</summary>
    IReadOnlyDictionary<string, double> Sample(SamplingContext context);
}

/// <param name="Trials">Every earlier trial, including running ones (their parameters are known, their values are not).</param>
/// <param name="TrialNumber">The number the new trial will get (0-based).</param>
public sealed record SamplingContext(
    SearchSpace Space,
    IReadOnlyList<StudyDirection> Directions,
    IReadOnlyList<TrialSnapshot> Trials,
    int TrialNumber);

using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Application.Ports;

/// <summary>
/// How much each parameter of a study's search space mattered to its objective, judged from finished trials: the
/// answer to "which knobs are worth tuning?".
/// </summary>
public interface IParameterImportance
{
    /// <summary>
    /// Importances for the study's objective (the first value of each trial), one per parameter of
    /// <paramref name="space"/>, each in [0, 1] and summing to 1, ordered from the most important (ties keep the
    /// space's order). A parameter that did not matter gets 0; when nothing can be told apart every parameter gets an
    /// equal share. Fewer than 2 usable trials give an empty result.
    /// </summary>
    /// <param name="completedTrials">
    /// Trials in the complete state; others, and trials whose first value is missing or not finite, are skipped.
    /// Parameters are in their internal encoding (see <see cref="ParameterDistribution.ToInternal"/>); a conditional
    /// parameter absent from a trial was inactive there.
    /// </param>
    /// <param name="direction">The direction of the objective. An adapter may ignore it when its measure does not
    /// depend on which end is better.</param>
    /// <remarks>Deterministic: the same trials give the same importances. CPU-bound and synchronous.</remarks>
    IReadOnlyDictionary<string, double> Compute(SearchSpace space, IReadOnlyList<TrialSnapshot> completedTrials, StudyDirection direction);
}

namespace Mlops.Domain.Optimization;

/// <summary>
/// What samplers and pruners see of a trial: its number, state, parameters in their internal encoding (see
/// <see cref="Space.ParameterDistribution.ToInternal"/>), objective values when complete, and the intermediate
/// values it reported per step.
/// </summary>
/// <param name="Params">Only the parameters that were active in this trial (conditional ones may be absent).</param>
/// <param name="Values">One value per study direction when <see cref="State"/> is complete; otherwise null.</param>
public sealed record TrialSnapshot(
    int Number,
    TrialState State,
    IReadOnlyDictionary<string, double> Params,
    IReadOnlyList<double>? Values,
    IReadOnlyDictionary<int, double> Intermediate)
{
    /// <summary>The last reported intermediate value: what a pruned trial counts as for samplers.</summary>
    public double? LastIntermediate => Intermediate.Count == 0 ? null : Intermediate[Intermediate.Keys.Max()];
}

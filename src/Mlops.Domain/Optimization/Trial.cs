namespace Mlops.Domain.Optimization;

/// <summary>One evaluation of a study's objective. <see cref="Params"/> are internal values (see the search space).</summary>
public sealed record Trial(
    long StudyId,
    int Number,
    TrialState State,
    IReadOnlyDictionary<string, double> Params,
    IReadOnlyList<double>? Values,
    IReadOnlyDictionary<int, double> Intermediate,
    long StartedAt,
    long? CompletedAt,
    string? RunId,
    long? JobId,
    string? Error)
{
    public TrialSnapshot ToSnapshot() => new(Number, State, Params, Values, Intermediate);

    public bool IsFinished => State != TrialState.Running;
}

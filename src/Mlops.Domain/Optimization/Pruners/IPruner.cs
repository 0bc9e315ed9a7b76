namespace Mlops.Domain.Optimization.Pruners;

/// <summary>Decides, after a trial reports an intermediate value at a step, whether to stop it early.</summary>
public interface IPruner
{
    bool ShouldPrune(PruningContext context);
}

/// <param name="Trial">The trial that just reported; its <see cref="TrialSnapshot.Intermediate"/> includes <paramref name="Step"/>.</param>
/// <param name="Trials">Every trial of the study, the reporting one included.</param>
public sealed record PruningContext(TrialSnapshot Trial, IReadOnlyList<TrialSnapshot> Trials, StudyDirection Direction, int Step);

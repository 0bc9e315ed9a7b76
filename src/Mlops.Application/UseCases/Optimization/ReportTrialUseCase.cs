using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>
/// Records an intermediate value of a running trial and asks the study's pruner whether to stop it. The trial is
/// not stopped here: the objective tells it as pruned (so a caller that ignores the advice is not cut off).
/// </summary>
public sealed class ReportTrialUseCase(IStudyStore store)
{
    public async Task<bool> ReportAsync(string studyName, int number, int step, double value, CancellationToken cancellationToken)
    {
        var study = await store.RequireAsync(studyName, cancellationToken);
        return await ReportAsync(study, number, step, value, cancellationToken);
    }

    public async Task<bool> ReportAsync(Study study, int number, int step, double value, CancellationToken cancellationToken)
    {
        StudyRules.CheckIntermediate(step, value);
        if (study.Directions.Count > 1)
        {
            throw MlopsException.Invalid($"Study '{study.Name}' has several objectives; intermediate values and pruning need a single one.");
        }

        if (!await store.ReportAsync(study.Id, number, step, value, cancellationToken))
        {
            _ = StudyRules.Running(study, await store.GetTrialAsync(study.Id, number, cancellationToken), number);
        }

        var trials = await store.ListTrialsAsync(study.Id, cancellationToken);
        var snapshots = trials.Select(t => t.ToSnapshot()).ToList();
        var trial = snapshots.First(t => t.Number == number);
        return PrunerCatalog.Create(study.Pruner).ShouldPrune(new PruningContext(trial, snapshots, study.Directions[0], step));
    }
}

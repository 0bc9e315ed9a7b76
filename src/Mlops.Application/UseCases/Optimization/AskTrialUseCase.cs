using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>A new trial and its parameters as the objective sees them (numbers, integers, choices).</summary>
public sealed record AskedTrial(Study Study, Trial Trial, IReadOnlyDictionary<string, object> Params);

/// <summary>Starts a trial of an ask/tell study with parameters from the study's sampler.</summary>
public sealed class AskTrialUseCase(IStudyStore store, TimeProvider clock)
{
    public async Task<AskedTrial> AskAsync(string studyName, CancellationToken cancellationToken)
    {
        var study = await store.RequireAsync(studyName, cancellationToken);
        if (study.Status != StudyStatus.Running)
        {
            throw new MlopsException(ErrorKind.Conflict, $"Study '{study.Name}' is {study.Status.ToWire()}; it takes no new trials.");
        }

        if (study.Objective is not null)
        {
            throw new MlopsException(ErrorKind.Conflict, $"Study '{study.Name}' runs its own training trials on the workers; ask/tell is for external studies.");
        }

        var trial = await store.AddTrialAsync(study.Id, TrialLimits.None, TrialProposer.For(study), clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)
            ?? throw new MlopsException(ErrorKind.Conflict, $"Study '{study.Name}' takes no new trials.");
        return new AskedTrial(study, trial, study.Space.ToExternal(trial.Params));
    }
}

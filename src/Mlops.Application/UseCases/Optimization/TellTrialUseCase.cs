using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>
/// Finishes a running trial: complete with one finite value per objective, pruned (its last intermediate value
/// stands for it), or failed. Telling a finished or unknown trial is an error and changes nothing.
/// </summary>
public sealed class TellTrialUseCase(IStudyStore store, TimeProvider clock)
{
    public async Task<Trial> TellAsync(string studyName, int number, TrialState state, IReadOnlyList<double>? values, string? error, CancellationToken cancellationToken)
    {
        var study = await store.RequireAsync(studyName, cancellationToken);
        return await TellAsync(study, number, state, values, error, cancellationToken);
    }

    public async Task<Trial> TellAsync(Study study, int number, TrialState state, IReadOnlyList<double>? values, string? error, CancellationToken cancellationToken)
    {
        switch (state)
        {
            case TrialState.Complete:
                StudyRules.CheckValues(study, values ?? throw MlopsException.Invalid("A complete trial needs its objective value(s)."));
                break;
            case TrialState.Running:
                throw MlopsException.Invalid("A trial can be told complete, pruned or failed.");
            default:
                if (values is { Count: > 0 })
                {
                    throw MlopsException.Invalid($"A {state.ToWire()} trial takes no objective values.");
                }

                values = null;
                break;
        }

        if (!await store.FinishTrialAsync(study.Id, number, state, values, error, clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken))
        {
            _ = StudyRules.Running(study, await store.GetTrialAsync(study.Id, number, cancellationToken), number);
        }

        return (await store.GetTrialAsync(study.Id, number, cancellationToken))!;
    }
}

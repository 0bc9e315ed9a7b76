using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;
using Mlops.Domain.Optimization;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>
/// Stops a study: no new trials are asked or queued. A training study's trial jobs are cancelled (queued ones at
/// once, running ones at their next heartbeat) and their trials end as failed; ask/tell trials already running may
/// still be told.
/// </summary>
public sealed class StopStudyUseCase(IStudyStore studies, IJobQueue queue, TimeProvider clock)
{
    public async Task<Study> StopAsync(string name, CancellationToken cancellationToken)
    {
        var study = await studies.RequireAsync(name, cancellationToken);
        if (study.Status != StudyStatus.Running)
        {
            throw new MlopsException(ErrorKind.Conflict, $"Study '{study.Name}' is already {study.Status.ToWire()}.");
        }

        if (!await studies.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Stopped, cancellationToken))
        {
            throw new MlopsException(ErrorKind.Conflict, $"Study '{study.Name}' changed status while stopping; read it again.");
        }

        if (study.Objective is not null)
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var trial in (await studies.ListTrialsAsync(study.Id, cancellationToken)).Where(t => t is { State: TrialState.Running, JobId: not null }))
            {
                var job = await queue.CancelAsync(trial.JobId!.Value, now, cancellationToken);
                if (job is null || job.Status == JobStatus.Cancelled)
                {
                    await studies.FinishTrialAsync(study.Id, trial.Number, TrialState.Failed, null, "the study was stopped", now, cancellationToken);
                }
            }
        }

        return (await studies.GetStudyAsync(study.Id, cancellationToken))!;
    }
}

using Mlops.Application.Ports;
using Mlops.Domain.Jobs;

namespace Mlops.Application.UseCases.Training;

/// <summary>Submits a training spec as a "train" job; the spec is validated here so a bad one never reaches the queue.</summary>
public sealed class TrainModelUseCase(ITrainingSpecReader specs, IJobQueue queue, TimeProvider clock)
{
    public const string JobKind = "train";

    public Task<Job> SubmitAsync(string specText, string? basePath, int maxAttempts, CancellationToken cancellationToken)
    {
        _ = specs.Parse(specText);
        var payload = new TrainingJobPayload(specText, basePath);
        return queue.EnqueueAsync(new NewJob(JobKind, payload.ToJson(), MaxAttempts: maxAttempts), clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }
}

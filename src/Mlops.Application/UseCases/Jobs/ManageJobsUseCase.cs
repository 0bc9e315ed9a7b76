using System.Text.Json;
using Mlops.Application.Common;
using Mlops.Application.Jobs;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Jobs;

namespace Mlops.Application.UseCases.Jobs;

/// <summary>Submit, inspect, cancel and read the logs of background jobs.</summary>
public sealed class ManageJobsUseCase(IJobQueue queue, IEnumerable<IJobHandler> handlers, TimeProvider clock)
{
    private readonly HashSet<string> _kinds = handlers.Select(h => h.Kind).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Kinds => _kinds;

    public Task<Job> SubmitAsync(NewJob job, CancellationToken cancellationToken)
    {
        if (!_kinds.Contains(job.Kind))
        {
            throw MlopsException.Invalid($"Unknown job kind '{job.Kind}'. Known kinds: {string.Join(", ", _kinds.Order(StringComparer.Ordinal))}.");
        }

        if (!string.IsNullOrEmpty(job.Payload))
        {
            try
            {
                using var _ = JsonDocument.Parse(job.Payload);
            }
            catch (JsonException e)
            {
                throw MlopsException.Invalid($"The job payload must be JSON: {e.Message}");
            }
        }

        return queue.EnqueueAsync(job, Now(), cancellationToken);
    }

    public async Task<Job> GetAsync(long id, CancellationToken cancellationToken) =>
        await queue.GetAsync(id, cancellationToken) ?? throw MlopsException.NotFound($"Job {id} not found");

    public async Task<Page<Job>> ListAsync(string? status, string? kind, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var parsed = string.IsNullOrEmpty(status) ? (JobStatus?)null : JobStatuses.Parse(status);
        if (maxResults is < 0 or > 10_000)
        {
            throw MlopsException.Invalid($"max_results must be between 1 and 10000, got {maxResults}.");
        }

        var limit = maxResults is null or 0 ? 100 : (int)maxResults.Value;
        var offset = PageToken.Decode(pageToken);
        var page = await queue.ListAsync(parsed, string.IsNullOrEmpty(kind) ? null : kind, limit, offset, cancellationToken);
        return new Page<Job>(page.Items, page.HasMore ? PageToken.Encode(offset + page.Items.Count) : null);
    }

    public async Task<Job> CancelAsync(long id, CancellationToken cancellationToken) =>
        await queue.CancelAsync(id, Now(), cancellationToken) ?? throw MlopsException.NotFound($"Job {id} not found");

    public async Task<IReadOnlyList<JobLogLine>> LogAsync(long id, long afterSequence, int maxLines, CancellationToken cancellationToken)
    {
        _ = await GetAsync(id, cancellationToken);
        return await queue.GetLogAsync(id, Math.Max(0, afterSequence), Math.Clamp(maxLines, 1, 10_000), cancellationToken);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

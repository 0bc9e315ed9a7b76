using Mlops.Domain.Jobs;

namespace Mlops.Application.Ports;

/// <summary>One line of a job's log.</summary>
public sealed record JobLogLine(long Sequence, long Time, string Text);

/// <summary>What a worker learns when it renews its lease.</summary>
/// <param name="StillOwned">False when the lease was lost (expired and claimed by someone else, or the job ended).</param>
public sealed record HeartbeatResult(bool StillOwned, bool CancelRequested);

/// <summary>
/// The job queue on the tracking database. Implementations: SQLite (one immediate transaction per claim) and
/// PostgreSQL (FOR UPDATE SKIP LOCKED); both pass JobQueueContract.
/// </summary>
/// <remarks>
/// Claiming is exclusive across processes: a job is running for at most one worker at a time. A running job
/// whose lease expired is claimable again (its worker is presumed dead) and the claim counts an attempt.
/// Times are ms since the Unix epoch (UTC); callers pass "now" so tests control time.
/// </remarks>
public interface IJobQueue
{
    Task<Job> EnqueueAsync(NewJob job, long now, CancellationToken cancellationToken);

    /// <summary>Claims the next runnable job of the given queues (highest priority, then oldest), or null.</summary>
    Task<Job?> ClaimAsync(IReadOnlyList<string> queues, string workerId, TimeSpan lease, long now, CancellationToken cancellationToken);

    /// <summary>Renews the lease and records progress; tells the worker whether it still owns the job and whether cancellation was asked.</summary>
    Task<HeartbeatResult> HeartbeatAsync(long jobId, string workerId, TimeSpan lease, double? progress, string? message, long now, CancellationToken cancellationToken);

    /// <summary>Marks an owned job succeeded with its result. False when the worker no longer owns it.</summary>
    Task<bool> CompleteAsync(long jobId, string workerId, string? result, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt: the job is queued again after its backoff while attempts remain, else it fails
    /// for good. <paramref name="retryable"/> false fails it at once (a bad spec will not get better).
    /// </summary>
    Task<Job?> FailAsync(long jobId, string workerId, string error, bool retryable, long now, CancellationToken cancellationToken);

    /// <summary>Marks an owned job cancelled (the worker stopped it after a cancel request).</summary>
    Task<bool> MarkCancelledAsync(long jobId, string workerId, long now, CancellationToken cancellationToken);

    /// <summary>Gives an owned job back to the queue without counting the attempt (graceful worker shutdown).</summary>
    Task<bool> ReleaseAsync(long jobId, string workerId, long now, CancellationToken cancellationToken);

    /// <summary>Cancels a queued job at once; asks a running one to stop (its worker sees it at the next heartbeat). Final jobs are returned unchanged.</summary>
    Task<Job?> CancelAsync(long jobId, long now, CancellationToken cancellationToken);

    Task<Job?> GetAsync(long jobId, CancellationToken cancellationToken);

    Task<StorePage<Job>> ListAsync(JobStatus? status, string? kind, int maxResults, long offset, CancellationToken cancellationToken);

    Task AppendLogAsync(long jobId, IReadOnlyList<string> lines, long now, CancellationToken cancellationToken);

    /// <summary>Log lines after <paramref name="afterSequence"/>, in order (for following a log live).</summary>
    Task<IReadOnlyList<JobLogLine>> GetLogAsync(long jobId, long afterSequence, int maxLines, CancellationToken cancellationToken);
}

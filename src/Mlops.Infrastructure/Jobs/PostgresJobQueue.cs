using Mlops.Application.Ports;
using Mlops.Domain.Jobs;
using Mlops.Infrastructure.Persistence.Postgres;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Jobs;

/// <summary>
/// The job queue on the shared PostgreSQL database, for workers on many machines. A claim takes the first
/// claimable row with <c>FOR UPDATE SKIP LOCKED</c>: concurrent claimers never wait for each other and never
/// get the same job. Every other state change locks the job's row first, so it reads and writes one version.
/// </summary>
public sealed class PostgresJobQueue(PostgresDatabase database) : IJobQueue
{
    private const string Columns =
        "job_id, kind, queue, priority, payload, status, attempts, max_attempts, backoff_seconds, lease_owner, lease_expires_at, heartbeat_at, " +
        "progress, progress_message, cancel_requested, created_at, not_before, started_at, finished_at, result, error";

    public Task<Job> EnqueueAsync(NewJob job, long now, CancellationToken cancellationToken)
    {
        var valid = JobRules.Validate(job);
        return database.WriteAsync(async (connection, transaction) => (await QueryAsync(connection, transaction,
            $"INSERT INTO jobs (kind, queue, priority, payload, status, max_attempts, backoff_seconds, created_at, not_before) " +
            $"VALUES (@k, @q, @p, @payload, 'queued', @m, @b, @t, @t) RETURNING {Columns}",
            [("@k", valid.Kind), ("@q", valid.Queue), ("@p", valid.Priority), ("@payload", valid.Payload), ("@m", valid.MaxAttempts), ("@b", valid.BackoffSeconds), ("@t", now)],
            Map, cancellationToken))[0], cancellationToken);
    }

    public Task<Job?> ClaimAsync(IReadOnlyList<string> queues, string workerId, TimeSpan lease, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var queueNames = queues.ToArray();
            while (true)
            {
                var candidates = await QueryAsync(connection, transaction,
                    $"SELECT {Columns} FROM jobs WHERE queue = ANY(@queues) AND status IN ('queued', 'running') " +
                    "AND ((status = 'queued' AND not_before <= @now) OR (status = 'running' AND lease_expires_at < @now)) " +
                    "ORDER BY priority DESC, job_id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    [("@queues", queueNames), ("@now", now)], Map, cancellationToken);
                if (candidates.Count == 0)
                {
                    return null;
                }

                var job = candidates[0];
                if (job.Status == JobStatus.Running && job.Attempts >= job.MaxAttempts)
                {
                    // Its worker died on the last allowed attempt: give up instead of looping on a job that kills workers.
                    await FinishAsync(connection, transaction, job.Id, JobStatus.Failed, null,
                        $"The worker {job.LeaseOwner} stopped responding (lease expired) on attempt {job.Attempts} of {job.MaxAttempts}.", now, null, cancellationToken);
                    continue;
                }

                if (job.CancelRequested)
                {
                    await FinishAsync(connection, transaction, job.Id, JobStatus.Cancelled, null, "Cancelled before a worker picked it up again.", now, null, cancellationToken);
                    continue;
                }

                return (await QueryAsync(connection, transaction,
                    "UPDATE jobs SET status = 'running', lease_owner = @w, lease_expires_at = @lease, heartbeat_at = @now, attempts = attempts + 1, " +
                    "started_at = COALESCE(started_at, @now), error = CASE WHEN status = 'running' THEN 'lease of ' || lease_owner || ' expired; claimed again' ELSE error END " +
                    $"WHERE job_id = @id RETURNING {Columns}",
                    [("@w", workerId), ("@lease", now + (long)lease.TotalMilliseconds), ("@now", now), ("@id", job.Id)], Map, cancellationToken))[0];
            }
        }, cancellationToken);

    public Task<HeartbeatResult> HeartbeatAsync(long jobId, string workerId, TimeSpan lease, double? progress, string? message, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var cancel = await ScalarAsync(connection, transaction,
                "UPDATE jobs SET lease_expires_at = @lease, heartbeat_at = @now, progress = COALESCE(@p::double precision, progress), " +
                "progress_message = COALESCE(@m::text, progress_message) WHERE job_id = @id AND status = 'running' AND lease_owner = @w RETURNING cancel_requested",
                cancellationToken, ("@lease", now + (long)lease.TotalMilliseconds), ("@now", now), ("@p", progress), ("@m", message), ("@id", jobId), ("@w", workerId));
            return cancel is bool requested ? new HeartbeatResult(true, requested) : new HeartbeatResult(false, false);
        }, cancellationToken);

    public Task<bool> CompleteAsync(long jobId, string workerId, string? result, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await OwnedAsync(connection, transaction, jobId, workerId, cancellationToken)
            && await FinishAsync(connection, transaction, jobId, JobStatus.Succeeded, result, null, now, 1.0, cancellationToken), cancellationToken);

    public Task<Job?> FailAsync(long jobId, string workerId, string error, bool retryable, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (!await OwnedAsync(connection, transaction, jobId, workerId, cancellationToken))
            {
                return null;
            }

            var job = (await ReadAsync(connection, transaction, jobId, cancellationToken))!;
            if (retryable && job.Attempts < job.MaxAttempts && !job.CancelRequested)
            {
                await ExecuteAsync(connection, transaction,
                    "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, not_before = @due, error = @e WHERE job_id = @id",
                    cancellationToken, ("@due", now + JobRules.RetryDelayMs(job.BackoffSeconds, job.Attempts)), ("@e", Truncate(error)), ("@id", jobId));
            }
            else
            {
                await FinishAsync(connection, transaction, jobId, JobStatus.Failed, null, error, now, null, cancellationToken);
            }

            return await ReadAsync(connection, transaction, jobId, cancellationToken);
        }, cancellationToken);

    public Task<bool> MarkCancelledAsync(long jobId, string workerId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await OwnedAsync(connection, transaction, jobId, workerId, cancellationToken)
            && await FinishAsync(connection, transaction, jobId, JobStatus.Cancelled, null, "Cancelled while running.", now, null, cancellationToken), cancellationToken);

    public Task<bool> ReleaseAsync(long jobId, string workerId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await OwnedAsync(connection, transaction, jobId, workerId, cancellationToken)
            && await ExecuteAsync(connection, transaction,
                "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = GREATEST(attempts - 1, 0), not_before = @now WHERE job_id = @id",
                cancellationToken, ("@now", now), ("@id", jobId)) == 1, cancellationToken);

    public Task<Job?> CancelAsync(long jobId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var job = (await QueryAsync(connection, transaction, $"SELECT {Columns} FROM jobs WHERE job_id = @id FOR UPDATE", [("@id", jobId)], Map, cancellationToken))
                .FirstOrDefault();
            if (job is null || job.Status.IsFinal())
            {
                return job;
            }

            if (job.Status == JobStatus.Queued)
            {
                await FinishAsync(connection, transaction, jobId, JobStatus.Cancelled, null, "Cancelled before it started.", now, null, cancellationToken);
            }
            else
            {
                await ExecuteAsync(connection, transaction, "UPDATE jobs SET cancel_requested = TRUE WHERE job_id = @id", cancellationToken, ("@id", jobId));
            }

            return await ReadAsync(connection, transaction, jobId, cancellationToken);
        }, cancellationToken);

    public async Task<Job?> GetAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, jobId, cancellationToken);
    }

    public async Task<StorePage<Job>> ListAsync(JobStatus? status, string? kind, int maxResults, long offset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var jobs = await QueryAsync(connection, null,
            $"SELECT {Columns} FROM jobs WHERE (@s::text IS NULL OR status = @s::text) AND (@k::text IS NULL OR kind = @k::text) ORDER BY job_id DESC LIMIT @limit OFFSET @offset",
            [("@s", status?.ToWire()), ("@k", kind), ("@limit", maxResults + 1L), ("@offset", offset)], Map, cancellationToken);
        return jobs.Count > maxResults ? new StorePage<Job>(jobs.GetRange(0, maxResults), true) : new StorePage<Job>(jobs, false);
    }

    public Task AppendLogAsync(long jobId, IReadOnlyList<string> lines, long now, CancellationToken cancellationToken) =>
        lines.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            // Locking the job row makes concurrent appenders to one job number their lines one batch after another.
            await ExecuteAsync(connection, transaction, "SELECT 1 FROM jobs WHERE job_id = @id FOR UPDATE", cancellationToken, ("@id", jobId));
            var next = (long)(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) + 1 FROM job_logs WHERE job_id = @id", cancellationToken, ("@id", jobId)))!;
            var texts = lines.Select(line => line.Length <= JobRules.MaxLogLineLength ? line : line[..JobRules.MaxLogLineLength] + "...").ToArray();
            await ExecuteAsync(connection, transaction,
                "INSERT INTO job_logs (job_id, sequence, time, text) SELECT @id, @first + n - 1, @t, x FROM unnest(@texts) WITH ORDINALITY AS l (x, n)",
                cancellationToken, ("@id", jobId), ("@first", next), ("@t", now), ("@texts", texts));
        }, cancellationToken);

    public async Task<IReadOnlyList<JobLogLine>> GetLogAsync(long jobId, long afterSequence, int maxLines, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, null, "SELECT sequence, time, text FROM job_logs WHERE job_id = @id AND sequence > @after ORDER BY sequence LIMIT @limit",
            [("@id", jobId), ("@after", afterSequence), ("@limit", (long)maxLines)], r => new JobLogLine(r.GetInt64(0), r.GetInt64(1), r.GetString(2)), cancellationToken);
    }

    /// <summary>Whether <paramref name="workerId"/> holds the job's lease; locks the row for the rest of the transaction.</summary>
    private static async Task<bool> OwnedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long jobId, string workerId, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT 1 FROM jobs WHERE job_id = @id AND status = 'running' AND lease_owner = @w FOR UPDATE",
            cancellationToken, ("@id", jobId), ("@w", workerId)) is not null;

    private static async Task<bool> FinishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long jobId, JobStatus status, string? result, string? error, long now,
        double? progress, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction,
            "UPDATE jobs SET status = @s, result = @r, error = @e, finished_at = @t, lease_owner = NULL, lease_expires_at = NULL, " +
            "progress = COALESCE(@p::double precision, progress) WHERE job_id = @id",
            cancellationToken, ("@s", status.ToWire()), ("@r", result), ("@e", error is null ? null : Truncate(error)), ("@t", now), ("@p", progress), ("@id", jobId)) == 1;

    private static async Task<Job?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long jobId, CancellationToken cancellationToken) =>
        (await QueryAsync(connection, transaction, $"SELECT {Columns} FROM jobs WHERE job_id = @id", [("@id", jobId)], Map, cancellationToken)).FirstOrDefault();

    private static Job Map(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), JobStatuses.Parse(r.GetString(5)), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8),
        r.NullableString(9), r.NullableInt64(10), r.NullableInt64(11),
        r.GetDouble(12), r.NullableString(13), r.GetBoolean(14), r.GetInt64(15), r.GetInt64(16),
        r.NullableInt64(17), r.NullableInt64(18), r.NullableString(19), r.NullableString(20));

    private static string Truncate(string text) => text.Length <= 16_000 ? text : text[..16_000] + "...";
}

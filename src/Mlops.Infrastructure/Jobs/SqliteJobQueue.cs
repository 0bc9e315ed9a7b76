using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Domain.Jobs;
using Mlops.Infrastructure.Persistence.Sqlite;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Jobs;

/// <summary>
/// The job queue in the SQLite file. Every state change is one immediate transaction, which takes SQLite's
/// single write lock up front: two claimers, in this process or another, can never both see a job as free.
/// </summary>
public sealed class SqliteJobQueue(SqliteDatabase database) : IJobQueue
{
    private const string Columns =
        "job_id, kind, queue, priority, payload, status, attempts, max_attempts, backoff_seconds, lease_owner, lease_expires_at, heartbeat_at, " +
        "progress, progress_message, cancel_requested, created_at, not_before, started_at, finished_at, result, error";

    public Task<Job> EnqueueAsync(NewJob job, long now, CancellationToken cancellationToken)
    {
        var valid = JobRules.Validate(job);
        return database.WriteAsync((connection, transaction) =>
        {
            var id = (long)Scalar(connection, transaction,
                "INSERT INTO jobs (kind, queue, priority, payload, status, max_attempts, backoff_seconds, created_at, not_before) " +
                "VALUES ($k, $q, $p, $payload, 'queued', $m, $b, $t, $t) RETURNING job_id",
                ("$k", valid.Kind), ("$q", valid.Queue), ("$p", valid.Priority), ("$payload", valid.Payload), ("$m", valid.MaxAttempts), ("$b", valid.BackoffSeconds), ("$t", now))!;
            return Read(connection, transaction, id)!;
        }, cancellationToken);
    }

    public Task<Job?> ClaimAsync(IReadOnlyList<string> queues, string workerId, TimeSpan lease, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var queueList = System.Text.Json.JsonSerializer.Serialize(queues.ToArray(), SqliteJson.Default.StringArray);
            while (true)
            {
                var candidate = Scalar(connection, transaction,
                    "SELECT job_id FROM jobs WHERE queue IN (SELECT value FROM json_each($queues)) " +
                    "AND ((status = 'queued' AND not_before <= $now) OR (status = 'running' AND lease_expires_at < $now)) " +
                    "ORDER BY priority DESC, job_id LIMIT 1",
                    ("$queues", queueList), ("$now", now)) as long?;
                if (candidate is not { } id)
                {
                    return null;
                }

                var job = Read(connection, transaction, id)!;
                if (job.Status == JobStatus.Running && job.Attempts >= job.MaxAttempts)
                {
                    // Its worker died on the last allowed attempt: give up instead of looping on a job that kills workers.
                    Finish(connection, transaction, id, JobStatus.Failed, null, $"The worker {job.LeaseOwner} stopped responding (lease expired) on attempt {job.Attempts} of {job.MaxAttempts}.", now);
                    continue;
                }

                if (job.CancelRequested)
                {
                    Finish(connection, transaction, id, JobStatus.Cancelled, null, "Cancelled before a worker picked it up again.", now);
                    continue;
                }

                Execute(connection, transaction,
                    "UPDATE jobs SET status = 'running', lease_owner = $w, lease_expires_at = $lease, heartbeat_at = $now, attempts = attempts + 1, " +
                    "started_at = COALESCE(started_at, $now), error = CASE WHEN status = 'running' THEN 'lease of ' || lease_owner || ' expired; claimed again' ELSE error END " +
                    "WHERE job_id = $id",
                    ("$w", workerId), ("$lease", now + (long)lease.TotalMilliseconds), ("$now", now), ("$id", id));
                return Read(connection, transaction, id);
            }
        }, cancellationToken);

    public Task<HeartbeatResult> HeartbeatAsync(long jobId, string workerId, TimeSpan lease, double? progress, string? message, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var updated = Execute(connection, transaction,
                "UPDATE jobs SET lease_expires_at = $lease, heartbeat_at = $now, progress = COALESCE($p, progress), progress_message = COALESCE($m, progress_message) " +
                "WHERE job_id = $id AND status = 'running' AND lease_owner = $w",
                ("$lease", now + (long)lease.TotalMilliseconds), ("$now", now), ("$p", (object?)progress ?? DBNull.Value), ("$m", (object?)message ?? DBNull.Value),
                ("$id", jobId), ("$w", workerId));
            if (updated == 0)
            {
                return new HeartbeatResult(false, false);
            }

            var cancel = (long)Scalar(connection, transaction, "SELECT cancel_requested FROM jobs WHERE job_id = $id", ("$id", jobId))! == 1;
            return new HeartbeatResult(true, cancel);
        }, cancellationToken);

    public Task<bool> CompleteAsync(long jobId, string workerId, string? result, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            Owned(connection, transaction, jobId, workerId) && Finish(connection, transaction, jobId, JobStatus.Succeeded, result, null, now, progress: 1.0), cancellationToken);

    public Task<Job?> FailAsync(long jobId, string workerId, string error, bool retryable, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            if (!Owned(connection, transaction, jobId, workerId))
            {
                return null;
            }

            var job = Read(connection, transaction, jobId)!;
            if (retryable && job.Attempts < job.MaxAttempts && !job.CancelRequested)
            {
                Execute(connection, transaction,
                    "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, not_before = $due, error = $e WHERE job_id = $id",
                    ("$due", now + JobRules.RetryDelayMs(job.BackoffSeconds, job.Attempts)), ("$e", Truncate(error)), ("$id", jobId));
            }
            else
            {
                Finish(connection, transaction, jobId, JobStatus.Failed, null, error, now);
            }

            return Read(connection, transaction, jobId);
        }, cancellationToken);

    public Task<bool> MarkCancelledAsync(long jobId, string workerId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            Owned(connection, transaction, jobId, workerId) && Finish(connection, transaction, jobId, JobStatus.Cancelled, null, "Cancelled while running.", now), cancellationToken);

    public Task<bool> ReleaseAsync(long jobId, string workerId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            Owned(connection, transaction, jobId, workerId)
            && Execute(connection, transaction,
                "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, attempts = MAX(attempts - 1, 0), not_before = $now WHERE job_id = $id",
                ("$now", now), ("$id", jobId)) == 1, cancellationToken);

    public Task<Job?> CancelAsync(long jobId, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var job = Read(connection, transaction, jobId);
            if (job is null || job.Status.IsFinal())
            {
                return job;
            }

            if (job.Status == JobStatus.Queued)
            {
                Finish(connection, transaction, jobId, JobStatus.Cancelled, null, "Cancelled before it started.", now);
            }
            else
            {
                Execute(connection, transaction, "UPDATE jobs SET cancel_requested = 1 WHERE job_id = $id", ("$id", jobId));
            }

            return Read(connection, transaction, jobId);
        }, cancellationToken);

    public Task<Job?> GetAsync(long jobId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => Read(connection, null, jobId)));

    public Task<StorePage<Job>> ListAsync(JobStatus? status, string? kind, int maxResults, long offset, CancellationToken cancellationToken)
    {
        var jobs = database.Read(connection =>
        {
            using var command = Create(connection, null,
                $"SELECT {Columns} FROM jobs WHERE ($s IS NULL OR status = $s) AND ($k IS NULL OR kind = $k) ORDER BY job_id DESC LIMIT $limit OFFSET $offset",
                [("$s", (object?)status?.ToWire() ?? DBNull.Value), ("$k", (object?)kind ?? DBNull.Value), ("$limit", maxResults + 1L), ("$offset", offset)]);
            using var reader = command.ExecuteReader();
            var list = new List<Job>();
            while (reader.Read())
            {
                list.Add(Map(reader));
            }

            return list;
        });
        return Task.FromResult(jobs.Count > maxResults ? new StorePage<Job>(jobs.GetRange(0, maxResults), true) : new StorePage<Job>(jobs, false));
    }

    public Task AppendLogAsync(long jobId, IReadOnlyList<string> lines, long now, CancellationToken cancellationToken) =>
        lines.Count == 0 ? Task.CompletedTask : database.WriteAsync((connection, transaction) =>
        {
            var next = (long)Scalar(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) + 1 FROM job_logs WHERE job_id = $id", ("$id", jobId))!;
            using var insert = Create(connection, transaction, "INSERT INTO job_logs (job_id, sequence, time, text) VALUES ($id, $s, $t, $x)",
                [("$id", jobId), ("$s", 0L), ("$t", now), ("$x", "")]);
            foreach (var line in lines)
            {
                insert.Parameters["$s"].Value = next++;
                insert.Parameters["$x"].Value = line.Length <= JobRules.MaxLogLineLength ? line : line[..JobRules.MaxLogLineLength] + "...";
                insert.ExecuteNonQuery();
            }
        }, cancellationToken);

    public Task<IReadOnlyList<JobLogLine>> GetLogAsync(long jobId, long afterSequence, int maxLines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JobLogLine>>(database.Read(connection =>
        {
            using var command = Create(connection, null, "SELECT sequence, time, text FROM job_logs WHERE job_id = $id AND sequence > $after ORDER BY sequence LIMIT $limit",
                [("$id", jobId), ("$after", afterSequence), ("$limit", (long)maxLines)]);
            using var reader = command.ExecuteReader();
            var lines = new List<JobLogLine>();
            while (reader.Read())
            {
                lines.Add(new JobLogLine(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
            }

            return lines;
        }));

    private static bool Owned(SqliteConnection connection, SqliteTransaction transaction, long jobId, string workerId) =>
        Scalar(connection, transaction, "SELECT 1 FROM jobs WHERE job_id = $id AND status = 'running' AND lease_owner = $w", ("$id", jobId), ("$w", workerId)) is not null;

    private static bool Finish(SqliteConnection connection, SqliteTransaction transaction, long jobId, JobStatus status, string? result, string? error, long now, double? progress = null) =>
        Execute(connection, transaction,
            "UPDATE jobs SET status = $s, result = $r, error = $e, finished_at = $t, lease_owner = NULL, lease_expires_at = NULL, progress = COALESCE($p, progress) WHERE job_id = $id",
            ("$s", status.ToWire()), ("$r", (object?)result ?? DBNull.Value), ("$e", error is null ? DBNull.Value : Truncate(error)), ("$t", now),
            ("$p", (object?)progress ?? DBNull.Value), ("$id", jobId)) == 1;

    private static Job? Read(SqliteConnection connection, SqliteTransaction? transaction, long jobId)
    {
        using var command = Create(connection, transaction, $"SELECT {Columns} FROM jobs WHERE job_id = $id", [("$id", jobId)]);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Map(reader) : null;
    }

    private static Job Map(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4), JobStatuses.Parse(r.GetString(5)), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11),
        r.GetDouble(12), r.IsDBNull(13) ? null : r.GetString(13), r.GetInt64(14) == 1, r.GetInt64(15), r.GetInt64(16),
        r.IsDBNull(17) ? null : r.GetInt64(17), r.IsDBNull(18) ? null : r.GetInt64(18), r.IsDBNull(19) ? null : r.GetString(19), r.IsDBNull(20) ? null : r.GetString(20));

    private static string Truncate(string text) => text.Length <= 16_000 ? text : text[..16_000] + "...";
}

namespace Mlops.Domain.Jobs;

/// <summary>
/// A unit of background work in the database-backed queue. A running job belongs to the worker holding its
/// lease until <see cref="LeaseExpiresAt"/>; a worker that stops heartbeating loses it and the job is claimed again.
/// Times are ms since the Unix epoch (UTC).
/// </summary>
public sealed record Job(
    long Id,
    string Kind,
    string Queue,
    int Priority,
    string Payload,
    JobStatus Status,
    int Attempts,
    int MaxAttempts,
    int BackoffSeconds,
    string? LeaseOwner,
    long? LeaseExpiresAt,
    long? HeartbeatAt,
    double Progress,
    string? ProgressMessage,
    bool CancelRequested,
    long CreatedAt,
    long NotBefore,
    long? StartedAt,
    long? FinishedAt,
    string? Result,
    string? Error);

/// <summary>What a caller asks the queue to run.</summary>
public sealed record NewJob(string Kind, string Payload, string Queue = JobRules.DefaultQueue, int Priority = 0, int MaxAttempts = 3, int BackoffSeconds = 5);

using Mlops.Domain.Common;

namespace Mlops.Domain.Jobs;

public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public static class JobStatuses
{
    public static string ToWire(this JobStatus status) => status.ToString().ToLowerInvariant();

    public static bool IsFinal(this JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    public static JobStatus Parse(string value) => value.ToLowerInvariant() switch
    {
        "queued" => JobStatus.Queued,
        "running" => JobStatus.Running,
        "succeeded" => JobStatus.Succeeded,
        "failed" => JobStatus.Failed,
        "cancelled" or "canceled" => JobStatus.Cancelled,
        _ => throw MlopsException.Invalid($"Invalid job status '{value}'. Expected queued, running, succeeded, failed or cancelled."),
    };
}

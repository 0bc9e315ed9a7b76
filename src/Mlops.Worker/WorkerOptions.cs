namespace Mlops.Worker;

public sealed class WorkerOptions
{
    /// <summary>Queues to take jobs from.</summary>
    public IReadOnlyList<string> Queues { get; set; } = ["default"];

    /// <summary>Jobs run at once by this worker.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>How long a claim lasts without a heartbeat; another worker takes the job over after that.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job renews its lease, sends its log and checks for cancellation.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an idle slot waits before asking the queue again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Unique per process; recorded as the lease owner.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}

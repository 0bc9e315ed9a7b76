using Mlops.Domain.Common;

namespace Mlops.Domain.Tracking;

public enum RunStatus
{
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

public static class RunStatuses
{
    public static string ToWire(this RunStatus status) => status switch
    {
        RunStatus.Running => "RUNNING",
        RunStatus.Scheduled => "SCHEDULED",
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        _ => "KILLED",
    };

    public static bool IsTerminal(this RunStatus status) => status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;

    public static RunStatus Parse(string value) => value.ToUpperInvariant() switch
    {
        // Protobuf JSON may carry an enum as its number (MLflow's RunStatus: RUNNING = 1 ... KILLED = 5).
        "RUNNING" or "1" => RunStatus.Running,
        "SCHEDULED" or "2" => RunStatus.Scheduled,
        "FINISHED" or "3" => RunStatus.Finished,
        "FAILED" or "4" => RunStatus.Failed,
        "KILLED" or "5" => RunStatus.Killed,
        _ => throw MlopsException.Invalid($"Invalid run status '{value}'. Expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED."),
    };
}

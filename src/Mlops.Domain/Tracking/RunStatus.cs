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
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw MlopsException.Invalid($"Invalid run status '{value}'. Expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED."),
    };
}

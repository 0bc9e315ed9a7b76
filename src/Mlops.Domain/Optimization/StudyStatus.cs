namespace Mlops.Domain.Optimization;

public enum StudyStatus
{
    /// <summary>Trials may be asked and told.</summary>
    Running,

    /// <summary>The budget is spent (or the deadline passed); no new trials.</summary>
    Completed,

    /// <summary>Stopped by a user; running trials may still be told.</summary>
    Stopped,
}

using Mlops.Domain.Optimization;

namespace Mlops.Application.Ports;

/// <summary>Limits a new trial must respect, checked in the same transaction that numbers it.</summary>
/// <param name="MaxTrials">No new trial once the study has this many (any state); null for no limit.</param>
/// <param name="MaxRunning">No new trial while this many are running; null for no limit.</param>
public sealed record TrialLimits(int? MaxTrials = null, int? MaxRunning = null)
{
    public static TrialLimits None { get; } = new();
}

/// <summary>
/// Studies and their trials. Implementations: SQLite (and PostgreSQL with the scale-out backend).
/// </summary>
/// <remarks>
/// Trial numbers are 0, 1, 2... per study with no gaps. <see cref="AddTrialAsync"/> reads the history, asks
/// <c>propose</c> for the parameters and inserts the trial in one write transaction, so two parallel asks never get
/// the same number and the second one sees the first as running (which samplers use to spread out).
/// Times are ms since the Unix epoch (UTC).
/// </remarks>
public interface IStudyStore
{
    /// <summary>Creates a study; an <c>AlreadyExists</c> error when the name is taken.</summary>
    Task<Study> CreateStudyAsync(NewStudy study, long now, CancellationToken cancellationToken);

    Task<Study?> GetStudyAsync(string name, CancellationToken cancellationToken);

    Task<Study?> GetStudyAsync(long studyId, CancellationToken cancellationToken);

    Task<StorePage<Study>> ListStudiesAsync(int maxResults, long offset, CancellationToken cancellationToken);

    /// <summary>Moves a study from one status to another; false when it was not in <paramref name="from"/> (someone else moved it first).</summary>
    Task<bool> SetStudyStatusAsync(long studyId, StudyStatus from, StudyStatus to, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a running trial with the parameters <paramref name="propose"/> returns for the current history, or
    /// returns null (without calling it) when <paramref name="limits"/> forbid a new trial.
    /// </summary>
    Task<Trial?> AddTrialAsync(long studyId, TrialLimits limits, Func<IReadOnlyList<Trial>, IReadOnlyDictionary<string, double>> propose, long now, CancellationToken cancellationToken);

    Task<IReadOnlyList<Trial>> ListTrialsAsync(long studyId, CancellationToken cancellationToken);

    Task<Trial?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken);

    /// <summary>Records an intermediate value of a running trial (a later report for the same step replaces it). False when the trial is not running.</summary>
    Task<bool> ReportAsync(long studyId, int number, int step, double value, CancellationToken cancellationToken);

    /// <summary>Finishes a running trial. False when it is not running (already finished: the caller reports a conflict).</summary>
    Task<bool> FinishTrialAsync(long studyId, int number, TrialState state, IReadOnlyList<double>? values, string? error, long now, CancellationToken cancellationToken);

    /// <summary>Links a trial to the tracking run and job that evaluate it.</summary>
    Task SetTrialLinksAsync(long studyId, int number, string? runId, long? jobId, CancellationToken cancellationToken);
}

using System.Text.Json;
using Microsoft.Data.Sqlite;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Optimization;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using static Mlops.Infrastructure.Persistence.Sqlite.SqliteCommands;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>Studies and trials in the SQLite file; a new trial is numbered and inserted in one immediate transaction.</summary>
public sealed class SqliteStudyStore(SqliteDatabase database) : IStudyStore
{
    private const string StudyColumns = "study_id, name, directions, space, sampler, pruner, status, objective, experiment_id, parent_run_id, created_at";
    private const string TrialColumns = "study_id, number, state, params, \"values\", run_id, job_id, error, started_at, completed_at";

    public Task<Study> CreateStudyAsync(NewStudy study, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            if (Scalar(connection, transaction, "SELECT 1 FROM studies WHERE name = $n", ("$n", study.Name)) is not null)
            {
                throw MlopsException.AlreadyExists($"A study named '{study.Name}' already exists.");
            }

            var id = (long)Scalar(connection, transaction,
                $"INSERT INTO studies (name, directions, space, sampler, pruner, status, objective, experiment_id, parent_run_id, created_at) " +
                "VALUES ($n, $d, $s, $sa, $p, 'running', $o, $e, $r, $t) RETURNING study_id",
                ("$n", study.Name), ("$d", JsonSerializer.Serialize(study.Directions.Select(d => d.ToWire()).ToArray())), ("$s", SearchSpaceJson.Serialize(study.Space)),
                ("$sa", JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = study.Sampler.Name, ["seed"] = study.Sampler.Seed })),
                ("$p", JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = study.Pruner.Name, ["options"] = study.Pruner.Options })),
                ("$o", (object?)study.Objective ?? DBNull.Value), ("$e", (object?)study.ExperimentId ?? DBNull.Value), ("$r", (object?)study.ParentRunId ?? DBNull.Value), ("$t", now))!;
            return ReadStudies(connection, transaction, "WHERE study_id = $id", [("$id", id)])[0];
        }, cancellationToken);

    public Task<Study?> GetStudyAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadStudies(connection, null, "WHERE name = $n", [("$n", name)]).FirstOrDefault()));

    public Task<Study?> GetStudyAsync(long studyId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadStudies(connection, null, "WHERE study_id = $id", [("$id", studyId)]).FirstOrDefault()));

    public Task<StorePage<Study>> ListStudiesAsync(int maxResults, long offset, CancellationToken cancellationToken)
    {
        var studies = database.Read(connection => ReadStudies(connection, null, "ORDER BY study_id DESC LIMIT $limit OFFSET $offset", [("$limit", maxResults + 1L), ("$offset", offset)]));
        return Task.FromResult(studies.Count > maxResults ? new StorePage<Study>(studies.GetRange(0, maxResults), true) : new StorePage<Study>(studies, false));
    }

    public Task<bool> SetStudyStatusAsync(long studyId, StudyStatus from, StudyStatus to, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            Execute(connection, transaction, "UPDATE studies SET status = $to WHERE study_id = $id AND status = $from",
                ("$to", to.ToWire()), ("$from", from.ToWire()), ("$id", studyId)) == 1, cancellationToken);

    public Task<Trial?> AddTrialAsync(long studyId, TrialLimits limits, Func<IReadOnlyList<Trial>, IReadOnlyDictionary<string, double>> propose, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            var trials = ReadTrials(connection, transaction, studyId, null);
            if ((limits.MaxTrials is { } max && trials.Count >= max) || (limits.MaxRunning is { } running && trials.Count(t => t.State == TrialState.Running) >= running))
            {
                return null;
            }

            var parameters = propose(trials);
            Execute(connection, transaction,
                "INSERT INTO trials (study_id, number, state, params, started_at) VALUES ($s, $n, 'running', $p, $t)",
                ("$s", studyId), ("$n", trials.Count), ("$p", JsonSerializer.Serialize(parameters)), ("$t", now));
            return ReadTrials(connection, transaction, studyId, trials.Count).Single();
        }, cancellationToken);

    public Task<IReadOnlyList<Trial>> ListTrialsAsync(long studyId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Trial>>(database.Read(connection => ReadTrials(connection, null, studyId, null)));

    public Task<Trial?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(connection => ReadTrials(connection, null, studyId, number).FirstOrDefault()));

    public Task<bool> ReportAsync(long studyId, int number, int step, double value, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            if (Scalar(connection, transaction, "SELECT 1 FROM trials WHERE study_id = $s AND number = $n AND state = 'running'", ("$s", studyId), ("$n", number)) is null)
            {
                return false;
            }

            // NaN is kept as NULL: SQLite has no NaN, and a NaN step is what pruners treat as "prune me".
            Execute(connection, transaction,
                "INSERT INTO trial_intermediate (study_id, number, step, value) VALUES ($s, $n, $step, $v) " +
                "ON CONFLICT (study_id, number, step) DO UPDATE SET value = excluded.value",
                ("$s", studyId), ("$n", number), ("$step", step), ("$v", double.IsNaN(value) ? DBNull.Value : value));
            return true;
        }, cancellationToken);

    public Task<bool> FinishTrialAsync(long studyId, int number, TrialState state, IReadOnlyList<double>? values, string? error, long now, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            Execute(connection, transaction,
                "UPDATE trials SET state = $state, \"values\" = $v, error = $e, completed_at = $t WHERE study_id = $s AND number = $n AND state = 'running'",
                ("$state", state.ToWire()), ("$v", values is null ? DBNull.Value : JsonSerializer.Serialize(values)), ("$e", (object?)Truncate(error) ?? DBNull.Value),
                ("$t", now), ("$s", studyId), ("$n", number)) == 1, cancellationToken);

    public Task SetTrialLinksAsync(long studyId, int number, string? runId, long? jobId, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
        {
            Execute(connection, transaction,
                "UPDATE trials SET run_id = COALESCE($r, run_id), job_id = COALESCE($j, job_id) WHERE study_id = $s AND number = $n",
                ("$r", (object?)runId ?? DBNull.Value), ("$j", (object?)jobId ?? DBNull.Value), ("$s", studyId), ("$n", number));
        }, cancellationToken);

    private static string? Truncate(string? error) => error is { Length: > 4000 } ? error[..4000] + "..." : error;

    private static List<Study> ReadStudies(SqliteConnection connection, SqliteTransaction? transaction, string tail, IEnumerable<(string, object)> parameters)
    {
        using var command = Create(connection, transaction, $"SELECT {StudyColumns} FROM studies {tail}", parameters);
        using var reader = command.ExecuteReader();
        var studies = new List<Study>();
        while (reader.Read())
        {
            using var sampler = JsonDocument.Parse(reader.GetString(4));
            using var pruner = JsonDocument.Parse(reader.GetString(5));
            studies.Add(new Study(
                reader.GetInt64(0),
                reader.GetString(1),
                [.. JsonSerializer.Deserialize<string[]>(reader.GetString(2))!.Select(StudyRules.ParseDirection)],
                SearchSpaceJson.Parse(reader.GetString(3)),
                new SamplerSpec(sampler.RootElement.GetProperty("name").GetString()!, sampler.RootElement.GetProperty("seed").GetInt64()),
                new PrunerSpec(pruner.RootElement.GetProperty("name").GetString()!,
                    pruner.RootElement.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal)),
                Enum.Parse<StudyStatus>(reader.GetString(6), ignoreCase: true),
                reader.GetInt64(10),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return studies;
    }

    private static List<Trial> ReadTrials(SqliteConnection connection, SqliteTransaction? transaction, long studyId, int? number)
    {
        var intermediate = new Dictionary<int, Dictionary<int, double>>();
        using (var command = Create(connection, transaction,
            "SELECT number, step, value FROM trial_intermediate WHERE study_id = $s AND ($n IS NULL OR number = $n) ORDER BY number, step",
            [("$s", studyId), ("$n", (object?)number ?? DBNull.Value)]))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var trial = reader.GetInt32(0);
                if (!intermediate.TryGetValue(trial, out var steps))
                {
                    intermediate[trial] = steps = [];
                }

                steps[reader.GetInt32(1)] = reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2);
            }
        }

        using var trials = Create(connection, transaction, $"SELECT {TrialColumns} FROM trials WHERE study_id = $s AND ($n IS NULL OR number = $n) ORDER BY number",
            [("$s", studyId), ("$n", (object?)number ?? DBNull.Value)]);
        using var rows = trials.ExecuteReader();
        var list = new List<Trial>();
        while (rows.Read())
        {
            var trialNumber = rows.GetInt32(1);
            list.Add(new Trial(
                rows.GetInt64(0),
                trialNumber,
                Enum.Parse<TrialState>(rows.GetString(2), ignoreCase: true),
                JsonSerializer.Deserialize<Dictionary<string, double>>(rows.GetString(3))!,
                rows.IsDBNull(4) ? null : JsonSerializer.Deserialize<double[]>(rows.GetString(4)),
                intermediate.TryGetValue(trialNumber, out var steps) ? steps : new Dictionary<int, double>(),
                rows.GetInt64(8),
                rows.IsDBNull(9) ? null : rows.GetInt64(9),
                rows.IsDBNull(5) ? null : rows.GetString(5),
                rows.IsDBNull(6) ? null : rows.GetInt64(6),
                rows.IsDBNull(7) ? null : rows.GetString(7)));
        }

        return list;
    }
}

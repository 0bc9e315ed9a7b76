using System.Text.Json;
using Mlops.Application.Ports;
using Mlops.Application.UseCases.Optimization;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

/// <summary>
/// Studies and trials on the shared PostgreSQL database. A new trial is numbered and inserted while the study
/// row is locked, so asks from any number of servers get consecutive numbers and each sees the trials before it.
/// </summary>
public sealed class PostgresStudyStore(PostgresDatabase database) : IStudyStore
{
    private const string StudyColumns = "study_id, name, directions, space, sampler, pruner, status, objective, experiment_id, parent_run_id, created_at";
    private const string TrialColumns = "study_id, number, state, params, \"values\", run_id, job_id, error, started_at, completed_at";

    public Task<Study> CreateStudyAsync(NewStudy study, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            long id;
            try
            {
                id = (long)(await ScalarAsync(connection, transaction,
                    "INSERT INTO studies (name, directions, space, sampler, pruner, status, objective, experiment_id, parent_run_id, created_at) " +
                    "VALUES (@n, @d, @s, @sa, @p, 'running', @o, @e, @r, @t) RETURNING study_id",
                    cancellationToken,
                    ("@n", study.Name), ("@d", JsonSerializer.Serialize(study.Directions.Select(d => d.ToWire()).ToArray())), ("@s", SearchSpaceJson.Serialize(study.Space)),
                    ("@sa", JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = study.Sampler.Name, ["seed"] = study.Sampler.Seed })),
                    ("@p", JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = study.Pruner.Name, ["options"] = study.Pruner.Options })),
                    ("@o", study.Objective), ("@e", study.ExperimentId), ("@r", study.ParentRunId), ("@t", now)))!;
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"A study named '{study.Name}' already exists.");
            }

            return (await ReadStudiesAsync(connection, transaction, "WHERE study_id = @id", [("@id", id)], cancellationToken))[0];
        }, cancellationToken);

    public async Task<Study?> GetStudyAsync(string name, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadStudiesAsync(c, t, "WHERE name = @n", [("@n", name)], cancellationToken), cancellationToken)).FirstOrDefault();

    public async Task<Study?> GetStudyAsync(long studyId, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadStudiesAsync(c, t, "WHERE study_id = @id", [("@id", studyId)], cancellationToken), cancellationToken)).FirstOrDefault();

    public async Task<StorePage<Study>> ListStudiesAsync(int maxResults, long offset, CancellationToken cancellationToken)
    {
        var studies = await database.ReadAsync((c, t) => ReadStudiesAsync(c, t, "ORDER BY study_id DESC LIMIT @limit OFFSET @offset",
            [("@limit", maxResults + 1L), ("@offset", offset)], cancellationToken), cancellationToken);
        return studies.Count > maxResults ? new StorePage<Study>(studies.GetRange(0, maxResults), true) : new StorePage<Study>(studies, false);
    }

    public Task<bool> SetStudyStatusAsync(long studyId, StudyStatus from, StudyStatus to, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await ExecuteAsync(connection, transaction, "UPDATE studies SET status = @to WHERE study_id = @id AND status = @from",
                cancellationToken, ("@to", to.ToWire()), ("@from", from.ToWire()), ("@id", studyId)) == 1, cancellationToken);

    /// <remarks><paramref name="propose"/> runs inside the transaction and may run again if it is retried, so it must only compute.</remarks>
    public Task<Trial?> AddTrialAsync(long studyId, TrialLimits limits, Func<IReadOnlyList<Trial>, IReadOnlyDictionary<string, double>> propose, long now,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // The study row lock serialises asks of one study; asks of different studies do not wait for each other.
            await ExecuteAsync(connection, transaction, "SELECT 1 FROM studies WHERE study_id = @s FOR UPDATE", cancellationToken, ("@s", studyId));
            var trials = await ReadTrialsAsync(connection, transaction, studyId, null, cancellationToken);
            if ((limits.MaxTrials is { } max && trials.Count >= max) || (limits.MaxRunning is { } running && trials.Count(t => t.State == TrialState.Running) >= running))
            {
                return null;
            }

            var parameters = propose(trials);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO trials (study_id, number, state, params, started_at) VALUES (@s, @n, 'running', @p, @t)",
                cancellationToken, ("@s", studyId), ("@n", trials.Count), ("@p", JsonSerializer.Serialize(parameters)), ("@t", now));
            return (await ReadTrialsAsync(connection, transaction, studyId, trials.Count, cancellationToken)).Single();
        }, cancellationToken);

    public async Task<IReadOnlyList<Trial>> ListTrialsAsync(long studyId, CancellationToken cancellationToken) =>
        await database.ReadAsync((c, t) => ReadTrialsAsync(c, t, studyId, null, cancellationToken), cancellationToken);

    public async Task<Trial?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken) =>
        (await database.ReadAsync((c, t) => ReadTrialsAsync(c, t, studyId, number, cancellationToken), cancellationToken)).FirstOrDefault();

    public Task<bool> ReportAsync(long studyId, int number, int step, double value, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // FOR SHARE keeps the trial running until this report is in: a concurrent finish waits for it.
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM trials WHERE study_id = @s AND number = @n AND state = 'running' FOR SHARE",
                    cancellationToken, ("@s", studyId), ("@n", number)) is null)
            {
                return false;
            }

            // NaN is kept as NULL, as in the SQLite store: a NaN step is what pruners treat as "prune me".
            await ExecuteAsync(connection, transaction,
                "INSERT INTO trial_intermediate (study_id, number, step, value) VALUES (@s, @n, @step, @v) " +
                "ON CONFLICT (study_id, number, step) DO UPDATE SET value = excluded.value",
                cancellationToken, ("@s", studyId), ("@n", number), ("@step", step), ("@v", double.IsNaN(value) ? null : value));
            return true;
        }, cancellationToken);

    public Task<bool> FinishTrialAsync(long studyId, int number, TrialState state, IReadOnlyList<double>? values, string? error, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await ExecuteAsync(connection, transaction,
                "UPDATE trials SET state = @state, \"values\" = @v, error = @e, completed_at = @t WHERE study_id = @s AND number = @n AND state = 'running'",
                cancellationToken, ("@state", state.ToWire()), ("@v", values is null ? null : JsonSerializer.Serialize(values)), ("@e", Truncate(error)),
                ("@t", now), ("@s", studyId), ("@n", number)) == 1, cancellationToken);

    public Task SetTrialLinksAsync(long studyId, int number, string? runId, long? jobId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "UPDATE trials SET run_id = COALESCE(@r::text, run_id), job_id = COALESCE(@j::bigint, job_id) WHERE study_id = @s AND number = @n",
                cancellationToken, ("@r", runId), ("@j", jobId), ("@s", studyId), ("@n", number));
        }, cancellationToken);

    private static string? Truncate(string? error) => error is { Length: > 4000 } ? error[..4000] + "..." : error;

    private static Task<List<Study>> ReadStudiesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tail, IEnumerable<(string, object?)> parameters,
        CancellationToken cancellationToken) =>
        QueryAsync(connection, transaction, $"SELECT {StudyColumns} FROM studies {tail}", parameters, reader =>
        {
            using var sampler = JsonDocument.Parse(reader.GetString(4));
            using var pruner = JsonDocument.Parse(reader.GetString(5));
            return new Study(
                reader.GetInt64(0),
                reader.GetString(1),
                [.. JsonSerializer.Deserialize<string[]>(reader.GetString(2))!.Select(StudyRules.ParseDirection)],
                SearchSpaceJson.Parse(reader.GetString(3)),
                new SamplerSpec(sampler.RootElement.GetProperty("name").GetString()!, sampler.RootElement.GetProperty("seed").GetInt64()),
                new PrunerSpec(pruner.RootElement.GetProperty("name").GetString()!,
                    pruner.RootElement.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal)),
                Enum.Parse<StudyStatus>(reader.GetString(6), ignoreCase: true),
                reader.GetInt64(10),
                reader.NullableString(7),
                reader.NullableString(8),
                reader.NullableString(9));
        }, cancellationToken);

    private static async Task<List<Trial>> ReadTrialsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long studyId, int? number, CancellationToken cancellationToken)
    {
        (string, object?)[] parameters = [("@s", studyId), ("@n", number)];
        var steps = await QueryAsync(connection, transaction,
            "SELECT number, step, value FROM trial_intermediate WHERE study_id = @s AND (@n::integer IS NULL OR number = @n::integer) ORDER BY number, step", parameters,
            r => (Number: r.GetInt32(0), Step: r.GetInt32(1), Value: r.IsDBNull(2) ? double.NaN : r.GetDouble(2)), cancellationToken);
        var intermediate = steps.GroupBy(s => s.Number).ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Step, s => s.Value));
        return await QueryAsync(connection, transaction,
            $"SELECT {TrialColumns} FROM trials WHERE study_id = @s AND (@n::integer IS NULL OR number = @n::integer) ORDER BY number", parameters,
            r => new Trial(
                r.GetInt64(0),
                r.GetInt32(1),
                Enum.Parse<TrialState>(r.GetString(2), ignoreCase: true),
                JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(3))!,
                r.IsDBNull(4) ? null : JsonSerializer.Deserialize<double[]>(r.GetString(4)),
                intermediate.TryGetValue(r.GetInt32(1), out var trialSteps) ? trialSteps : new Dictionary<int, double>(),
                r.GetInt64(8),
                r.NullableInt64(9),
                r.NullableString(5),
                r.NullableInt64(6),
                r.NullableString(7)), cancellationToken);
    }
}

using Mlops.Domain.Common;
using Mlops.Domain.Tracking;
using Npgsql;
using static Mlops.Infrastructure.Persistence.Postgres.PostgresCommands;

namespace Mlops.Infrastructure.Persistence.Postgres;

public sealed partial class PostgresTrackingStore
{
    private const string RunColumns = "r.run_pk, r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

    public Task CreateRunAsync(RunInfo info, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var experimentId = ParseId(info.ExperimentId);
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM experiments WHERE experiment_id = @id", cancellationToken, ("@id", experimentId)) is null)
            {
                throw MlopsException.NotFound($"No Experiment with id={info.ExperimentId} exists");
            }

            long runPk;
            try
            {
                runPk = (long)(await ScalarAsync(connection, transaction,
                    "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) " +
                    "VALUES (@id, @experiment, @name, @user, @status, @start, NULL, @uri, 'active') RETURNING run_pk",
                    cancellationToken, ("@id", info.RunId), ("@experiment", experimentId), ("@name", info.RunName), ("@user", info.UserId),
                    ("@status", info.Status.ToWire()), ("@start", info.StartTime), ("@uri", info.ArtifactUri)))!;
            }
            catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
            {
                throw MlopsException.AlreadyExists($"Run with id={info.RunId} already exists.");
            }

            await UpsertTagsAsync(connection, transaction, runPk, tags, cancellationToken);
        }, cancellationToken);

    public async Task<RunInfo?> GetRunInfoAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await QueryAsync(connection, null, $"SELECT {RunColumns} FROM runs r WHERE r.run_uuid = @id", [("@id", runId)], ReadRunInfo, cancellationToken);
        return rows.Count == 0 ? null : rows[0].Info;
    }

    public async Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var runs = await database.ReadAsync((c, t) => ReadRunsAsync(c, t, "WHERE r.run_uuid = @id", [("@id", runId)], cancellationToken), cancellationToken);
        return runs.Count == 0 ? null : runs[0];
    }

    public Task UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var runPk = (await RequireRunAsync(connection, transaction, runId, requireActive: false, cancellationToken)).RunPk;
            await ExecuteAsync(connection, transaction,
                "UPDATE runs SET status = COALESCE(@status::text, status), end_time = COALESCE(@end::bigint, end_time), name = COALESCE(@name::text, name) WHERE run_pk = @pk",
                cancellationToken, ("@status", status?.ToWire()), ("@end", endTime), ("@name", runName), ("@pk", runPk));
            if (runName is not null)
            {
                await UpsertTagsAsync(connection, transaction, runPk, [new Tag(SystemTags.RunName, runName)], cancellationToken);
            }
        }, cancellationToken);

    public Task SetRunLifecycleAsync(string runId, LifecycleStage stage, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var runPk = (await RequireRunAsync(connection, transaction, runId, requireActive: false, cancellationToken)).RunPk;
            await ExecuteAsync(connection, transaction, "UPDATE runs SET lifecycle_stage = @stage, deleted_time = @deleted WHERE run_pk = @pk",
                cancellationToken, ("@stage", stage.ToWire()), ("@deleted", stage == LifecycleStage.Deleted ? now : null), ("@pk", runPk));
        }, cancellationToken);

    public Task DeleteRunTagAsync(string runId, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var runPk = (await RequireRunAsync(connection, transaction, runId, requireActive: true, cancellationToken)).RunPk;
            if (await ExecuteAsync(connection, transaction, "DELETE FROM tags WHERE run_pk = @pk AND key = @key", cancellationToken, ("@pk", runPk), ("@key", key)) == 0)
            {
                throw MlopsException.NotFound($"No tag with name: {key} in run with id {runId}");
            }
        }, cancellationToken);

    public Task LogBatchAsync(LogBatch batch, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var runPk = (await RequireRunAsync(connection, transaction, batch.RunId, requireActive: true, cancellationToken)).RunPk;
            if (batch.Params.Count > 0)
            {
                await InsertParamsAsync(connection, transaction, runPk, batch, cancellationToken);
            }

            if (batch.Metrics.Count > 0)
            {
                await PostgresMetricWriter.AppendAsync(connection, transaction, runPk, batch.Metrics, cancellationToken);
            }

            if (batch.Tags.Count > 0)
            {
                await UpsertTagsAsync(connection, transaction, runPk, batch.Tags, cancellationToken);
            }
        }, cancellationToken);

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var (runPk, experimentId) = await RequireRunAsync(connection, transaction, runId, requireActive: true, cancellationToken);
            foreach (var input in inputs)
            {
                var d = input.Dataset;

                // The no-op update makes RETURNING yield the existing row too; it also locks it, so a concurrent
                // insert of the same dataset waits instead of failing.
                var datasetPk = (long)(await ScalarAsync(connection, transaction,
                    "INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) VALUES (@e, @n, @d, @st, @s, @schema, @profile) " +
                    "ON CONFLICT (experiment_id, name, digest) DO UPDATE SET source_type = datasets.source_type RETURNING dataset_pk",
                    cancellationToken, ("@e", experimentId), ("@n", d.Name), ("@d", d.Digest), ("@st", d.SourceType), ("@s", d.Source),
                    ("@schema", d.Schema), ("@profile", d.Profile)))!;
                await ExecuteAsync(connection, transaction, "INSERT INTO inputs (run_pk, dataset_pk) VALUES (@r, @d) ON CONFLICT DO NOTHING",
                    cancellationToken, ("@r", runPk), ("@d", datasetPk));
                foreach (var tag in input.Tags)
                {
                    await ExecuteAsync(connection, transaction,
                        "INSERT INTO input_tags (run_pk, dataset_pk, key, value) VALUES (@r, @d, @k, @v) ON CONFLICT (run_pk, dataset_pk, key) DO UPDATE SET value = excluded.value",
                        cancellationToken, ("@r", runPk), ("@d", datasetPk), ("@k", tag.Key), ("@v", tag.Value));
                }
            }
        }, cancellationToken);

    private static async Task<(long RunPk, long ExperimentId)> RequireRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, bool requireActive,
        CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(connection, transaction, "SELECT run_pk, experiment_id, lifecycle_stage FROM runs WHERE run_uuid = @id", [("@id", runId)],
            r => (RunPk: r.GetInt64(0), ExperimentId: r.GetInt64(1), Stage: r.GetString(2)), cancellationToken);
        if (rows.Count == 0)
        {
            throw MlopsException.NotFound($"Run with id={runId} not found");
        }

        if (requireActive && rows[0].Stage != "active")
        {
            throw ExperimentTrackingService.RunNotActive(runId);
        }

        return (rows[0].RunPk, rows[0].ExperimentId);
    }

    /// <summary>
    /// Inserts the params that are new and checks the others. A param is written once: a batch that gives an
    /// existing key another value fails as a whole. ON CONFLICT DO NOTHING makes a concurrent batch logging
    /// the same key wait for the first and then see its value, instead of failing on the primary key.
    /// </summary>
    private static async Task InsertParamsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runPk, LogBatch batch, CancellationToken cancellationToken)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in batch.Params)
        {
            if (first.TryGetValue(param.Key, out var earlier))
            {
                if (earlier != param.Value)
                {
                    throw ExperimentTrackingService.ParamChanged(batch.RunId, param.Key, earlier, param.Value);
                }

                continue;
            }

            first[param.Key] = param.Value;
        }

        var inserted = new HashSet<string>(await QueryAsync(connection, transaction,
            "INSERT INTO params (run_pk, key, value) SELECT @pk, k, v FROM unnest(@keys, @values) AS p (k, v) ON CONFLICT (run_pk, key) DO NOTHING RETURNING key",
            [("@pk", runPk), ("@keys", first.Keys.ToArray()), ("@values", first.Values.ToArray())], r => r.GetString(0), cancellationToken), StringComparer.Ordinal);
        if (inserted.Count == first.Count)
        {
            return;
        }

        var existing = await QueryAsync(connection, transaction, "SELECT key, value FROM params WHERE run_pk = @pk AND key = ANY(@keys)",
            [("@pk", runPk), ("@keys", first.Keys.Where(k => !inserted.Contains(k)).ToArray())], r => (Key: r.GetString(0), Value: r.GetString(1)), cancellationToken);
        foreach (var (key, old) in existing)
        {
            if (old != first[key])
            {
                // Throwing rolls the whole batch back: nothing of it is written.
                throw ExperimentTrackingService.ParamChanged(batch.RunId, key, old, first[key]);
            }
        }
    }

    private static async Task UpsertTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runPk, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        var last = LastPerKey(tags);
        if (last.Count == 0)
        {
            return;
        }

        await ExecuteAsync(connection, transaction,
            "INSERT INTO tags (run_pk, key, value) SELECT @pk, k, v FROM unnest(@keys, @values) AS t (k, v) ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("@pk", runPk), ("@keys", last.Keys.ToArray()), ("@values", last.Values.ToArray()));
        if (last.TryGetValue(SystemTags.RunName, out var runName))
        {
            // The run name and its mlflow.runName tag are one fact in two places (MLflow keeps them in step).
            await ExecuteAsync(connection, transaction, "UPDATE runs SET name = @name WHERE run_pk = @pk", cancellationToken, ("@name", runName), ("@pk", runPk));
        }
    }
}
